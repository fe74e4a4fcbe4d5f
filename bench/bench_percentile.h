/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Latency percentiles for the benchmarks that time round trips one by one.
 */
#ifndef MLFS_BENCH_PERCENTILE_H
#define MLFS_BENCH_PERCENTILE_H

#include <stddef.h>
#include <stdlib.h>

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort @n values ascending, for bench_pct(). */
static inline void bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
}

/* Percentile @p of @n sorted values. */
static inline double bench_pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100 * (double)n);

	return v[k < n ? k : n - 1];
}

#endif
