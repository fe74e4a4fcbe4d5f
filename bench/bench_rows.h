/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The benchmark's rows: 8 integer columns whose values are a pure function of the
 * row and column numbers, so that gen_rows (CSV through the mount and the sqlite3
 * CLI) and bench_store_ingest (the store's C API and the plain SQLite loop) work on
 * exactly the same data in every run.
 */
#ifndef MLFS_BENCH_ROWS_H
#define MLFS_BENCH_ROWS_H

#include <stdint.h>

#define BENCH_COLS 8

/* Column names; the last is the training target. */
static const char *const bench_col_names[BENCH_COLS] = {
	"f1", "f2", "f3", "f4", "f5", "f6", "f7", "target",
};

/*
 * Value range of each column, [lo, lo + span): a mix of widths like a kernel
 * subsystem's counters (flags, sizes, latencies), about 47 CSV bytes per row.
 */
static const struct {
	int64_t lo;
	uint64_t span;
} bench_col_range[BENCH_COLS] = {
	{ 0, 100 },	      /* f1: a percentage */
	{ 0, 10000 },	      /* f2: a queue depth */
	{ 0, 1000000 },	      /* f3: a latency in ns */
	{ -500000, 1000000 }, /* f4: a signed delta */
	{ 0, 100000000 },     /* f5: a byte count */
	{ 0, 10 },	      /* f6: a small enum */
	{ 0, 2147483648u },   /* f7: a 31-bit hash */
	{ 0, 2 },	      /* target: the label */
};

/* splitmix64: cheap, well mixed, and the same on every machine. */
static inline uint64_t bench_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The value of column @col (0-based) of row @row (0-based). */
static inline int64_t bench_value(uint64_t row, unsigned col)
{
	uint64_t h = bench_mix(row * BENCH_COLS + col);

	return bench_col_range[col].lo + (int64_t)(h % bench_col_range[col].span);
}

#endif
