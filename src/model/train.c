// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Training: choose classification or regression, sample the rows down to the
 * limit, fit the scaling, search C and gamma by k-fold cross-validation on our
 * own folds, and train the final model on all rows with the best point. Grid
 * points are shared out to worker threads from a counter; every point's result
 * depends only on the rows and the seed, so the model does not depend on how
 * many threads ran or in which order they finished.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model_i.h"

#define FOLDS_DEFAULT 5
#define ROWS_MAX_DEFAULT 10000
#define AUTO_CLASSES_MAX 16 /* AUTO classifies integer targets with at most this many values */
#define CLASSES_MAX 256	    /* one-vs-one trains k(k-1)/2 machines: beyond this, hopeless */
#define GRID_MAX 1024	    /* points in one search */
#define THREADS_MAX 64

static const double c_default[] = { 0.5, 2, 8, 32, 128 };			/* 2^-1 .. 2^7 */
static const double gamma_default[] = { 1.0 / 128, 1.0 / 32, 1.0 / 8, 0.5, 2 }; /* 2^-7 .. 2^1 */

struct train {
	const struct mlfs_train_options *opts;
	char *err;
	size_t errlen;
	enum mlfs_model_kind kind;
	unsigned folds, threads;
	const double *c_grid, *gamma_grid;
	unsigned c_count, gamma_count, points;

	/* The rows in use, scaled, as libsvm nodes. Read-only once the search starts. */
	const struct mlfs_dataset *ds;
	double *labels; /* distinct targets, ascending */
	unsigned nlabels;
	unsigned *stratum; /* [ds->rows] */
	unsigned nstrata;
	size_t *rows; /* [n] rows of ds in use */
	size_t n;
	struct scale scale;
	struct svm_node *space;
	struct svm_node **x;	   /* [n] */
	double *y;		   /* [n] */
	unsigned *fold;		   /* [n] */
	struct svm_problem *train; /* [folds]: every row but the fold's */
	size_t *test, *test_start; /* rows of fold f: test[test_start[f] .. test_start[f + 1]) */

	pthread_mutex_t lock; /* protects next, done, folds_done, error, parts, folds_left,
			       * score; serialises progress */
	unsigned next, done, folds_done;
	int error;
	const char *libsvm_err; /* why libsvm refused the parameters, with error -EINVAL */
	atomic_bool stop;	/* a worker failed or training was cancelled: take no more work */
	double *score;		/* [points], made when a point's last fold is in */
	double *parts;		/* [points * folds]: what each fold gave (see run_fold) */
	unsigned *folds_left;	/* [points]: folds of the point not in yet */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(struct train *t, const char *stage, unsigned point)
{
	struct mlfs_train_progress p = { .stage = stage, .point = point, .points = t->points,
					 .fold = t->folds_done, .folds = t->points * t->folds };

	if (t->opts->progress)
		t->opts->progress(t->opts->ctx, &p);
}

/* An atomic load: the flag is written by another thread (which should store it atomically). */
static bool cancelled(const struct train *t)
{
	return t->opts->cancel && __atomic_load_n(t->opts->cancel, __ATOMIC_RELAXED);
}

static int fail(struct train *t, int r, const char *msg)
{
	model_err(t->err, t->errlen, "%s", msg);
	return r;
}

static bool grid_ok(const double *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]) || v[i] <= 0)
			return false;
	return true;
}

static int check_options(struct train *t)
{
	const struct mlfs_train_options *o = t->opts;
	long cores;

	if ((unsigned)o->kind >= MLFS_MODEL_KIND_MAX)
		return fail(t, -EINVAL, "unknown model kind");
	t->folds = o->folds ? o->folds : FOLDS_DEFAULT;
	if (t->folds < 2)
		return fail(t, -EINVAL, "cross-validation needs at least 2 folds");
	t->c_grid = o->c_grid ? o->c_grid : c_default;
	t->c_count = o->c_grid ? o->c_count : sizeof(c_default) / sizeof(c_default[0]);
	t->gamma_grid = o->gamma_grid ? o->gamma_grid : gamma_default;
	t->gamma_count = o->gamma_grid ? o->gamma_count :
					 sizeof(gamma_default) / sizeof(gamma_default[0]);
	if (t->c_count == 0 || t->gamma_count == 0 || t->c_count > GRID_MAX ||
	    t->gamma_count > GRID_MAX || t->c_count * t->gamma_count > GRID_MAX)
		return fail(t, -EINVAL, "the C and gamma grids must have 1 to 1024 points in all");
	if (!grid_ok(t->c_grid, t->c_count) || !grid_ok(t->gamma_grid, t->gamma_count))
		return fail(t, -EINVAL, "C and gamma must be finite and above 0");
	t->points = t->c_count * t->gamma_count;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	t->threads = o->threads ? o->threads : (cores > 0 ? (unsigned)cores : 1);
	if (t->threads > THREADS_MAX)
		t->threads = THREADS_MAX;
	if (t->threads > t->points)
		t->threads = t->points;
	return 0;
}

static bool integer_label(double y)
{
	return y == floor(y) && y >= -2147483648.0 && y <= 2147483647.0;
}

/* AUTO: integer targets with few values are classes; anything else is a quantity. */
static int choose_kind(struct train *t)
{
	const struct mlfs_dataset *ds = t->ds;
	bool integers = true;
	size_t i, j;
	int r;

	for (i = 0; i < ds->rows; i++) {
		for (j = 0; j < ds->nfeatures; j++)
			if (!isfinite(dataset_row(ds, i)[j]))
				break;
		if (j < ds->nfeatures || !isfinite(ds->y[i])) {
			model_err(t->err, t->errlen,
				  "row %zu has a value that is not a finite number", i + 1);
			return -EINVAL;
		}
		integers = integers && integer_label(ds->y[i]);
	}
	r = split_classes(ds, &t->labels, &t->nlabels);
	if (r < 0)
		return fail(t, r, "out of memory");
	t->kind = t->opts->kind;
	if (t->kind == MLFS_MODEL_AUTO)
		t->kind = integers && t->nlabels <= AUTO_CLASSES_MAX ? MLFS_MODEL_CLASSIFY :
								       MLFS_MODEL_REGRESS;
	if (t->kind == MLFS_MODEL_REGRESS)
		return 0;
	if (!integers)
		return fail(t, -EINVAL, "classification needs integer targets");
	if (t->nlabels < 2)
		return fail(t, -EINVAL, "dataset has one class only");
	if (t->nlabels > CLASSES_MAX) {
		model_err(t->err, t->errlen, "dataset has %u classes, at most %u are supported",
			  t->nlabels, CLASSES_MAX);
		return -EINVAL;
	}
	return 0;
}

static int sample(struct train *t, uint64_t *rng)
{
	size_t rows_max = t->opts->rows_max ? t->opts->rows_max : ROWS_MAX_DEFAULT;
	const struct mlfs_dataset *ds = t->ds;
	size_t i;
	int r;

	r = split_strata(ds, t->kind == MLFS_MODEL_CLASSIFY ? t->labels : NULL, t->nlabels,
			 &t->stratum, &t->nstrata);
	if (r < 0)
		return fail(t, r, "out of memory");
	if (ds->rows > rows_max) {
		progress(t, "sampling", 0);
		r = split_sample(t->stratum, t->nstrata, ds->rows, rows_max, rng, &t->rows);
		if (r < 0)
			return fail(t, r, "out of memory");
		t->n = rows_max;
		return 0;
	}
	t->rows = malloc(ds->rows * sizeof(*t->rows));
	if (!t->rows)
		return fail(t, -ENOMEM, "out of memory");
	for (i = 0; i < ds->rows; i++)
		t->rows[i] = i;
	t->n = ds->rows;
	return 0;
}

/* Scale the rows in use into libsvm nodes, and deal them into folds. */
static int prepare(struct train *t, uint64_t *rng)
{
	unsigned nf = t->ds->nfeatures, f, *sel;
	size_t i, at = 0;
	int r;

	progress(t, "scaling", 0);
	scale_fit(&t->scale, t->ds, t->rows, t->n);
	t->space = malloc(t->n * (nf + 1) * sizeof(*t->space));
	t->x = malloc(t->n * sizeof(*t->x));
	t->y = malloc(t->n * sizeof(*t->y));
	sel = malloc(t->n * sizeof(*sel));
	if (!t->space || !t->x || !t->y || !sel) {
		free(sel);
		return fail(t, -ENOMEM, "out of memory");
	}
	for (i = 0; i < t->n; i++) {
		t->x[i] = t->space + at;
		at += model_row_nodes(&t->scale, dataset_row(t->ds, t->rows[i]), nf, t->x[i]) + 1;
		t->y[i] = t->ds->y[t->rows[i]];
		sel[i] = t->stratum[t->rows[i]];
	}
	r = split_folds(sel, t->nstrata, t->n, t->folds, rng, &t->fold);
	free(sel);
	if (r < 0)
		return fail(t, r, "out of memory");

	t->train = calloc(t->folds, sizeof(*t->train));
	t->test = malloc(t->n * sizeof(*t->test));
	t->test_start = calloc((size_t)t->folds + 1, sizeof(*t->test_start));
	if (!t->train || !t->test || !t->test_start)
		return fail(t, -ENOMEM, "out of memory");
	for (f = 0, at = 0; f < t->folds; f++) {
		struct svm_problem *p = &t->train[f];

		t->test_start[f] = at;
		p->x = malloc(t->n * sizeof(*p->x));
		p->y = malloc(t->n * sizeof(*p->y));
		if (!p->x || !p->y)
			return fail(t, -ENOMEM, "out of memory");
		for (i = 0; i < t->n; i++) {
			if (t->fold[i] == f) {
				t->test[at++] = i;
				continue;
			}
			p->x[p->l] = t->x[i];
			p->y[p->l] = t->y[i];
			p->l++;
		}
	}
	t->test_start[t->folds] = at;
	return 0;
}

static void params(const struct train *t, unsigned point, struct svm_parameter *ret)
{
	struct svm_parameter p = {
		.svm_type = t->kind == MLFS_MODEL_CLASSIFY ? C_SVC : EPSILON_SVR,
		.kernel_type = RBF,
		.degree = 3,
		.gamma = t->gamma_grid[point % t->gamma_count],
		.cache_size = 200,
		.eps = 1e-3,
		.C = t->c_grid[point / t->gamma_count],
		.nu = 0.5,
		.p = 0.1,
		.shrinking = 1,
	};

	*ret = p;
}

/*
 * One unit of the grid search: train on fold @f's training rows with grid point
 * @point, test on the fold. *ret_part: rows right (classify) or the sum of squared
 * errors (regress); the point's score is made of its folds' parts in fold order, so
 * it does not depend on which thread ran which fold.
 */
static int run_fold(struct train *t, unsigned point, unsigned f, double *ret_part,
		    const char **ret_why)
{
	struct svm_parameter param;
	struct svm_model *svm;
	double part = 0;
	size_t i;

	params(t, point, &param);
	if (cancelled(t))
		return -ECANCELED;
	*ret_why = svm_check_parameter(&t->train[f], &param);
	if (*ret_why)
		return -EINVAL;
	svm = svm_train(&t->train[f], &param);
	if (!svm)
		return -ENOMEM;
	for (i = t->test_start[f]; i < t->test_start[f + 1]; i++) {
		size_t row = t->test[i];
		double v = svm_predict(svm, t->x[row]);

		if (t->kind == MLFS_MODEL_CLASSIFY)
			part += v == t->y[row];
		else
			part += (v - t->y[row]) * (v - t->y[row]);
	}
	svm_free_and_destroy_model(&svm);
	*ret_part = part;
	return 0;
}

/* All folds of @point are in: its score, percent right or mean squared error. Under lock. */
static void finish_point(struct train *t, unsigned point)
{
	double sum = 0;
	unsigned f;

	for (f = 0; f < t->folds; f++)
		sum += t->parts[(size_t)point * t->folds + f];
	t->score[point] = t->kind == MLFS_MODEL_CLASSIFY ? 100.0 * sum / (double)t->n
							 : sum / (double)t->n;
	progress(t, "grid search", ++t->done);
}

/*
 * Workers take (point, fold) units, not whole points, so the threads finish
 * within one fold of each other instead of one point.
 */
static void *worker(void *arg)
{
	struct train *t = arg;
	const char *why = NULL;
	unsigned unit, point, fold;
	double part = 0;
	int r;

	for (;;) {
		pthread_mutex_lock(&t->lock);
		if (atomic_load(&t->stop) || t->next == t->points * t->folds) {
			pthread_mutex_unlock(&t->lock);
			return NULL;
		}
		/* Largest C first: those take longest. */
		unit = t->next++;
		pthread_mutex_unlock(&t->lock);
		point = t->points - 1 - unit / t->folds;
		fold = unit % t->folds;

		r = run_fold(t, point, fold, &part, &why);

		pthread_mutex_lock(&t->lock);
		if (r < 0) {
			if (!t->error) {
				t->error = r;
				t->libsvm_err = why;
			}
			atomic_store(&t->stop, true);
		} else if (!atomic_load(&t->stop)) {
			t->parts[(size_t)point * t->folds + fold] = part;
			t->folds_done++;
			if (--t->folds_left[point] == 0)
				finish_point(t, point);
			else
				progress(t, "grid search", t->done);
		}
		pthread_mutex_unlock(&t->lock);
	}
}

static int search(struct train *t, unsigned *ret_best)
{
	pthread_t tid[THREADS_MAX];
	unsigned i, started = 0, best = 0;

	t->score = calloc(t->points, sizeof(*t->score));
	t->parts = calloc((size_t)t->points * t->folds, sizeof(*t->parts));
	t->folds_left = calloc(t->points, sizeof(*t->folds_left));
	if (!t->score || !t->parts || !t->folds_left)
		return fail(t, -ENOMEM, "out of memory");
	for (i = 0; i < t->points; i++)
		t->folds_left[i] = t->folds;
	progress(t, "grid search", 0);
	/* This thread is a worker too; a thread that cannot start leaves more to the others. */
	for (i = 1; i < t->threads; i++)
		if (pthread_create(&tid[started], NULL, worker, t) == 0)
			started++;
	worker(t);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);

	if (t->error == -ECANCELED)
		return fail(t, -ECANCELED, "training cancelled");
	if (t->error == -EINVAL) {
		model_err(t->err, t->errlen, "libsvm refuses the parameters: %s", t->libsvm_err);
		return -EINVAL;
	}
	if (t->error)
		return fail(t, t->error, "out of memory");
	/* Ties go to the earlier point: the smaller C, the simpler model. */
	for (i = 1; i < t->points; i++) {
		if (t->kind == MLFS_MODEL_CLASSIFY ? t->score[i] > t->score[best] :
						     t->score[i] < t->score[best])
			best = i;
	}
	*ret_best = best;
	return 0;
}

/*
 * The final model goes through its own text, so the model kept is the one its
 * text describes: predictions here equal svm-predict's on the saved text.
 */
static int final_model(struct train *t, unsigned best, struct mlfs_model *m)
{
	struct svm_problem all = { .l = (int)t->n, .y = t->y, .x = t->x };
	struct svm_text_facts facts;
	struct svm_parameter param;
	struct svm_model *svm;
	const char *why;
	char *text;
	size_t len;
	int r;

	if (cancelled(t))
		return fail(t, -ECANCELED, "training cancelled");
	progress(t, "final model", t->points);
	params(t, best, &param);
	why = svm_check_parameter(&all, &param);
	if (why) {
		model_err(t->err, t->errlen, "libsvm refuses the parameters: %s", why);
		return -EINVAL;
	}
	svm = svm_train(&all, &param);
	if (!svm)
		return fail(t, -ENOMEM, "out of memory");
	r = svm_text_save(svm, &text, &len);
	svm_free_and_destroy_model(&svm);
	if (r < 0)
		return fail(t, r, "the model could not be saved as text");
	r = svm_text_check(text, len, t->ds->nfeatures, &facts, t->err, t->errlen);
	if (r == 0)
		r = model_from_checked(text, len, &facts, m);
	free(text);
	if (r == -E2BIG)
		return fail(t, r, "the trained model's text is over the size limit");
	if (r == -ENOMEM)
		return fail(t, r, "out of memory");
	if (r < 0) /* the check's message says what was wrong with the text */
		return r;
	m->info.c = param.C;
	m->info.epsilon = t->kind == MLFS_MODEL_REGRESS ? param.p : 0;
	if (t->kind == MLFS_MODEL_CLASSIFY)
		m->info.cv_accuracy = t->score[best];
	else
		m->info.cv_mse = t->score[best];
	return 0;
}

static void train_fini(struct train *t)
{
	unsigned f;

	if (t->train) {
		for (f = 0; f < t->folds; f++) {
			free(t->train[f].x);
			free(t->train[f].y);
		}
	}
	free(t->train);
	free(t->test);
	free(t->test_start);
	free(t->score);
	free(t->parts);
	free(t->folds_left);
	free(t->fold);
	free(t->y);
	free(t->x);
	free(t->space);
	free(t->rows);
	free(t->stratum);
	free(t->labels);
	pthread_mutex_destroy(&t->lock);
}

int mlfs_model_train(const struct mlfs_dataset *ds, const struct mlfs_train_options *opts,
		     struct mlfs_model **ret_model, char *err, size_t errlen)
{
	struct train t = { .opts = opts, .err = err, .errlen = errlen, .ds = ds };
	struct mlfs_model *m = NULL;
	uint64_t rng = opts->seed;
	double t0 = now_s();
	unsigned best = 0;
	int r;

	pthread_mutex_init(&t.lock, NULL);
	model_libsvm_quiet();
	r = check_options(&t);
	if (r < 0)
		goto out;
	if (ds->rows == 0) {
		r = fail(&t, -EINVAL, "dataset has no rows");
		goto out;
	}
	r = choose_kind(&t);
	if (r < 0)
		goto out;
	r = sample(&t, &rng);
	if (r < 0)
		goto out;
	if (t.n > INT_MAX) {
		r = fail(&t, -EINVAL, "more rows than libsvm can count: lower rows_max");
		goto out;
	}
	if (t.n < t.folds) {
		model_err(err, errlen, "dataset has %zu rows, fewer than the %u folds", t.n,
			  t.folds);
		r = -EINVAL;
		goto out;
	}
	r = prepare(&t, &rng);
	if (r < 0)
		goto out;
	r = search(&t, &best);
	if (r < 0)
		goto out;
	m = calloc(1, sizeof(*m));
	if (!m) {
		r = fail(&t, -ENOMEM, "out of memory");
		goto out;
	}
	m->scale = t.scale;
	r = final_model(&t, best, m);
	if (r < 0)
		goto out_free_model;
	m->row_features = ds->nfeatures;
	m->info.trained = true;
	m->info.rows_used = t.n;
	m->info.nfeatures = ds->nfeatures;
	m->info.seconds = now_s() - t0;
	*ret_model = m;
	m = NULL;
out_free_model:
	mlfs_model_free(m);
out:
	train_fini(&t);
	return r;
}
