/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The demo subsystem's workload: a synthetic decision, the batch size of a queue,
 * whose best value depends on what the queue sees (load and how sequential it
 * is), while the default heuristic always picks the same size. A model trained
 * on the published samples can therefore beat the default, measurably. No libc:
 * the demo module and the user-space stand-in share it.
 */
#ifndef MLPROXY_DEMO_WORKLOAD_H
#define MLPROXY_DEMO_WORKLOAD_H

#include "policy_types.h"

enum demo_column {
	DEMO_LOAD,       /* requests in the last tick, 0..1023 */
	DEMO_SEQ_PCT,    /* share of sequential requests, 0..100 */
	DEMO_QUEUE,      /* requests waiting, 0..255 */
	DEMO_BEST_BATCH, /* the target: the batch size that would have been best */
	DEMO_COLUMNS,
};

#define DEMO_BATCH_MIN 1
#define DEMO_BATCH_MAX 128
#define DEMO_BATCH_DEFAULT 32

struct demo_workload {
	u64 rng;
	u64 tick;
	s64 load, seq_pct, queue;
};

extern const char *const demo_column_names[DEMO_COLUMNS];

void demo_workload_init(struct demo_workload *w, u64 seed);

/* Advance one tick and fill @row with what the queue saw and the best batch for it. */
void demo_workload_tick(struct demo_workload *w, s64 row[DEMO_COLUMNS]);

/* The default heuristic: one size for everything. */
s64 demo_workload_default(const struct demo_workload *w);

/* Throughput (higher is better) of batch size @batch for the current tick. */
s64 demo_workload_throughput(const struct demo_workload *w, s64 batch);

#endif
