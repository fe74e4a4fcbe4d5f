// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * gen_rows: write the benchmark's rows (bench_rows.h) as CSV with a header line to
 * stdout, fast enough that generating millions of rows costs well under a second.
 *
 *   gen_rows ROWS > rows.csv
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_rows.h"

#define OUT_BUF (1u << 20)
#define ROW_TEXT_MAX (BENCH_COLS * 21 + 1) /* "-9223372036854775808," per column */

static char out[OUT_BUF];

static size_t format_int(int64_t v, char *buf)
{
	char tmp[20];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

static int flush_out(size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(STDOUT_FILENO, out + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)w;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned long long rows, row;
	size_t len = 0;
	unsigned col;
	char *end;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ROWS > rows.csv\n", argv[0]);
		return 2;
	}
	errno = 0;
	rows = strtoull(argv[1], &end, 10);
	if (errno || end == argv[1] || *end) {
		fprintf(stderr, "gen_rows: %s: not a row count\n", argv[1]);
		return 2;
	}
	for (col = 0; col < BENCH_COLS; col++) {
		size_t n = strlen(bench_col_names[col]);

		memcpy(out + len, bench_col_names[col], n);
		len += n;
		out[len++] = col + 1 < BENCH_COLS ? ',' : '\n';
	}
	for (row = 0; row < rows; row++) {
		if (OUT_BUF - len < ROW_TEXT_MAX) {
			r = flush_out(len);
			if (r < 0)
				goto out_fail;
			len = 0;
		}
		for (col = 0; col < BENCH_COLS; col++) {
			len += format_int(bench_value(row, col), out + len);
			out[len++] = col + 1 < BENCH_COLS ? ',' : '\n';
		}
	}
	r = flush_out(len);
	if (r < 0)
		goto out_fail;
	return 0;

out_fail:
	fprintf(stderr, "gen_rows: write: %s\n", strerror(-r));
	return 1;
}
