// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The mode policy. No libc, no floating point, no allocation: it is compiled into
 * the kernel module as it is. Efficiency is the mean outcome metric of an arm
 * over a window, compared in integers.
 */
#include "policy.h"
#include "random.h"

static const char *const reason_texts[MLFS_REASON_MAX] = {
	[MLFS_REASON_REGISTERED] = "registered",
	[MLFS_REASON_USER] = "set by user",
	[MLFS_REASON_ML_WORSE] = "ML worse than default",
	[MLFS_REASON_ML_BETTER] = "ML better than default",
	[MLFS_REASON_DAEMON_GONE] = "daemon gone",
	[MLFS_REASON_DAEMON_BACK] = "daemon back",
	[MLFS_REASON_OVERLOAD] = "overload: samples dropped",
	[MLFS_REASON_RECOVERED] = "no drops for a window",
};

const char *mlfs_reason_text(enum mlfs_reason reason)
{
	if ((unsigned int)reason >= MLFS_REASON_MAX)
		return "unknown";
	return reason_texts[reason];
}

void mlfs_policy_config_default(struct mlfs_policy_config *cfg)
{
	cfg->learning_permille = 100;
	cfg->window = 64;
	cfg->margin_pct = 10;
	cfg->min_outcomes = 8;
	cfg->promote_windows = 3;
	cfg->overload_drops = 64;
	cfg->flags = 0;
}

static u64 next_random(struct mlfs_policy *p)
{
	return mlfs_random_next(&p->rng);
}

static void clear_window(struct mlfs_policy *p)
{
	int a;

	for (a = 0; a < MLFS_POLICY_ARMS; a++) {
		p->arms[a].decisions = 0;
		p->arms[a].outcomes = 0;
		p->arms[a].metric_sum = 0;
	}
	p->drops = 0;
}

static void clear_event(struct mlfs_policy_event *ev)
{
	ev->mode_changed = false;
	ev->window_closed = false;
}

static void change_mode(struct mlfs_policy *p, enum mlfs_mode mode, enum mlfs_reason reason,
			struct mlfs_policy_event *ev)
{
	p->mode = mode;
	p->reason = reason;
	p->better_windows = 0;
	ev->mode_changed = true;
	ev->mode = mode;
	ev->reason = reason;
}

void mlfs_policy_init(struct mlfs_policy *p, const struct mlfs_policy_config *cfg,
		      enum mlfs_mode mode, s64 rec_min, s64 rec_max, u64 seed)
{
	p->cfg = *cfg;
	if (p->cfg.window == 0)
		p->cfg.window = 1;
	if (p->cfg.learning_permille > 1000)
		p->cfg.learning_permille = 1000;
	p->mode = (unsigned int)mode < MLFS_MODE_MAX ? mode : MLFS_MODE_EMERGENCY;
	p->reason = MLFS_REASON_REGISTERED;
	p->resume = p->mode;
	p->connected = true;
	/* xorshift must not start at 0. */
	p->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	p->rec_min = rec_min;
	p->rec_max = rec_max > rec_min ? rec_max : rec_min;
	p->have_rec = false;
	p->rec_value = 0;
	p->rec_id = 0;
	p->decisions = 0;
	p->window = 0;
	p->have_baseline = false;
	p->baseline = 0;
	p->better_windows = 0;
	clear_window(p);
}

static bool use_model(struct mlfs_policy *p)
{
	if (!p->have_rec || !p->connected)
		return false;
	switch (p->mode) {
	case MLFS_MODE_LEARNING:
		return next_random(p) % 1000 < p->cfg.learning_permille;
	case MLFS_MODE_COLLABORATION:
		return next_random(p) >> 63;
	case MLFS_MODE_RECOMMENDATION:
		return true;
	default:
		return false;
	}
}

void mlfs_policy_decide(struct mlfs_policy *p, s64 default_value, struct mlfs_decision *ret)
{
	bool ml = use_model(p);

	ret->number = ++p->decisions;
	ret->arm = ml ? MLFS_POLICY_ML : MLFS_POLICY_DEFAULT;
	ret->value = ml ? p->rec_value : default_value;
	ret->recommendation = ml ? p->rec_id : 0;
	p->arms[ret->arm].decisions++;
}

int mlfs_policy_recommend(struct mlfs_policy *p, u64 id, s64 value)
{
	if (id == 0)
		return -EINVAL;
	if (value < p->rec_min)
		value = p->rec_min;
	if (value > p->rec_max)
		value = p->rec_max;
	p->rec_value = value;
	p->rec_id = id;
	p->have_rec = true;
	return 0;
}

static s64 arm_mean(const struct mlfs_policy_arm_stats *arm)
{
	return mlfs_div_s64(arm->metric_sum, (s64)arm->outcomes);
}

/*
 * True when @ml is worse than @def by more than the margin: below it for a metric
 * where higher is better, above it for a cost. Scaled by 100, so no division.
 */
static bool worse(const struct mlfs_policy *p, s64 ml, s64 def)
{
	s64 margin = (s64)p->cfg.margin_pct;

	if (p->cfg.flags & MLFS_POLICY_LOWER_IS_BETTER)
		return ml * 100 > def * (100 + margin);
	return ml * 100 < def * (100 - margin);
}

static bool better(const struct mlfs_policy *p, s64 ml, s64 def)
{
	s64 margin = (s64)p->cfg.margin_pct;

	if (p->cfg.flags & MLFS_POLICY_LOWER_IS_BETTER)
		return ml * 100 < def * (100 - margin);
	return ml * 100 > def * (100 + margin);
}

static void promote(struct mlfs_policy *p, struct mlfs_policy_event *ev)
{
	if (!(p->cfg.flags & MLFS_POLICY_PROMOTE) || p->mode == MLFS_MODE_RECOMMENDATION)
		return;
	if (++p->better_windows < p->cfg.promote_windows)
		return;
	change_mode(p, p->mode + 1, MLFS_REASON_ML_BETTER, ev);
}

/* The window is over: compare the arms and act on it. */
static void judge_window(struct mlfs_policy *p, struct mlfs_policy_event *ev)
{
	const struct mlfs_policy_arm_stats *def = &p->arms[MLFS_POLICY_DEFAULT];
	const struct mlfs_policy_arm_stats *ml = &p->arms[MLFS_POLICY_ML];
	bool judged_ml = ml->outcomes >= p->cfg.min_outcomes;
	s64 ml_mean, def_mean;

	if (def->outcomes >= p->cfg.min_outcomes) {
		p->baseline = arm_mean(def);
		p->have_baseline = true;
	}
	if (p->mode == MLFS_MODE_EMERGENCY) {
		if (p->reason == MLFS_REASON_OVERLOAD && p->drops == 0)
			change_mode(p, MLFS_MODE_LEARNING, MLFS_REASON_RECOVERED, ev);
		return;
	}
	if (!judged_ml || !p->have_baseline)
		return;
	ml_mean = arm_mean(ml);
	def_mean = p->baseline;
	if (worse(p, ml_mean, def_mean)) {
		p->better_windows = 0;
		if (p->mode != MLFS_MODE_LEARNING)
			change_mode(p, MLFS_MODE_LEARNING, MLFS_REASON_ML_WORSE, ev);
	} else if (better(p, ml_mean, def_mean)) {
		promote(p, ev);
	} else {
		p->better_windows = 0;
	}
}

int mlfs_policy_outcome(struct mlfs_policy *p, enum mlfs_policy_arm arm, s64 metric,
			struct mlfs_policy_event *ev)
{
	int a;

	clear_event(ev);
	if ((unsigned int)arm >= MLFS_POLICY_ARMS)
		return -EINVAL;
	p->arms[arm].outcomes++;
	p->arms[arm].metric_sum += metric;
	if (p->arms[MLFS_POLICY_DEFAULT].outcomes + p->arms[MLFS_POLICY_ML].outcomes <
	    p->cfg.window)
		return 0;

	ev->window_closed = true;
	ev->window = ++p->window;
	ev->window_mode = p->mode;
	for (a = 0; a < MLFS_POLICY_ARMS; a++)
		ev->arms[a] = p->arms[a];
	judge_window(p, ev);
	clear_window(p);
	return 0;
}

int mlfs_policy_set_mode(struct mlfs_policy *p, enum mlfs_mode mode,
			 struct mlfs_policy_event *ev)
{
	clear_event(ev);
	if ((unsigned int)mode >= MLFS_MODE_MAX)
		return -EINVAL;
	p->resume = mode;
	if (mode != p->mode || p->reason != MLFS_REASON_USER)
		change_mode(p, mode, MLFS_REASON_USER, ev);
	return 0;
}

void mlfs_policy_connected(struct mlfs_policy *p, bool up, struct mlfs_policy_event *ev)
{
	enum mlfs_mode back;

	clear_event(ev);
	if (up == p->connected)
		return;
	p->connected = up;
	if (!up) {
		p->have_rec = false;
		if (p->mode != MLFS_MODE_EMERGENCY)
			p->resume = p->mode;
		if (p->mode != MLFS_MODE_EMERGENCY || p->reason != MLFS_REASON_USER)
			change_mode(p, MLFS_MODE_EMERGENCY, MLFS_REASON_DAEMON_GONE, ev);
		return;
	}
	if (p->mode != MLFS_MODE_EMERGENCY || p->reason != MLFS_REASON_DAEMON_GONE)
		return;
	back = p->resume < MLFS_MODE_LEARNING ? p->resume : MLFS_MODE_LEARNING;
	if (back != MLFS_MODE_EMERGENCY)
		change_mode(p, back, MLFS_REASON_DAEMON_BACK, ev);
}

void mlfs_policy_dropped(struct mlfs_policy *p, u32 n, struct mlfs_policy_event *ev)
{
	clear_event(ev);
	p->drops += n;
	if (p->cfg.overload_drops && p->drops >= p->cfg.overload_drops &&
	    p->mode != MLFS_MODE_EMERGENCY) {
		p->resume = p->mode;
		change_mode(p, MLFS_MODE_EMERGENCY, MLFS_REASON_OVERLOAD, ev);
	}
}
