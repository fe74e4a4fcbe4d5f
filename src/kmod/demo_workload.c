// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The demo workload: load drifts in slow phases, so consecutive samples look
 * alike and the features predict the best batch size, as in a real queue.
 */
#include "demo_workload.h"
#include "random.h"

const char *const demo_column_names[DEMO_COLUMNS] = {
	[DEMO_LOAD] = "load",
	[DEMO_SEQ_PCT] = "seq_pct",
	[DEMO_QUEUE] = "queue",
	[DEMO_BEST_BATCH] = "best_batch",
};

static u64 next(struct demo_workload *w)
{
	return mlfs_random_next(&w->rng);
}

void demo_workload_init(struct demo_workload *w, u64 seed)
{
	w->rng = seed ? seed : 1;
	w->tick = 0;
	w->load = 256;
	w->seq_pct = 50;
	w->queue = 16;
}

static s64 clamp(s64 v, s64 lo, s64 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The best batch grows with load and with sequential access, shrinks with a deep queue. */
static s64 best_batch(const struct demo_workload *w)
{
	return clamp(4 + w->load / 12 + w->seq_pct / 3 - w->queue / 8, DEMO_BATCH_MIN,
		     DEMO_BATCH_MAX);
}

void demo_workload_tick(struct demo_workload *w, s64 row[DEMO_COLUMNS])
{
	w->tick++;
	/*
	 * A new phase every 64 ticks, small drifts in between: a recommendation made
	 * for one tick still fits the next, as the kernel uses it a tick later.
	 */
	if (w->tick % 64 == 0) {
		w->load = (s64)(next(w) % 1024);
		w->seq_pct = (s64)(next(w) % 101);
		w->queue = (s64)(next(w) % 256);
	}
	w->load = clamp(w->load + (s64)(next(w) % 17) - 8, 0, 1023);
	w->queue = clamp(w->queue + (s64)(next(w) % 9) - 4, 0, 255);
	row[DEMO_LOAD] = w->load;
	row[DEMO_SEQ_PCT] = w->seq_pct;
	row[DEMO_QUEUE] = w->queue;
	row[DEMO_BEST_BATCH] = best_batch(w);
}

s64 demo_workload_default(const struct demo_workload *w)
{
	return DEMO_BATCH_DEFAULT;
}

s64 demo_workload_throughput(const struct demo_workload *w, s64 batch)
{
	s64 miss = batch - best_batch(w);

	if (miss < 0)
		miss = -miss;
	return clamp(10000 - 100 * miss, 100, 10000);
}
