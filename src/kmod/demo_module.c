// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * mlproxy_demo.ko: the subsystem "demo", so the whole loop of the ML proxy can
 * run in a VM. Every interval_ms it ticks the synthetic workload of
 * demo_workload.c: publishes what the queue saw and the batch size that would
 * have been best, asks the proxy which batch size to use (the default
 * heuristic's, or the model's recommendation), and reports the throughput
 * that size achieved.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/workqueue.h>

#include "demo_workload.h"
#include "mlproxy.h"

static unsigned int interval_ms = 10;
module_param(interval_ms, uint, 0444);
MODULE_PARM_DESC(interval_ms, "Milliseconds between ticks: 1-60000 (10)");

static struct mlproxy_subsys *demo_ss;
/* Only the tick touches it, and ticks do not overlap. */
static struct demo_workload demo_wl;
static struct delayed_work demo_work;

static const struct mlproxy_column_desc demo_cols[DEMO_COLUMNS] = {
	[DEMO_LOAD] = { "load", 1 },
	[DEMO_SEQ_PCT] = { "seq_pct", 1 },
	[DEMO_QUEUE] = { "queue", 1 },
	[DEMO_BEST_BATCH] = { "best_batch", 1 },
};

static void demo_tick(struct work_struct *work)
{
	struct mlproxy_decision d;
	s64 row[DEMO_COLUMNS];
	s64 throughput;

	demo_workload_tick(&demo_wl, row);
	mlproxy_publish(demo_ss, row, DEMO_COLUMNS);
	mlproxy_decide(demo_ss, demo_workload_default(&demo_wl), &d);
	throughput = demo_workload_throughput(&demo_wl, d.value);
	mlproxy_report(demo_ss, &d, throughput);
	schedule_delayed_work(&demo_work, msecs_to_jiffies(interval_ms));
}

static int __init demo_init(void)
{
	const struct mlproxy_subsys_desc desc = {
		.name = "demo",
		.cols = demo_cols,
		.ncols = DEMO_COLUMNS,
		.metric = "throughput",
		.rec_min = DEMO_BATCH_MIN,
		.rec_max = DEMO_BATCH_MAX,
		.rec_default = DEMO_BATCH_DEFAULT,
		.flags = MLPROXY_F_REGRESS, /* the best batch is a number */
		.mode = MLPROXY_MODE_LEARNING,
	};

	if (interval_ms < 1 || interval_ms > 60000) {
		pr_err("interval_ms=%u: want 1 to 60000\n", interval_ms);
		return -EINVAL;
	}
	demo_ss = mlproxy_register(&desc);
	if (IS_ERR(demo_ss))
		return PTR_ERR(demo_ss);
	demo_workload_init(&demo_wl, get_random_u64());
	INIT_DELAYED_WORK(&demo_work, demo_tick);
	schedule_delayed_work(&demo_work, msecs_to_jiffies(interval_ms));
	return 0;
}

static void __exit demo_exit(void)
{
	/* No tick may run on a subsystem that is gone. */
	cancel_delayed_work_sync(&demo_work);
	mlproxy_unregister(demo_ss);
}

module_init(demo_init);
module_exit(demo_exit);

MODULE_DESCRIPTION("ML proxy demo subsystem: a synthetic batch-size decision");
MODULE_AUTHOR("The mlfs authors");
MODULE_LICENSE("GPL");
