// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The ML proxy: kernel subsystems publish samples for a model that lives in
 * user space, and decide, per their mode, between their default algorithm and
 * the model's latest recommendation. The proxy measures each arm and reports
 * it back through /dev/mlproxy (mlproxy_dev.c); administrators see and set the
 * mode in /sys/kernel/mlproxy (mlproxy_sysfs.c). This file holds the module,
 * its parameters and the API of mlproxy.h. No call waits for user space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mlproxy_i.h"

static unsigned int ring_records = 512;
module_param(ring_records, uint, 0444);
MODULE_PARM_DESC(ring_records,
		 "Samples and outcomes queued per subsystem: 16-65536 (512)");

static unsigned int learning_permille = 100;
module_param(learning_permille, uint, 0444);
MODULE_PARM_DESC(learning_permille,
		 "Permille of decisions the model gets in learning mode (100)");

static unsigned int window = 64;
module_param(window, uint, 0444);
MODULE_PARM_DESC(window, "Outcomes per efficiency window: 1-1000000 (64)");

static unsigned int margin_pct = 10;
module_param(margin_pct, uint, 0444);
MODULE_PARM_DESC(margin_pct,
		 "Percent the model may trail the default before demotion (10)");

static unsigned int overload_drops = 64;
module_param(overload_drops, uint, 0444);
MODULE_PARM_DESC(overload_drops,
		 "Drops in a window that mean overload, 0 for never (64)");

struct mlproxy mlproxy = {
	.mutex = __MUTEX_INITIALIZER(mlproxy.mutex),
	.subsystems = LIST_HEAD_INIT(mlproxy.subsystems),
	.next_id = 1,
	.queued = ATOMIC_LONG_INIT(0),
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(mlproxy.wq),
};

static bool name_ok(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, MLPROXY_NAME_LEN);
	return len > 0 && len < MLPROXY_NAME_LEN;
}

static int check_desc(const struct mlproxy_subsys_desc *d)
{
	u32 i;

	if (!d || !name_ok(d->name) || d->name[0] == '.' ||
	    strchr(d->name, '/') || !name_ok(d->metric))
		return -EINVAL;
	if (!d->cols || d->ncols < 2 || d->ncols > MLPROXY_COLUMNS_MAX)
		return -EINVAL;
	for (i = 0; i < d->ncols; i++)
		if (!name_ok(d->cols[i].name) || d->cols[i].scale == 0)
			return -EINVAL;
	if (d->rec_min > d->rec_max || d->rec_default < d->rec_min ||
	    d->rec_default > d->rec_max)
		return -EINVAL;
	if ((d->flags & ~MLPROXY_F_ALL) ||
	    ((d->flags & MLPROXY_F_CLASSIFY) && (d->flags & MLPROXY_F_REGRESS)))
		return -EINVAL;
	if ((unsigned int)d->mode >= MLPROXY_MODE_MAX)
		return -EINVAL;
	return 0;
}

static void copy_desc(struct mlproxy_subsys *ss,
		      const struct mlproxy_subsys_desc *d)
{
	u32 i;

	strscpy(ss->name, d->name, sizeof(ss->name));
	strscpy(ss->metric, d->metric, sizeof(ss->metric));
	for (i = 0; i < d->ncols; i++) {
		strscpy(ss->cols[i].name, d->cols[i].name,
			sizeof(ss->cols[i].name));
		ss->cols[i].scale = d->cols[i].scale;
	}
	ss->ncols = d->ncols;
	ss->flags = d->flags;
	ss->rec_min = d->rec_min;
	ss->rec_max = d->rec_max;
	ss->rec_default = d->rec_default;
}

struct mlproxy_subsys *mlproxy_register(const struct mlproxy_subsys_desc *desc)
{
	struct mlfs_policy_config cfg = mlproxy.cfg;
	struct mlproxy_subsys *ss, *other;
	struct mlfs_policy_event ev;
	u32 slot_size;
	u8 *slots;
	int err;

	err = check_desc(desc);
	if (err)
		return ERR_PTR(err);
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return ERR_PTR(-ENOMEM);
	slot_size = max_t(u32, MLPROXY_SAMPLE_SIZE(desc->ncols),
			  sizeof(struct mlproxy_outcome));
	slots = kvcalloc(mlproxy.ring_records, slot_size, GFP_KERNEL);
	if (!slots) {
		kfree(ss);
		return ERR_PTR(-ENOMEM);
	}
	/* From here on, the last kobject_put() frees @ss and @slots. */
	mlproxy_sysfs_init_subsys(ss);
	copy_desc(ss, desc);
	spin_lock_init(&ss->lock);
	mlproxy_ring_init(&ss->data, slots, slot_size, mlproxy.ring_records);
	mlproxy_ring_init(&ss->ctl, &ss->ctl_slots[0][0], MLPROXY_CTL_SLOT_SIZE,
			  MLPROXY_CTL_SLOTS);
	cfg.flags = desc->flags;
	mlfs_policy_init(&ss->policy, &cfg, (enum mlfs_mode)desc->mode,
			 desc->rec_min, desc->rec_max, get_random_u64());

	mutex_lock(&mlproxy.mutex);
	list_for_each_entry(other, &mlproxy.subsystems, node) {
		if (!strcmp(other->name, ss->name)) {
			err = -EEXIST;
			goto out_unlock;
		}
	}
	ss->id = mlproxy.next_id++;
	if (!mlproxy.next_id)
		mlproxy.next_id = 1;
	err = mlproxy_sysfs_add(ss);
	if (err)
		goto out_unlock;
	spin_lock_irq(&ss->lock);
	if (mlproxy.attached) {
		mlproxy_queue_attach(ss);
	} else if (mlproxy.daemon_left) {
		/* Like the others, it waits for the daemon in emergency. */
		mlfs_policy_connected(&ss->policy, false, &ev);
		mlproxy_emit_event(ss, &ev);
	}
	spin_unlock_irq(&ss->lock);
	list_add_tail(&ss->node, &mlproxy.subsystems);
	mutex_unlock(&mlproxy.mutex);
	mlproxy_wake();
	pr_info("%s: registered as subsystem %u, mode %s\n", ss->name, ss->id,
		mlfs_mode_name(ss->policy.mode));
	return ss;

out_unlock:
	mutex_unlock(&mlproxy.mutex);
	kobject_put(&ss->kobj);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(mlproxy_register);

/* An UNREGISTER record for the reader; under mlproxy.mutex. */
static void add_gone(u32 id, u64 seq)
{
	struct mlproxy_gone *g;

	if (mlproxy.ngone == MLPROXY_GONE_MAX) {
		mlproxy.gone_drops++;
		pr_warn_ratelimited("subsystem %u: UNREGISTER lost\n", id);
		return;
	}
	g = &mlproxy.gone[mlproxy.ngone++];
	g->id = id;
	g->seq = seq;
	g->time = ktime_get_real_ns();
	atomic_long_inc(&mlproxy.queued);
}

void mlproxy_unregister(struct mlproxy_subsys *ss)
{
	bool announce;
	u64 seq = 0;

	if (!ss)
		return;
	mutex_lock(&mlproxy.mutex);
	list_del(&ss->node);
	spin_lock_irq(&ss->lock);
	/* A daemon that never read the REGISTER need not hear of the end. */
	announce = ss->attached && !ss->register_pending;
	if (announce)
		seq = ++ss->seq;
	mlproxy_queue_detach(ss);
	spin_unlock_irq(&ss->lock);
	if (announce)
		add_gone(ss->id, seq);
	mutex_unlock(&mlproxy.mutex);
	if (announce)
		mlproxy_wake();
	pr_info("%s: unregistered\n", ss->name);
	mlproxy_sysfs_del(ss);
}
EXPORT_SYMBOL_GPL(mlproxy_unregister);

int mlproxy_publish(struct mlproxy_subsys *ss, const s64 *values, u32 nvalues)
{
	unsigned long flags;
	int ret;

	if (nvalues != ss->ncols)
		return -EINVAL;
	spin_lock_irqsave(&ss->lock, flags);
	ret = mlproxy_emit_sample(ss, values);
	spin_unlock_irqrestore(&ss->lock, flags);
	if (ret != -ENOTCONN)
		mlproxy_wake();
	return ret;
}
EXPORT_SYMBOL_GPL(mlproxy_publish);

void mlproxy_decide(struct mlproxy_subsys *ss, s64 default_value,
		    struct mlproxy_decision *ret)
{
	struct mlfs_decision d;
	unsigned long flags;

	spin_lock_irqsave(&ss->lock, flags);
	mlfs_policy_decide(&ss->policy, default_value, &d);
	ss->stats.decisions[d.arm]++;
	spin_unlock_irqrestore(&ss->lock, flags);
	ret->value = d.value;
	ret->default_value = default_value;
	ret->arm = (enum mlproxy_arm)d.arm;
	ret->recommendation = d.recommendation;
	ret->number = d.number;
}
EXPORT_SYMBOL_GPL(mlproxy_decide);

int mlproxy_report(struct mlproxy_subsys *ss, const struct mlproxy_decision *d,
		   s64 metric)
{
	struct mlfs_policy_event ev;
	unsigned long flags;
	bool attached;

	if ((unsigned int)d->arm >= MLPROXY_ARM_MAX)
		return -EINVAL;
	spin_lock_irqsave(&ss->lock, flags);
	mlfs_policy_outcome(&ss->policy, (enum mlfs_policy_arm)d->arm, metric,
			    &ev);
	ss->stats.outcomes[d->arm]++;
	mlproxy_emit_outcome(ss, d, metric);
	mlproxy_emit_event(ss, &ev);
	attached = ss->attached;
	spin_unlock_irqrestore(&ss->lock, flags);
	if (attached)
		mlproxy_wake();
	return 0;
}
EXPORT_SYMBOL_GPL(mlproxy_report);

/**
 * mlproxy_set_mode() - a user (sysfs or the daemon) sets the mode
 * @ss: the subsystem
 * @mode: the new mode
 *
 * Queues a MODE record with reason "set by user" for the daemon.
 */
void mlproxy_set_mode(struct mlproxy_subsys *ss, enum mlfs_mode mode)
{
	struct mlfs_policy_event ev;
	bool attached;

	spin_lock_irq(&ss->lock);
	mlfs_policy_set_mode(&ss->policy, mode, &ev);
	mlproxy_emit_event(ss, &ev);
	attached = ss->attached;
	spin_unlock_irq(&ss->lock);
	if (attached)
		mlproxy_wake();
}

/**
 * mlproxy_recommend() - the daemon's model recommends a value
 * @ss: the subsystem
 * @rec: a RECOMMEND record that passed mlproxy_record_check()
 */
void mlproxy_recommend(struct mlproxy_subsys *ss,
		       const struct mlproxy_recommend *rec)
{
	spin_lock_irq(&ss->lock);
	mlfs_policy_recommend(&ss->policy, rec->id, rec->value);
	ss->rec_model_version = rec->model_version;
	spin_unlock_irq(&ss->lock);
}

static int __init check_params(void)
{
	if (ring_records < 16 || ring_records > 65536) {
		pr_err("ring_records=%u: want 16 to 65536\n", ring_records);
		return -EINVAL;
	}
	if (learning_permille > 1000) {
		pr_err("learning_permille=%u: want 0 to 1000\n",
		       learning_permille);
		return -EINVAL;
	}
	if (window < 1 || window > 1000000) {
		pr_err("window=%u: want 1 to 1000000\n", window);
		return -EINVAL;
	}
	if (margin_pct > 100) {
		pr_err("margin_pct=%u: want 0 to 100\n", margin_pct);
		return -EINVAL;
	}
	return 0;
}

static int __init mlproxy_init(void)
{
	int err;

	/* The uapi, the policy and the API number these alike. */
	BUILD_BUG_ON((int)MLPROXY_MODE_MAX != (int)MLFS_MODE_MAX);
	BUILD_BUG_ON((int)MLPROXY_MODE_RECOMMENDATION !=
		     (int)MLFS_MODE_RECOMMENDATION);
	BUILD_BUG_ON((int)MLPROXY_ARM_MAX != (int)MLFS_POLICY_ARMS);
	BUILD_BUG_ON((int)MLPROXY_ARM_ML != (int)MLFS_POLICY_ML);
	BUILD_BUG_ON(MLPROXY_F_LOWER_IS_BETTER != MLFS_POLICY_LOWER_IS_BETTER);
	BUILD_BUG_ON(MLPROXY_F_PROMOTE != MLFS_POLICY_PROMOTE);
	BUILD_BUG_ON(sizeof(struct mlproxy_register) > MLPROXY_BOUNCE_SIZE);
	BUILD_BUG_ON(sizeof(struct mlproxy_window) > MLPROXY_CTL_SLOT_SIZE);
	BUILD_BUG_ON(MLPROXY_CTL_MODE_RESERVE >= MLPROXY_CTL_SLOTS);
	/* A subsystem costs under 16 KiB besides its data ring. */
	BUILD_BUG_ON(sizeof(struct mlproxy_subsys) > SZ_16K);

	err = check_params();
	if (err)
		return err;
	mlfs_policy_config_default(&mlproxy.cfg);
	mlproxy.cfg.learning_permille = learning_permille;
	mlproxy.cfg.window = window;
	mlproxy.cfg.margin_pct = margin_pct;
	mlproxy.cfg.overload_drops = overload_drops;
	mlproxy.ring_records = ring_records;

	err = mlproxy_sysfs_init();
	if (err)
		return err;
	err = mlproxy_dev_init();
	if (err)
		goto out_sysfs;
	return 0;

out_sysfs:
	mlproxy_sysfs_fini();
	return err;
}

static void __exit mlproxy_exit(void)
{
	mlproxy_dev_fini();
	/* Subsystems hold references on this module: none can be left. */
	WARN_ON_ONCE(!list_empty(&mlproxy.subsystems));
	mlproxy_sysfs_fini();
}

module_init(mlproxy_init);
module_exit(mlproxy_exit);

MODULE_DESCRIPTION("ML proxy: kernel subsystems and a user-space model");
MODULE_AUTHOR("The mlfs authors");
MODULE_LICENSE("GPL");
