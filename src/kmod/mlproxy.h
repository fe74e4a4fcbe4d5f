/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The in-kernel API of the ML proxy (mlproxy.ko). A kernel subsystem registers
 * the integer features it can publish and the value it decides, publishes
 * samples, asks the proxy which value to use for each decision (its own
 * default algorithm's or the model's latest recommendation, as the mode says)
 * and reports what came of the decision. The model lives in user space, behind
 * /dev/mlproxy; no call here ever waits for it.
 */
#ifndef MLPROXY_H
#define MLPROXY_H

#include <linux/types.h>

#include "uapi/mlproxy.h"

struct mlproxy_subsys;

/**
 * struct mlproxy_column_desc - one column a subsystem publishes
 * @name: column name, 1 to %MLPROXY_NAME_LEN - 1 characters
 * @scale: fixed point scale, not 0: the value is raw / @scale
 */
struct mlproxy_column_desc {
	const char *name;
	u32 scale;
};

/**
 * struct mlproxy_subsys_desc - what a subsystem tells the proxy about itself
 * @name: subsystem name, unique, 1 to %MLPROXY_NAME_LEN - 1 characters, no '/';
 *	also the name of its directory under /sys/kernel/mlproxy
 * @cols: the features, then the target (the value a model learns to
 *	predict) last
 * @ncols: number of @cols, 2 to %MLPROXY_COLUMNS_MAX
 * @metric: name of the outcome metric reported by mlproxy_report()
 * @rec_min: smallest value a decision may take
 * @rec_max: largest value a decision may take
 * @rec_default: what the default algorithm usually picks, within the range
 * @flags: %MLPROXY_F_LOWER_IS_BETTER when the metric is a cost,
 *	%MLPROXY_F_PROMOTE to let good windows promote the mode,
 *	%MLPROXY_F_CLASSIFY or %MLPROXY_F_REGRESS to say what kind of model the
 *	target wants (neither: user space decides from the data)
 * @mode: the mode to start in
 *
 * The proxy copies everything it needs: the descriptor and its strings may go
 * away once mlproxy_register() returns.
 */
struct mlproxy_subsys_desc {
	const char *name;
	const struct mlproxy_column_desc *cols;
	u32 ncols;
	const char *metric;
	s64 rec_min;
	s64 rec_max;
	s64 rec_default;
	u32 flags;
	enum mlproxy_mode mode;
};

/**
 * struct mlproxy_decision - one decision, as mlproxy_decide() made it
 * @value: the value to use
 * @default_value: what the default algorithm wanted
 * @arm: who chose @value: %MLPROXY_ARM_DEFAULT or %MLPROXY_ARM_ML
 * @recommendation: id of the recommendation used, 0 for the default arm
 * @number: the decision's number, from 1
 *
 * Pass it back unchanged to mlproxy_report().
 */
struct mlproxy_decision {
	s64 value;
	s64 default_value;
	enum mlproxy_arm arm;
	u64 recommendation;
	u64 number;
};

/**
 * mlproxy_register() - make a subsystem known to the proxy
 * @desc: what it publishes and decides
 *
 * Creates /sys/kernel/mlproxy/<name> and, when the daemon has /dev/mlproxy
 * open, queues a REGISTER record for it. May sleep.
 *
 * Return: a handle for the other calls, or an ERR_PTR(): -EINVAL for a bad
 * descriptor, -EEXIST when the name is taken, -ENOMEM.
 */
struct mlproxy_subsys *mlproxy_register(const struct mlproxy_subsys_desc *desc);

/**
 * mlproxy_unregister() - remove a subsystem
 * @ss: handle from mlproxy_register(), or NULL
 *
 * Records still queued for @ss are discarded and an UNREGISTER record queued.
 * The caller makes sure that no other call on @ss runs or starts. May sleep.
 */
void mlproxy_unregister(struct mlproxy_subsys *ss);

/**
 * mlproxy_publish() - queue one sample for user space
 * @ss: the subsystem
 * @values: one value per column, the target last
 * @nvalues: number of @values, the subsystem's column count
 *
 * Never sleeps; callable from any context but NMI. When the subsystem's buffer
 * is full the sample is dropped and counted, and the mode policy hears of it
 * (many drops in a window mean overload: emergency mode).
 *
 * Return: 0 when queued, -ENOBUFS when dropped, -ENOTCONN when no daemon has
 * /dev/mlproxy open (nothing is produced for nobody), -EINVAL for a wrong
 * @nvalues.
 */
int mlproxy_publish(struct mlproxy_subsys *ss, const s64 *values, u32 nvalues);

/**
 * mlproxy_decide() - the value to use for one decision
 * @ss: the subsystem
 * @default_value: what the subsystem's default algorithm wants
 * @ret: the decision; report its outcome with mlproxy_report()
 *
 * The model's latest recommendation is used for the share of decisions the
 * mode gives it, and never without a recommendation or without the daemon.
 * Never sleeps; callable from any context but NMI.
 */
void mlproxy_decide(struct mlproxy_subsys *ss, s64 default_value,
		    struct mlproxy_decision *ret);

/**
 * mlproxy_report() - what came of a decision
 * @ss: the subsystem
 * @d: the decision, as mlproxy_decide() filled it
 * @metric: the outcome metric it achieved
 *
 * Feeds the efficiency of the decision's arm, queues an OUTCOME record, and a
 * WINDOW record when this outcome closes a window; a mode change that follows
 * from the window queues a MODE record. Never sleeps; callable from any
 * context but NMI.
 *
 * Return: 0, or -EINVAL for a decision that names no arm.
 */
int mlproxy_report(struct mlproxy_subsys *ss, const struct mlproxy_decision *d,
		   s64 metric);

#endif /* MLPROXY_H */
