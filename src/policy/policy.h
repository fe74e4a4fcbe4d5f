/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The mode policy of the ML proxy: which arm (the default algorithm or the
 * model) makes each decision, the efficiency of each arm over windows, and the
 * mode changes that follow from it. Plain C without libc or floating point: the
 * same source runs in the kernel module and in user space. Not thread-safe: the
 * caller serialises the calls for one policy.
 */
#ifndef MLFS_POLICY_H
#define MLFS_POLICY_H

#include "mode.h"
#include "policy_types.h"

/* Why the mode is what it is. */
enum mlfs_reason {
	MLFS_REASON_REGISTERED,  /* the subsystem's initial mode */
	MLFS_REASON_USER,        /* set through sysfs, the daemon or the mode file */
	MLFS_REASON_ML_WORSE,    /* ML worse than the default by more than the margin */
	MLFS_REASON_ML_BETTER,   /* ML better over enough windows: promoted */
	MLFS_REASON_DAEMON_GONE, /* user space closed the device */
	MLFS_REASON_DAEMON_BACK, /* user space is back */
	MLFS_REASON_OVERLOAD,    /* samples were dropped: the reader cannot keep up */
	MLFS_REASON_RECOVERED,   /* a window without drops after an overload */
	MLFS_REASON_MAX,
};

/* A short phrase for @reason, e.g. "ML worse than default". */
const char *mlfs_reason_text(enum mlfs_reason reason);

enum mlfs_policy_arm {
	MLFS_POLICY_DEFAULT,
	MLFS_POLICY_ML,
	MLFS_POLICY_ARMS,
};

#define MLFS_POLICY_LOWER_IS_BETTER (1u << 0) /* outcome metrics are costs */
#define MLFS_POLICY_PROMOTE (1u << 1)         /* windows may promote the mode */

struct mlfs_policy_config {
	u32 learning_permille; /* share of decisions the model gets in learning mode */
	u32 window;            /* outcomes that make a window */
	u32 margin_pct;        /* how much worse ML may be before a demotion */
	u32 min_outcomes;      /* per arm, for a window to be judged */
	u32 promote_windows;   /* consecutive better windows before a promotion */
	u32 overload_drops;    /* drops within a window that mean overload; 0: never */
	u32 flags;             /* MLFS_POLICY_* */
};

/* 10% in learning, windows of 64 outcomes, 10% margin, 8 outcomes, 3 windows, 64 drops. */
void mlfs_policy_config_default(struct mlfs_policy_config *cfg);

struct mlfs_policy_arm_stats {
	u64 decisions;
	u64 outcomes;
	s64 metric_sum;
};

struct mlfs_policy {
	struct mlfs_policy_config cfg;
	enum mlfs_mode mode;
	enum mlfs_reason reason;
	enum mlfs_mode resume; /* the mode to come back to after the daemon returns */
	bool connected;        /* user space is there to make recommendations */
	u64 rng;
	s64 rec_min, rec_max;
	bool have_rec;
	s64 rec_value;
	u64 rec_id;
	u64 decisions;
	u64 window; /* windows closed so far */
	struct mlfs_policy_arm_stats arms[MLFS_POLICY_ARMS];
	bool have_baseline; /* the default arm's mean of its last judged window */
	s64 baseline;
	u32 better_windows;
	u32 drops; /* in the current window */
};

struct mlfs_decision {
	s64 value;
	enum mlfs_policy_arm arm;
	u64 recommendation; /* id of the recommendation used, 0 for the default arm */
	u64 number;         /* the decision's number, from 1 */
};

/* What a call changed, for the caller to report (records, logs, sysfs). */
struct mlfs_policy_event {
	bool mode_changed;
	enum mlfs_mode mode;
	enum mlfs_reason reason;
	bool window_closed;
	u64 window;
	enum mlfs_mode window_mode;
	struct mlfs_policy_arm_stats arms[MLFS_POLICY_ARMS];
};

/*
 * mlfs_policy_init() - a policy in @mode with no recommendation yet, for values in
 * [@rec_min, @rec_max]. @seed feeds the random split (any value, 0 included).
 * The daemon counts as connected.
 */
void mlfs_policy_init(struct mlfs_policy *p, const struct mlfs_policy_config *cfg,
		      enum mlfs_mode mode, s64 rec_min, s64 rec_max, u64 seed);

/*
 * mlfs_policy_decide() - the value to use, given what the default algorithm wants.
 * The model's latest recommendation is used for the share of decisions the mode
 * gives it, and never without a recommendation or without user space.
 */
void mlfs_policy_decide(struct mlfs_policy *p, s64 default_value, struct mlfs_decision *ret);

/* A new recommendation from the model, clamped to the range. @id must not be 0. */
int mlfs_policy_recommend(struct mlfs_policy *p, u64 id, s64 value);

/*
 * mlfs_policy_outcome() - the metric a decision of @arm achieved. Closes the window
 * after cfg.window outcomes, judges it, and may change the mode (see DESIGN.md).
 * @ev (cleared first) says what happened. Returns 0 or -EINVAL for a bad arm.
 */
int mlfs_policy_outcome(struct mlfs_policy *p, enum mlfs_policy_arm arm, s64 metric,
			struct mlfs_policy_event *ev);

/* Set the mode on a user's request. Returns 0 or -EINVAL. */
int mlfs_policy_set_mode(struct mlfs_policy *p, enum mlfs_mode mode,
			 struct mlfs_policy_event *ev);

/*
 * mlfs_policy_connected() - user space came (@up) or went. Gone: emergency, and
 * stale recommendations are forgotten. Back: the mode it had, but never above
 * learning; higher modes come back through promotion or the user.
 */
void mlfs_policy_connected(struct mlfs_policy *p, bool up, struct mlfs_policy_event *ev);

/* @n samples could not be queued for user space: too many in a window mean overload. */
void mlfs_policy_dropped(struct mlfs_policy *p, u32 n, struct mlfs_policy_event *ev);

#endif
