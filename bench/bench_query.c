// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * bench_query: the model benchmarks' data (bench_ml_rows.h) as CSV, and both
 * sides of the query benchmarks on <subsys>/recommendation.
 *
 *   bench_query gen ROWS [FIRST]            CSV with a header: f1..f8,target
 *   bench_query latency REC FLOOR N FIRST   N queries on REC, each one write(2) of a
 *                                           row and one read(2) of its answer, and
 *                                           interleaved with them N preads of 64
 *                                           bytes of FLOOR, on fds opened once
 *   bench_query batch REC MODEL N FIRST RUNS
 *                                           N rows in one write(2) to REC, answers
 *                                           read back, against svm_predict() in this
 *                                           process on MODEL (libsvm's text) and the
 *                                           same rows; best of RUNS, alternating
 *
 * Query rows are rows FIRST.. of the data, features only. latency prints
 * "floor_p50 US floor_p99 US query_p50 US query_p99 US query_max US write_p50 US
 * write_p99 US" (the write(2) alone, of the query's time); batch prints
 * "mlfs_s S bare_s S rows N svs N differ N", differ counting answers that are
 * not svm_predict()'s value.
 */
#include <errno.h>
#include <fcntl.h>
#include <libsvm/svm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_ml_rows.h"
#include "bench_percentile.h"

#define WARMUP 500
#define ROW_TEXT_MAX (ML_FEATURES * 8 + 8) /* "-1.000," per feature, a label, "\n" */
#define FLOOR_BYTES 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench_query: %s%s%s: %s\n", what, path ? " " : "", path ? path : "",
		strerror(errno));
	exit(1);
}

static unsigned long long number(const char *text)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end) {
		fprintf(stderr, "bench_query: %s: not a number\n", text);
		exit(2);
	}
	return v;
}

/* Fixed point with 3 decimals, as "-0.125": what the store reads as REAL. */
static size_t put_fixed(char *buf, int64_t v)
{
	uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;

	return (size_t)sprintf(buf, "%s%llu.%03llu", v < 0 ? "-" : "",
			       (unsigned long long)(u / ML_FIXED_SCALE),
			       (unsigned long long)(u % ML_FIXED_SCALE));
}

/* Row @i as CSV: its features, and its label when @label. Returns the bytes. */
static size_t row_text(uint64_t i, bool label, char *buf)
{
	double x[ML_FEATURES];
	int y = ml_row(i, x);
	size_t n = 0;
	unsigned j;

	for (j = 0; j < ML_FEATURES; j++) {
		n += put_fixed(buf + n, ml_fixed(i, j));
		buf[n++] = ',';
	}
	if (label)
		n += (size_t)sprintf(buf + n, "%d", y);
	else
		n--;
	buf[n++] = '\n';
	return n;
}

static int gen(uint64_t rows, uint64_t first)
{
	char buf[ROW_TEXT_MAX];
	uint64_t i;

	printf("f1,f2,f3,f4,f5,f6,f7,f8,target\n");
	for (i = first; i < first + rows; i++) {
		size_t n = row_text(i, true, buf);

		fwrite(buf, 1, n, stdout);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int latency(const char *rec, const char *floor, size_t n, uint64_t first)
{
	double *tq = malloc(n * sizeof(*tq)), *tf = malloc(n * sizeof(*tf));
	double *tw = malloc(n * sizeof(*tw));
	char row[ROW_TEXT_MAX], answer[256], scratch[FLOOR_BYTES];
	int qfd = open(rec, O_RDWR | O_CLOEXEC), ffd = open(floor, O_RDONLY | O_CLOEXEC);
	size_t i;

	if (!tq || !tf || !tw)
		die("malloc", NULL);
	if (qfd < 0)
		die("open", rec);
	if (ffd < 0)
		die("open", floor);
	for (i = 0; i < WARMUP + n; i++) {
		size_t len = row_text(first + i, false, row);
		double t0, t1, t2, tm;
		ssize_t got;

		t0 = now_s();
		if (pread(ffd, scratch, sizeof(scratch), 0) <= 0)
			die("pread", floor);
		t1 = now_s();
		if (write(qfd, row, len) != (ssize_t)len)
			die("write", rec);
		tm = now_s();
		got = read(qfd, answer, sizeof(answer));
		t2 = now_s();
		if (got <= 0 || answer[got - 1] != '\n') {
			fprintf(stderr, "bench_query: %s: query %zu: %s\n", rec, i,
				got < 0 ? strerror(errno) : "no whole answer in one read");
			return 1;
		}
		if (i >= WARMUP) {
			tf[i - WARMUP] = (t1 - t0) * 1e6;
			tq[i - WARMUP] = (t2 - t1) * 1e6;
			tw[i - WARMUP] = (tm - t1) * 1e6;
		}
	}
	close(qfd);
	close(ffd);
	bench_sort(tf, n);
	bench_sort(tq, n);
	bench_sort(tw, n);
	printf("floor_p50 %.1f floor_p99 %.1f query_p50 %.1f query_p99 %.1f query_max %.1f "
	       "write_p50 %.1f write_p99 %.1f\n",
	       bench_pct(tf, n, 50), bench_pct(tf, n, 99), bench_pct(tq, n, 50),
	       bench_pct(tq, n, 99), tq[n - 1], bench_pct(tw, n, 50), bench_pct(tw, n, 99));
	free(tq);
	free(tw);
	free(tf);
	return 0;
}

/* The rows as libsvm nodes, zeros left out as libsvm's own files do. */
static struct svm_node **nodes_of(size_t n, uint64_t first)
{
	struct svm_node **rows = malloc(n * sizeof(*rows));
	struct svm_node *space = malloc(n * (ML_FEATURES + 1) * sizeof(*space));
	size_t i;

	if (!rows || !space)
		die("malloc", NULL);
	for (i = 0; i < n; i++) {
		struct svm_node *p = space + i * (ML_FEATURES + 1);
		double x[ML_FEATURES];
		unsigned j, k = 0;

		ml_row(first + i, x);
		rows[i] = p;
		for (j = 0; j < ML_FEATURES; j++) {
			if (x[j] == 0)
				continue;
			p[k].index = (int)j + 1;
			p[k++].value = x[j];
		}
		p[k].index = -1;
	}
	return rows;
}

/* One write of every row, then read(2) to the end: the seconds taken. */
static double time_mlfs(int fd, const char *rows, size_t len, char *out, size_t cap,
			size_t *ret_out_len)
{
	double t0 = now_s();
	size_t got = 0;
	ssize_t r;

	r = write(fd, rows, len);
	if (r != (ssize_t)len) {
		fprintf(stderr, "bench_query: one write of %zu bytes took %zd: %s\n", len, r,
			r < 0 ? strerror(errno) : "short");
		exit(1);
	}
	while ((r = read(fd, out + got, cap - got)) > 0)
		got += (size_t)r;
	if (r < 0)
		die("read", "recommendation");
	*ret_out_len = got;
	return now_s() - t0;
}

static double time_bare(const struct svm_model *svm, struct svm_node **rows, size_t n, double *y)
{
	double t0 = now_s();
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = svm_predict(svm, rows[i]);
	return now_s() - t0;
}

static int batch(const char *rec, const char *model, size_t n, uint64_t first, unsigned runs)
{
	size_t cap = n * 32 + 1, len = 0, out_len = 0, differ = 0, i;
	char *rows = malloc(n * ROW_TEXT_MAX), *out = malloc(cap), *p;
	double *y = malloc(n * sizeof(*y)), best_mlfs = 1e9, best_bare = 1e9;
	struct svm_node **nodes = nodes_of(n, first);
	struct svm_model *svm = svm_load_model(model);
	unsigned run;
	int fd;

	if (!rows || !out || !y)
		die("malloc", NULL);
	if (!svm) {
		fprintf(stderr, "bench_query: %s: libsvm cannot load it\n", model);
		return 1;
	}
	for (i = 0; i < n; i++)
		len += row_text(first + i, false, rows + len);
	fd = open(rec, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open", rec);
	for (run = 0; run < runs; run++) {
		double a, b;

		if (run % 2 == 0) {
			a = time_mlfs(fd, rows, len, out, cap, &out_len);
			b = time_bare(svm, nodes, n, y);
		} else {
			b = time_bare(svm, nodes, n, y);
			a = time_mlfs(fd, rows, len, out, cap, &out_len);
		}
		best_mlfs = a < best_mlfs ? a : best_mlfs;
		best_bare = b < best_bare ? b : best_bare;
	}
	close(fd);
	/* The last run's answers must be svm_predict()'s, one per row. */
	out[out_len] = '\0';
	p = out;
	for (i = 0; i < n; i++) {
		char *end;
		double v = strtod(p, &end);

		if (end == p || *end != '\n') {
			fprintf(stderr, "bench_query: %zu answers for %zu rows\n", i, n);
			return 1;
		}
		differ += v != y[i];
		p = end + 1;
	}
	if (*p) {
		fprintf(stderr, "bench_query: more answers than the %zu rows\n", n);
		return 1;
	}
	printf("mlfs_s %.6f bare_s %.6f rows %zu svs %d differ %zu\n", best_mlfs, best_bare, n,
	       svm_get_nr_sv(svm), differ);
	svm_free_and_destroy_model(&svm);
	free(nodes[0]);
	free(nodes);
	free(rows);
	free(out);
	free(y);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "gen") == 0)
		return gen(number(argv[2]), argc == 4 ? number(argv[3]) : 0);
	if (argc == 6 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], argv[3], number(argv[4]), number(argv[5]));
	if (argc == 7 && strcmp(argv[1], "batch") == 0)
		return batch(argv[2], argv[3], number(argv[4]), number(argv[5]),
			     (unsigned)number(argv[6]));
	fprintf(stderr,
		"usage: %s gen ROWS [FIRST]\n"
		"       %s latency REC FLOOR N FIRST\n"
		"       %s batch REC MODEL N FIRST RUNS\n",
		argv[0], argv[0], argv[0]);
	return 2;
}
