/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The model benchmarks' rows: 8 features and a class label, a pure function of
 * the row number, so that every side of a benchmark (CSV through the mount,
 * libsvm in-process, scikit-learn, the fake kernel's samples) sees the same
 * data. Features lie on a grid of thousandths in [-1, 1] (a kernel sends them as
 * fixed point with scale 1000); the label is which side of a curved boundary the
 * row falls on, with 5% of labels flipped, so no model is right on every row.
 */
#ifndef MLFS_BENCH_ML_ROWS_H
#define MLFS_BENCH_ML_ROWS_H

#include <stdint.h>

#include "bench_rows.h"

#define ML_FEATURES 8
#define ML_FLIP_PERCENT 5
#define ML_FIXED_SCALE 1000 /* features are ml_fixed() / ML_FIXED_SCALE */

/* Feature @j of row @i as fixed point: an integer in [-1000, 1000]. */
static inline int64_t ml_fixed(uint64_t i, unsigned j)
{
	return (int64_t)(bench_mix(i * ML_FEATURES + j + 0x5eed0000ull) % 2001) - 1000;
}

/* Row @i: its features in @x, its label (0 or 1) returned. */
static inline int ml_row(uint64_t i, double x[ML_FEATURES])
{
	double s;
	unsigned j;

	for (j = 0; j < ML_FEATURES; j++)
		x[j] = (double)ml_fixed(i, j) / ML_FIXED_SCALE;
	s = x[0] + 2 * x[1] - x[2] + 2 * x[3] * x[4] - x[5] * x[5] + 0.5 * x[6] * x[7] + 0.3;
	if (bench_mix(i ^ 0xf11bull) % 100 < ML_FLIP_PERCENT)
		s = -s;
	return s > 0;
}

#endif
