// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead mode gate: the kernel module's mode policy (src/policy, the same
 * source), run in user space for a device no kernel proxy speaks for. Each
 * readahead window of the actuated device is one decision: the value in force
 * during the next window, the model's recommendation or the default (the value
 * the device had when mlfs started), as the mode shares them out: 10% of the
 * windows for the model in learning, a random half in collaboration, all in
 * recommendation, none in emergency, which puts the default back and stops
 * writing. The throughput of the window a value was in force is the outcome of
 * its arm; both go to the feedback file, per window and per efficiency window of
 * RA_GATE_WINDOW decisions, and the models hear of them as of a kernel's.
 *
 * Locking: users' mode changes come from FUSE threads holding the store's
 * db_lock, so the gate's lock is never held while calling the store or the
 * models; what a window produced is stored after the lock is dropped.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/*
 * Before store.h: its MLFS_REASON_MAX (a reason's bytes) is a macro that would
 * rename policy.h's enumerator of the same name, which only policy.c uses.
 */
#include "policy.h"

#include "collector_i.h"

/* Feedback of one window: applied value and throughput, and a closed efficiency window. */
#define GATE_FEEDBACK_MAX 8

struct ra_gate {
	struct mlfs_store *store;
	struct mlfs_subsys *ss; /* a reference */
	struct mlfs_ra_actuator *act;
	struct mlfs_source_listener listener;
	mlfs_collector_log_fn log;

	pthread_mutex_t lock; /* protects what follows */
	struct mlfs_policy policy;
	uint64_t next_id; /* of recommendations, from 1 */
	bool pending;	  /* a decision is in force and awaits its window's outcome */
	struct mlfs_decision decision;
};

/* What one window produced, acted on after the lock is dropped. */
struct gate_report {
	struct mlfs_feedback fb[GATE_FEEDBACK_MAX];
	unsigned nfb;
	bool outcome;
	struct mlfs_decision decision;
	double throughput;
	struct mlfs_policy_event ev;
};

static int gate_set_mode(void *ctx, struct mlfs_subsys *ss, enum mlfs_mode mode)
{
	struct ra_gate *g = ctx;
	struct mlfs_policy_event ev;
	int r;

	pthread_mutex_lock(&g->lock);
	r = mlfs_policy_set_mode(&g->policy, mode, &ev);
	/* The window under way ran partly in the old mode: it judges nothing. */
	g->pending = false;
	if (r == 0 && mode == MLFS_MODE_EMERGENCY)
		ra_actuator_restore(g->act);
	pthread_mutex_unlock(&g->lock);
	return r;
}

int ra_gate_new(const struct bpf_env *env, struct ra_gate **ret)
{
	struct mlfs_mode_owner owner = { .set_mode = gate_set_mode };
	struct mlfs_policy_config cfg;
	struct ra_gate *g = calloc(1, sizeof(*g));
	struct timespec ts;

	if (!g)
		return -ENOMEM;
	g->store = env->store;
	g->ss = mlfs_subsys_ref(env->ss);
	g->act = env->opts->ra_actuator;
	g->listener = env->opts->listener;
	g->log = env->log;
	pthread_mutex_init(&g->lock, NULL);
	mlfs_policy_config_default(&cfg);
	cfg.window = RA_GATE_WINDOW;
	clock_gettime(CLOCK_REALTIME, &ts);
	mlfs_policy_init(&g->policy, &cfg, mlfs_subsys_mode(env->ss), 0, RA_GATE_KB_MAX,
			 (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uint64_t)getpid());
	owner.ctx = g;
	mlfs_subsys_set_mode_owner(g->ss, &owner);
	/* Whatever mode the subsystem was left in, emergency means the default. */
	if (g->policy.mode == MLFS_MODE_EMERGENCY)
		ra_actuator_restore(g->act);
	env->log(LOG_INFO,
		 "%s: the readahead gate acts on %s (default read_ahead_kb %ld), in "
		 "mode %s",
		 mlfs_subsys_name(g->ss), ra_actuator_name(g->act), ra_actuator_default(g->act),
		 mlfs_mode_name(g->policy.mode));
	*ret = g;
	return 0;
}

uint32_t ra_gate_dev(const struct ra_gate *g)
{
	return ra_actuator_dev(g->act);
}

static void add_fb(struct gate_report *rep, int64_t rec, enum mlfs_arm arm, const char *metric,
		   double value)
{
	struct mlfs_feedback *fb = &rep->fb[rep->nfb++];

	fb->recommendation = rec;
	fb->arm = arm;
	snprintf(fb->metric, sizeof(fb->metric), "%s", metric);
	fb->value = value;
}

static enum mlfs_arm arm_of(enum mlfs_policy_arm arm)
{
	return arm == MLFS_POLICY_ML ? MLFS_ARM_ML : MLFS_ARM_DEFAULT;
}

/* The decision in force earned @throughput: its outcome, and the window's, if it closed. */
static void close_decision(struct ra_gate *g, double throughput, struct gate_report *rep)
{
	const struct mlfs_decision *d = &g->decision;
	int64_t rec = d->recommendation ? (int64_t)d->recommendation : -1;
	int a;

	mlfs_policy_outcome(&g->policy, d->arm, (s64)llround(throughput), &rep->ev);
	rep->outcome = true;
	rep->decision = *d;
	rep->throughput = throughput;
	add_fb(rep, rec, arm_of(d->arm), "read_ahead_kb", (double)d->value);
	add_fb(rep, rec, arm_of(d->arm), "throughput", throughput);
	if (!rep->ev.window_closed)
		return;
	add_fb(rep, -1, MLFS_ARM_NONE, "window", (double)rep->ev.window);
	for (a = 0; a < MLFS_POLICY_ARMS; a++) {
		const struct mlfs_policy_arm_stats *st = &rep->ev.arms[a];

		add_fb(rep, -1, arm_of(a), "decisions", (double)st->decisions);
		if (st->outcomes > 0)
			add_fb(rep, -1, arm_of(a), "throughput_mean",
			       (double)st->metric_sum / (double)st->outcomes);
	}
}

/* Store and tell what a window produced; without the gate's lock. */
static void report(struct ra_gate *g, struct gate_report *rep)
{
	const struct mlfs_policy_event *ev = &rep->ev;
	char reason[MLFS_REASON_MAX];
	uint64_t decisions[2];
	double means[2];
	int a, r;

	if (rep->nfb > 0) {
		r = mlfs_store_feedback_add(g->store, g->ss, "collector", rep->fb, rep->nfb);
		if (r < 0)
			g->log(LOG_ERR, "%s: feedback not stored: %s", mlfs_subsys_name(g->ss),
			       strerror(-r));
	}
	if (rep->outcome && g->listener.outcome)
		g->listener.outcome(g->listener.ctx, g->ss, rep->decision.recommendation,
				    rep->decision.arm == MLFS_POLICY_ML,
				    (double)ra_actuator_default(g->act), rep->throughput);
	if (ev->window_closed && g->listener.window) {
		/* The listener's arms: [0] the default, [1] the model. */
		for (a = 0; a < 2; a++) {
			const struct mlfs_policy_arm_stats *st =
				&ev->arms[a ? MLFS_POLICY_ML : MLFS_POLICY_DEFAULT];

			decisions[a] = st->decisions;
			means[a] = st->outcomes ? (double)st->metric_sum / (double)st->outcomes :
						  NAN;
		}
		g->listener.window(g->listener.ctx, g->ss, ev->window_mode, decisions, means,
				   false);
	}
	if (ev->mode_changed) {
		snprintf(reason, sizeof(reason), "collector: %s", mlfs_reason_text(ev->reason));
		r = mlfs_store_mode_set(g->store, g->ss, ev->mode, reason);
		g->log(r < 0 ? LOG_ERR : LOG_INFO, "%s: mode %s, %s%s%s", mlfs_subsys_name(g->ss),
		       mlfs_mode_name(ev->mode), reason, r < 0 ? ": not stored: " : "",
		       r < 0 ? strerror(-r) : "");
	}
}

void ra_gate_window(struct ra_gate *g, const double *x, unsigned n, uint64_t bytes,
		    int64_t window_ns)
{
	double throughput = window_ns > 0 ? (double)bytes * 1e9 / (double)window_ns : 0.0;
	struct gate_report rep = { 0 };
	uint64_t id, version;
	double value;
	bool have_rec;
	int r;

	pthread_mutex_lock(&g->lock);
	id = ++g->next_id;
	pthread_mutex_unlock(&g->lock);
	/* The models may load from the store: asked without the lock. */
	have_rec = g->listener.recommend &&
		   g->listener.recommend(g->listener.ctx, g->ss, x, n, id, &value, &version) == 0 &&
		   isfinite(value);

	pthread_mutex_lock(&g->lock);
	if (g->pending && !ra_actuator_hands_off(g->act))
		close_decision(g, throughput, &rep);
	g->pending = false;
	if (have_rec)
		mlfs_policy_recommend(&g->policy, id, llround(value));
	if (g->policy.mode != MLFS_MODE_EMERGENCY && !ra_actuator_hands_off(g->act)) {
		mlfs_policy_decide(&g->policy, ra_actuator_default(g->act), &g->decision);
		r = ra_actuator_apply(g->act, g->decision.value);
		g->pending = r == 0;
	}
	pthread_mutex_unlock(&g->lock);
	report(g, &rep);
}

void ra_gate_free(struct ra_gate *g)
{
	if (!g)
		return;
	mlfs_subsys_set_mode_owner(g->ss, NULL);
	pthread_mutex_destroy(&g->lock);
	mlfs_subsys_unref(g->ss);
	free(g);
}
