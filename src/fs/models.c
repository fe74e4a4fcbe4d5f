// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The daemon's models: the active model of each subsystem, loaded from the store
 * when first needed and swapped atomically when a new one is installed, and the
 * training jobs, one background thread per subsystem, so no FUSE request ever
 * waits for libsvm.
 */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "fs_i.h"
#include "model.h"

struct fs_model_ref {
	struct mlfs_model *model;
	int64_t version;
	atomic_uint refs;
};

/* How many recent recommendations are remembered, to find a decision's features. */
#define RECENT_MAX 64
/* ML decisions of one window kept for labelling; more are not needed to learn. */
#define WINDOW_OUTCOMES_MAX 256
/* Windows between two retrains that start by themselves. */
#define AUTORETRAIN_WINDOWS 10
/* Decisions each arm needs in a window for the window to say anything about the model. */
#define JUDGE_DECISIONS_MIN 8

struct recent_rec {
	uint64_t id;
	unsigned n;
	double x[MLFS_COLUMNS_MAX];
};

struct ml_outcome {
	uint64_t recommendation;
	double default_value, metric;
};

struct job {
	struct fs_models *models;
	struct mlfs_subsys *ss; /* a reference, while the thread runs */
	pthread_t thread;
	bool joinable;
	bool with_labels;       /* retrain: the dataset and what feedback taught */
	enum mlfs_model_kind kind;
	volatile bool cancel;
	/* Below: protected by fs_models.lock. */
	bool running;
	struct fs_train_state state;
};

struct entry {
	int64_t id;
	struct fs_model_ref *active; /* protected by fs_models.lock */
	char *pending_scale;         /* written to model.scale, for the next upload */
	size_t pending_scale_len;
	struct fs_recommendation last; /* the latest recommendation for the kernel */
	struct recent_rec recent[RECENT_MAX]; /* a ring, by id % RECENT_MAX */
	struct ml_outcome outcomes[WINDOW_OUTCOMES_MAX]; /* the ML arm's, this window */
	unsigned noutcomes;
	struct fs_efficiency eff;
	struct fs_latency latency; /* of every prediction for the subsystem */
	enum mlfs_model_kind declared_kind; /* what the subsystem said its target wants */
	uint64_t windows_at_retrain; /* eff.windows when a retrain last started by itself */
	struct job job;
};

struct fs_models {
	struct mlfs_store *store;
	size_t train_rows; /* cap on training rows: a stratified sample beyond it */
	pthread_mutex_t lock; /* protects entries[] and what they hold, and: */
	bool closing;         /* fs_models_free() began: jobs touch nothing shared any more */
	unsigned in_shared;   /* jobs between gate_enter() and gate_leave() */
	pthread_cond_t gate;  /* in_shared went down */
	struct entry **entries; /* each allocated alone: training threads point into them */
	size_t n, cap;
};

int fs_models_new(struct mlfs_store *store, size_t train_rows, struct fs_models **ret)
{
	struct fs_models *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->store = store;
	m->train_rows = train_rows;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->gate, NULL);
	*ret = m;
	return 0;
}

void fs_model_ref_put(struct fs_model_ref *ref)
{
	if (!ref || atomic_fetch_sub(&ref->refs, 1) != 1)
		return;
	mlfs_model_free(ref->model);
	free(ref);
}

/* The entry of subsystem @id, made if missing; caller holds the lock. */
static struct entry *entry_of(struct fs_models *m, int64_t id)
{
	size_t i;

	struct entry *e;

	for (i = 0; i < m->n; i++)
		if (m->entries[i]->id == id)
			return m->entries[i];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct entry **list = realloc(m->entries, cap * sizeof(*list));

		if (!list)
			return NULL;
		m->entries = list;
		m->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	e->job.models = m;
	m->entries[m->n++] = e;
	return e;
}

static unsigned feature_count(struct mlfs_subsys *ss)
{
	struct mlfs_subsys_status st;

	mlfs_subsys_status(ss, &st);
	return st.ncols ? st.ncols - 1 : 0;
}

/* A model from the store's version @version of @ss. */
static int load_ref(struct fs_models *m, struct mlfs_subsys *ss, int64_t version,
		    struct fs_model_ref **ret)
{
	struct mlfs_model_record rec;
	struct fs_model_ref *ref;
	char err[160];
	int r;

	r = mlfs_store_model_load(m->store, ss, version, &rec);
	if (r < 0)
		return r;
	ref = calloc(1, sizeof(*ref));
	if (!ref) {
		mlfs_model_record_fini(&rec);
		return -ENOMEM;
	}
	r = mlfs_model_from_text(rec.model_text, rec.model_len, rec.scale_len ? rec.scale_text : NULL,
				 rec.scale_len, feature_count(ss), &ref->model, err, sizeof(err));
	if (r < 0) {
		mlfs_log(LOG_ERR, "%s: stored model version %lld does not load: %s",
			 mlfs_subsys_name(ss), (long long)rec.version, err);
		free(ref);
	} else {
		ref->version = rec.version;
		atomic_init(&ref->refs, 1);
		*ret = ref;
	}
	mlfs_model_record_fini(&rec);
	return r;
}

struct fs_model_ref *fs_models_get(struct fs_models *m, struct mlfs_subsys *ss)
{
	int64_t want = mlfs_subsys_model_version(ss);
	struct fs_model_ref *ref = NULL, *old = NULL;
	struct entry *e;

	if (want == 0)
		return NULL;
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e && e->active && e->active->version == want) {
		ref = e->active;
		atomic_fetch_add(&ref->refs, 1);
	}
	pthread_mutex_unlock(&m->lock);
	if (ref || !e)
		return ref;

	/* Not loaded yet, or a rollback changed the active version. */
	if (load_ref(m, ss, want, &ref) < 0)
		return NULL;
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e) {
		old = e->active;
		e->active = ref;
		atomic_fetch_add(&ref->refs, 1);
	}
	pthread_mutex_unlock(&m->lock);
	fs_model_ref_put(old);
	return ref;
}

int fs_model_predict(struct fs_model_ref *ref, const double *x, unsigned n, double *ret_y)
{
	return mlfs_model_predict(ref->model, x, n, ret_y);
}

int64_t fs_model_version(const struct fs_model_ref *ref)
{
	return ref->version;
}

void fs_model_info(const struct fs_model_ref *ref, struct mlfs_model_info *ret)
{
	mlfs_model_info(ref->model, ret);
}

static const char *kind_name(enum mlfs_model_kind kind)
{
	return kind == MLFS_MODEL_CLASSIFY ? "classify" : "regress";
}

int fs_models_install(struct fs_models *m, struct mlfs_subsys *ss, struct mlfs_model *model,
		      const char *origin)
{
	struct mlfs_model_record rec = { 0 };
	struct mlfs_model_info info;
	struct fs_model_ref *ref, *old = NULL;
	struct entry *e;
	int r;

	mlfs_model_info(model, &info);
	snprintf(rec.origin, sizeof(rec.origin), "%s", origin);
	snprintf(rec.kind, sizeof(rec.kind), "%s", kind_name(info.kind));
	if (info.trained)
		snprintf(rec.params, sizeof(rec.params), "%s C=%g gamma=%g",
			 info.kernel_type == 0 ? "linear" : "rbf", info.c, info.gamma);
	else
		snprintf(rec.params, sizeof(rec.params), "%s gamma=%g",
			 info.kernel_type == 0 ? "linear" : "rbf", info.gamma);
	rec.cv_accuracy = info.trained && info.kind == MLFS_MODEL_CLASSIFY ? info.cv_accuracy : NAN;
	rec.cv_mse = info.trained && info.kind == MLFS_MODEL_REGRESS ? info.cv_mse : NAN;
	rec.rows_used = info.trained ? (int64_t)info.rows_used : -1;
	rec.seconds = info.trained ? info.seconds : NAN;
	r = mlfs_model_to_text(model, &rec.model_text, &rec.model_len);
	if (r == 0)
		r = mlfs_model_scale_text(model, &rec.scale_text, &rec.scale_len);
	if (r == 0)
		r = mlfs_store_model_add(m->store, ss, &rec);
	mlfs_model_record_fini(&rec);
	if (r < 0) {
		mlfs_model_free(model);
		return r;
	}
	ref = calloc(1, sizeof(*ref));
	if (!ref) {
		mlfs_model_free(model);
		return 0; /* stored and active: it loads on first use */
	}
	ref->model = model;
	ref->version = rec.version;
	atomic_init(&ref->refs, 1);
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e) {
		old = e->active;
		e->active = ref;
		ref = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	fs_model_ref_put(old);
	fs_model_ref_put(ref);
	mlfs_log(LOG_INFO, "%s: model version %lld active (%s, %s)", mlfs_subsys_name(ss),
		 (long long)rec.version, origin, kind_name(info.kind));
	return 0;
}

int fs_models_rollback(struct fs_models *m, struct mlfs_subsys *ss)
{
	int64_t prev = mlfs_store_model_previous(m->store, ss);
	int r;

	if (prev < 0)
		return (int)prev;
	r = mlfs_store_model_activate(m->store, ss, prev);
	if (r == 0)
		mlfs_log(LOG_INFO, "%s: rolled back to model version %lld", mlfs_subsys_name(ss),
			 (long long)prev);
	return r;
}

int fs_models_set_pending_scale(struct fs_models *m, struct mlfs_subsys *ss, char *text,
				size_t len)
{
	struct entry *e;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e) {
		free(e->pending_scale);
		e->pending_scale = text;
		e->pending_scale_len = len;
	}
	pthread_mutex_unlock(&m->lock);
	if (!e)
		free(text);
	return e ? 0 : -ENOMEM;
}

char *fs_models_take_pending_scale(struct fs_models *m, struct mlfs_subsys *ss, size_t *ret_len)
{
	struct entry *e;
	char *text = NULL;

	*ret_len = 0;
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e) {
		text = e->pending_scale;
		*ret_len = e->pending_scale_len;
		e->pending_scale = NULL;
		e->pending_scale_len = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return text;
}

/* ---- recommendations for kernel subsystems ---- */

int fs_models_recommend(struct fs_models *m, struct mlfs_subsys *ss, const double *x, unsigned n,
			uint64_t id, double *ret_value, uint64_t *ret_version)
{
	struct fs_model_ref *ref = fs_models_get(m, ss);
	struct entry *e;
	uint64_t t0;
	double y;
	int r;

	if (!ref)
		return -ENOENT;
	t0 = fs_latency_now_ns();
	r = fs_model_predict(ref, x, n, &y);
	if (r == 0) {
		uint64_t took = fs_latency_now_ns() - t0;

		*ret_value = y;
		*ret_version = (uint64_t)ref->version;
		pthread_mutex_lock(&m->lock);
		e = entry_of(m, mlfs_subsys_id(ss));
		if (e) {
			fs_latency_observe(&e->latency, took);
			struct fs_recommendation *last = &e->last;
			struct recent_rec *rr = &e->recent[id % RECENT_MAX];

			rr->id = id;
			rr->n = n < MLFS_COLUMNS_MAX ? n : MLFS_COLUMNS_MAX;
			memcpy(rr->x, x, rr->n * sizeof(x[0]));
			last->id = id;
			last->value = y;
			last->model_version = ref->version;
			last->mode = mlfs_subsys_mode(ss);
			last->nfeatures = n < MLFS_COLUMNS_MAX ? n : MLFS_COLUMNS_MAX;
			memcpy(last->features, x, last->nfeatures * sizeof(x[0]));
		}
		pthread_mutex_unlock(&m->lock);
	}
	fs_model_ref_put(ref);
	return r;
}

void fs_models_outcome(struct fs_models *m, struct mlfs_subsys *ss, uint64_t recommendation,
		       bool ml, double default_value, double metric)
{
	struct entry *e;

	if (recommendation == 0)
		return;
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e && ml && e->noutcomes < WINDOW_OUTCOMES_MAX)
		e->outcomes[e->noutcomes++] = (struct ml_outcome){ recommendation, default_value,
								   metric };
	/* A decision uses the newest recommendation the kernel had: an older one. */
	if (e && recommendation >= e->last.outcome_of) {
		e->last.outcome_of = recommendation;
		e->last.applied = ml;
		e->last.outcome = metric;
	}
	pthread_mutex_unlock(&m->lock);
}

bool fs_models_last_recommendation(struct fs_models *m, struct mlfs_subsys *ss,
				   struct fs_recommendation *ret)
{
	struct entry *e;
	bool found = false;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e && e->last.id) {
		*ret = e->last;
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

/* ---- what windows teach ---- */

static bool worse_than(double a, double b, bool lower_is_better)
{
	return lower_is_better ? a > b : a < b;
}

/*
 * The ML arm's decisions that did worse than the default arm did on average over
 * the window become labels: their features, with the default's value as target.
 * Caller holds the lock; the labels are written after it is dropped.
 */
static unsigned collect_labels(struct entry *e, double def_mean, bool lower_is_better,
			       struct recent_rec *ret, double *ret_target)
{
	unsigned i, n = 0;

	for (i = 0; i < e->noutcomes; i++) {
		const struct ml_outcome *o = &e->outcomes[i];
		const struct recent_rec *rr = &e->recent[o->recommendation % RECENT_MAX];

		if (rr->id != o->recommendation || !worse_than(o->metric, def_mean, lower_is_better))
			continue;
		ret[n] = *rr;
		ret_target[n++] = o->default_value;
	}
	e->noutcomes = 0;
	return n;
}

static int start_job(struct fs_models *m, struct mlfs_subsys *ss, bool with_labels,
		     enum mlfs_model_kind kind);

void fs_models_window(struct fs_models *m, struct mlfs_subsys *ss, enum mlfs_mode mode,
		      const uint64_t decisions[2], const double means[2], bool lower_is_better)
{
	bool judged = !isnan(means[0]) && !isnan(means[1]) && decisions[0] >= JUDGE_DECISIONS_MIN &&
		      decisions[1] >= JUDGE_DECISIONS_MIN;
	bool ml_worse = false, retrain = false;
	/* Windows are rare: the labels' room is allocated for each, not kept per thread. */
	struct recent_rec *labels = judged ? malloc(WINDOW_OUTCOMES_MAX * sizeof(*labels)) : NULL;
	double targets[WINDOW_OUTCOMES_MAX];
	unsigned nlabels = 0, i;
	struct entry *e;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (!e) {
		pthread_mutex_unlock(&m->lock);
		free(labels);
		return;
	}
	e->eff.windows++;
	e->eff.decisions[0] = decisions[0];
	e->eff.decisions[1] = decisions[1];
	e->eff.means[0] = means[0];
	e->eff.means[1] = means[1];
	e->eff.lower_is_better = lower_is_better;
	if (judged) {
		ml_worse = worse_than(means[1], means[0], lower_is_better);
		e->eff.judged++;
		e->eff.ml_not_worse += !ml_worse;
		if (labels)
			nlabels = collect_labels(e, means[0], lower_is_better, labels, targets);
	}
	e->noutcomes = 0;
	/*
	 * ML below the default while it is being tried out: learn from it, by itself.
	 * Not for a collector: its dataset's target is the value that was in force, not
	 * the best one, so a model learns it from labelled runs (README, "readahead").
	 */
	if (ml_worse && mlfs_subsys_autoretrain(ss) && !e->job.running &&
	    mlfs_subsys_origin(ss) != MLFS_ORIGIN_BPF &&
	    (mode == MLFS_MODE_LEARNING || mode == MLFS_MODE_COLLABORATION) &&
	    (e->windows_at_retrain == 0 ||
	     e->eff.windows - e->windows_at_retrain >= AUTORETRAIN_WINDOWS)) {
		e->windows_at_retrain = e->eff.windows;
		retrain = true;
	}
	pthread_mutex_unlock(&m->lock);

	for (i = 0; i < nlabels; i++)
		if (mlfs_store_label_add(m->store, ss, labels[i].x, labels[i].n, targets[i]) < 0)
			break;
	free(labels);
	if (retrain && start_job(m, ss, true, MLFS_MODEL_AUTO) == 0)
		mlfs_log(LOG_INFO, "%s: the model did worse than the default in a window of %s "
				   "mode: retraining with what feedback taught", mlfs_subsys_name(ss),
			 mlfs_mode_name(mode));
}

void fs_models_efficiency(struct fs_models *m, struct mlfs_subsys *ss,
			  struct fs_efficiency *ret)
{
	struct entry *e;

	memset(ret, 0, sizeof(*ret));
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e)
		*ret = e->eff;
	pthread_mutex_unlock(&m->lock);
	ret->autoretrain = mlfs_subsys_autoretrain(ss);
}

void fs_models_declare_kind(struct fs_models *m, struct mlfs_subsys *ss,
			    enum mlfs_model_kind kind)
{
	struct entry *e;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e)
		e->declared_kind = kind;
	pthread_mutex_unlock(&m->lock);
}

/* ---- training ---- */

static void on_progress(void *ctx, const struct mlfs_train_progress *p)
{
	struct job *job = ctx;
	bool news;

	pthread_mutex_lock(&job->models->lock);
	/* A line per stage and grid point; folds change too often to print. */
	news = strcmp(job->state.stage, p->stage) != 0 || job->state.point != p->point;
	snprintf(job->state.stage, sizeof(job->state.stage), "%s", p->stage);
	job->state.point = p->point;
	job->state.points = p->points;
	job->state.fold = p->fold;
	job->state.folds = p->folds;
	pthread_mutex_unlock(&job->models->lock);
	if (news)
		mlfs_log_progress("%s: training: %s, grid point %u of %u", mlfs_subsys_name(job->ss),
				  p->stage, p->point, p->points);
}

static int add_label(void *ctx, const double *x, unsigned n, double target)
{
	struct mlfs_dataset *ds = ctx;

	return mlfs_dataset_add(ds, x, target);
}

/*
 * The subsystem's rows as training data: every column but the target is a feature;
 * @with_labels adds what feedback taught.
 */
static int dataset_of(struct fs_models *m, struct mlfs_subsys *ss, bool with_labels,
		      struct mlfs_dataset **ret)
{
	double x[MLFS_COLUMNS_MAX];
	const struct mlfs_columns *cols;
	const struct mlfs_value *row;
	struct mlfs_cursor *c;
	struct mlfs_dataset *ds;
	int r;

	r = mlfs_cursor_open(m->store, ss, &c);
	if (r < 0)
		return r;
	cols = mlfs_cursor_columns(c);
	ds = cols->n > 1 ? mlfs_dataset_new(cols->n - 1) : NULL;
	if (!ds) {
		/* No columns yet, or more features than a model takes. */
		r = cols->n > 1 && errno == ENOMEM ? -ENOMEM : -EINVAL;
		mlfs_cursor_close(c);
		return r;
	}
	while ((r = mlfs_cursor_next(c, &row)) == 1) {
		unsigned i, k = 0;

		for (i = 0; i < cols->n; i++)
			if (i != cols->target)
				x[k++] = row[i].type == MLFS_VALUE_REAL ? row[i].r : (double)row[i].i;
		r = mlfs_dataset_add(ds, x, row[cols->target].type == MLFS_VALUE_REAL
						    ? row[cols->target].r
						    : (double)row[cols->target].i);
		if (r < 0)
			break;
	}
	mlfs_cursor_close(c);
	if (r == 0 && with_labels)
		r = mlfs_store_labels_each(m->store, ss, add_label, ds);
	if (r < 0) {
		mlfs_dataset_free(ds);
		return r;
	}
	*ret = ds;
	return 0;
}

/*
 * A job uses the store and the entries only between these two, so at the end
 * the daemon need not wait for libsvm: a training still inside it is left to
 * end with the process (fs_models_free()). False: the daemon is closing.
 */
static bool gate_enter(struct fs_models *m)
{
	bool open;

	pthread_mutex_lock(&m->lock);
	open = !m->closing;
	if (open)
		m->in_shared++;
	pthread_mutex_unlock(&m->lock);
	return open;
}

static void gate_leave(struct fs_models *m)
{
	pthread_mutex_lock(&m->lock);
	m->in_shared--;
	pthread_cond_broadcast(&m->gate);
	pthread_mutex_unlock(&m->lock);
}

static void *train_main(void *arg)
{
	struct job *job = arg;
	struct fs_models *m = job->models;
	struct mlfs_train_options opts = { .progress = on_progress, .ctx = job,
					   .cancel = &job->cancel, .seed = 1,
					   .rows_max = m->train_rows, .kind = job->kind };
	struct mlfs_dataset *ds = NULL;
	struct mlfs_model *model = NULL;
	char err[160] = "";
	int r;

	if (!gate_enter(m))
		return NULL;
	r = dataset_of(m, job->ss, job->with_labels, &ds);
	gate_leave(m);
	if (r == -EINVAL)
		snprintf(err, sizeof(err), "the dataset has no columns, or more than %d features",
			 MLFS_MODEL_FEATURES_MAX);
	if (r == 0)
		r = mlfs_model_train(ds, &opts, &model, err, sizeof(err));
	mlfs_dataset_free(ds);
	if (!gate_enter(m)) {
		mlfs_model_free(model);
		return NULL;
	}
	if (r == 0)
		r = fs_models_install(m, job->ss, model, job->with_labels ? "retrained" : "trained");
	if (r < 0 && !err[0])
		snprintf(err, sizeof(err), "%s", strerror(-r));
	if (r < 0)
		mlfs_log(r == -ECANCELED ? LOG_INFO : LOG_ERR, "%s: training failed: %s",
			 mlfs_subsys_name(job->ss), err);

	pthread_mutex_lock(&m->lock);
	job->running = false;
	snprintf(job->state.stage, sizeof(job->state.stage), "%s",
		 r == 0 ? "done" : r == -ECANCELED ? "cancelled" : "failed");
	snprintf(job->state.last, sizeof(job->state.last), "%s", r == 0 ? "ok" : err);
	pthread_mutex_unlock(&m->lock);
	gate_leave(m);
	return NULL;
}

int fs_models_train(struct fs_models *m, struct mlfs_subsys *ss, bool with_labels,
		    enum mlfs_model_kind kind)
{
	return start_job(m, ss, with_labels, kind);
}

static int start_job(struct fs_models *m, struct mlfs_subsys *ss, bool with_labels,
		     enum mlfs_model_kind kind)
{
	struct entry *e;
	struct job *job;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (!e) {
		r = -ENOMEM;
		goto out_unlock;
	}
	job = &e->job;
	if (job->running) {
		r = -EBUSY;
		goto out_unlock;
	}
	if (job->joinable) {
		/* The last job has finished (running is false): reap its thread. */
		pthread_join(job->thread, NULL);
		mlfs_subsys_unref(job->ss);
		job->joinable = false;
	}
	job->ss = mlfs_subsys_ref(ss);
	job->with_labels = with_labels;
	job->kind = kind == MLFS_MODEL_AUTO ? e->declared_kind : kind;
	job->cancel = false;
	job->running = true;
	memset(&job->state, 0, sizeof(job->state));
	snprintf(job->state.stage, sizeof(job->state.stage), "starting");
	r = -pthread_create(&job->thread, NULL, train_main, job);
	job->joinable = r == 0;
	if (r < 0) {
		job->running = false;
		mlfs_subsys_unref(job->ss);
	}
out_unlock:
	pthread_mutex_unlock(&m->lock);
	return r;
}

int fs_models_cancel(struct fs_models *m, struct mlfs_subsys *ss)
{
	struct entry *e;
	int r = -ENOENT;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e && e->job.running) {
		/* Training threads read it with __atomic_load_n. */
		__atomic_store_n(&e->job.cancel, true, __ATOMIC_RELAXED);
		r = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

void fs_models_add_latency(struct fs_models *m, struct mlfs_subsys *ss,
			   const struct fs_latency *more)
{
	struct entry *e;

	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e)
		fs_latency_add(&e->latency, more);
	pthread_mutex_unlock(&m->lock);
}

void fs_models_latency(struct fs_models *m, struct mlfs_subsys *ss, struct fs_latency *ret)
{
	struct entry *e;

	memset(ret, 0, sizeof(*ret));
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e)
		*ret = e->latency;
	pthread_mutex_unlock(&m->lock);
}

void fs_models_state(struct fs_models *m, struct mlfs_subsys *ss, struct fs_train_state *ret)
{
	struct entry *e;

	memset(ret, 0, sizeof(*ret));
	pthread_mutex_lock(&m->lock);
	e = entry_of(m, mlfs_subsys_id(ss));
	if (e) {
		*ret = e->job.state;
		ret->running = e->job.running;
	}
	pthread_mutex_unlock(&m->lock);
}

/* How long the end waits for cancelled trainings before it leaves them to the process's end. */
#define CANCEL_WAIT_SECONDS 2

void fs_models_free(struct fs_models *m)
{
	struct timespec deadline;
	bool abandoned = false;
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->closing = true;
	for (i = 0; i < m->n; i++)
		__atomic_store_n(&m->entries[i]->job.cancel, true, __ATOMIC_RELAXED);
	while (m->in_shared > 0)
		pthread_cond_wait(&m->gate, &m->lock);
	pthread_mutex_unlock(&m->lock);
	/* libsvm sees the cancel between folds only, and a fold can take minutes. */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += CANCEL_WAIT_SECONDS;
	for (i = 0; i < m->n; i++) {
		struct job *job = &m->entries[i]->job;

		if (!job->joinable)
			continue;
		if (pthread_timedjoin_np(job->thread, NULL, &deadline) == 0) {
			job->joinable = false;
			mlfs_subsys_unref(job->ss);
		} else {
			pthread_detach(job->thread);
			abandoned = true;
		}
	}
	if (abandoned) {
		/* Its thread still points into all of it: it goes with the process. */
		mlfs_log(LOG_INFO, "a training still inside libsvm is left to end with the daemon");
		return;
	}
	for (i = 0; i < m->n; i++) {
		fs_model_ref_put(m->entries[i]->active);
		free(m->entries[i]->pending_scale);
		free(m->entries[i]);
	}
	pthread_cond_destroy(&m->gate);
	pthread_mutex_destroy(&m->lock);
	free(m->entries);
	free(m);
}
