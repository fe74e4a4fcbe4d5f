// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * How long predictions take, kept as a Prometheus histogram per subsystem:
 * counts per upper bound, a count and a sum, so metrics can show the rate and
 * any quantile across scrapes. The bounds span the dense predictor's tens of
 * nanoseconds to a large RBF model's milliseconds.
 */
#include <time.h>

#include "fs_i.h"

const double fs_latency_bounds[FS_LATENCY_BUCKETS] = {
	1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 1e-3, 1e-2,
};

uint64_t fs_latency_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void fs_latency_observe(struct fs_latency *l, uint64_t ns)
{
	double s = (double)ns / 1e9;
	unsigned i;

	/* Each bucket counts what is at most its bound: cumulative, as Prometheus reads it. */
	for (i = 0; i < FS_LATENCY_BUCKETS; i++)
		if (s <= fs_latency_bounds[i])
			l->bucket[i]++;
	l->count++;
	l->sum_seconds += s;
}

void fs_latency_add(struct fs_latency *into, const struct fs_latency *from)
{
	unsigned i;

	for (i = 0; i < FS_LATENCY_BUCKETS; i++)
		into->bucket[i] += from->bucket[i];
	into->count += from->count;
	into->sum_seconds += from->sum_seconds;
}
