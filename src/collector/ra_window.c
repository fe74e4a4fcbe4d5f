// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead collector's statistics of one window of one device: plain
 * arithmetic over the events, kept apart from the BPF code so it is tested
 * on its own.
 *
 * The offsets' spread uses Welford's running mean and sum of squares: page
 * offsets reach 2^40, and a sum of their squares would lose all precision.
 */
#include <math.h>
#include <stdbool.h>

#include "collector_i.h"

void ra_window_insert(struct ra_window *w, uint64_t pages)
{
	w->insertions += pages;
}

void ra_window_read(struct ra_window *w, uint64_t pos, uint64_t bytes, unsigned page_size)
{
	uint64_t first = pos / page_size, last = (pos + bytes - 1) / page_size;
	double x = (double)first, d;

	w->accesses += last - first + 1;
	w->bytes += bytes;
	w->reads++;
	d = x - w->mean;
	w->mean += d / (double)w->reads;
	w->m2 += d * (x - w->mean);
	if (w->have_last) {
		w->delta_sum += first > w->last_page ? (double)(first - w->last_page) :
						       (double)(w->last_page - first);
		w->deltas++;
	}
	w->last_page = first;
	w->have_last = true;
}

bool ra_window_active(const struct ra_window *w)
{
	return w->insertions > 0 || w->reads > 0;
}

void ra_window_features(const struct ra_window *w, struct ra_features *ret)
{
	ret->insertions = w->insertions;
	ret->accesses = w->accesses;
	ret->bytes = w->bytes;
	ret->offset_stddev = w->reads > 0 ? sqrt(w->m2 / (double)w->reads) : 0.0;
	ret->delta_mean = w->deltas > 0 ? w->delta_sum / (double)w->deltas : 0.0;
	/*
	 * As cachestat counts: every page inserted is a miss, every other page read
	 * a hit. Pages read ahead in this window and read in the next count as
	 * misses here, hits there.
	 */
	if (w->accesses == 0 || w->insertions >= w->accesses)
		ret->hit_ratio = 0.0;
	else
		ret->hit_ratio = (double)(w->accesses - w->insertions) / (double)w->accesses;
}

void ra_window_next(struct ra_window *w)
{
	uint64_t last = w->last_page;
	bool have_last = w->have_last;

	*w = (struct ra_window){ .last_page = last, .have_last = have_last };
}
