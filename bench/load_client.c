// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The clients of bench/load, one process each, all until a deadline:
 *
 *   load_client write DATASET SECONDS
 *       appends rows "n,x,target" with n = 1, 2, 3, ... in writes of 64 KiB, then
 *       closes (close waits for the commit): every row it counts is committed.
 *   load_client read DATASET STATUS SECONDS
 *       over and over: the subsystem's rows from STATUS, open DATASET, read it to
 *       the end, then STATUS again. A consistent snapshot has its rows' n without
 *       a gap, and as many rows as the table had at some moment between the two
 *       looks at STATUS (rows only grow, or stay at rows_max); the second look
 *       may wait up to 2 s for status to count rows readers can already see.
 *   load_client query RECOMMENDATION SECONDS
 *       one row of features written, one answer read, on one descriptor.
 *
 * Each prints one line of totals on stdout, "key value ..."; each failure is one
 * line on stderr, and the exit status is 1 when there was any.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITE_CHUNK (64 * 1024)
#define READ_CHUNK (256 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int run_write(const char *path, double seconds)
{
	static char buf[WRITE_CHUNK + 128];
	double start = now_s(), end = start + seconds;
	uint64_t n = 0;
	size_t len;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "load write: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	len = (size_t)snprintf(buf, sizeof(buf), "n,x,target\n");
	while (r == 0 && now_s() < end) {
		while (len < WRITE_CHUNK) {
			n++;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%" PRIu64 ",%u,%u\n",
						n, (unsigned)(n * 2654435761u % 1000), (unsigned)(n & 1));
		}
		r = write_all(fd, buf, len);
		len = 0;
	}
	if (r < 0)
		fprintf(stderr, "load write: write: %s\n", strerror(-r));
	if (close(fd) < 0) {
		fprintf(stderr, "load write: close: %s\n", strerror(errno));
		r = -1;
	}
	printf("rows %" PRIu64 " seconds %.3f\n", n, now_s() - start);
	return r < 0;
}

/* The value of "rows:" in a status file, or -1. */
static int64_t status_rows(const char *path)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nrows: ");
	return p ? strtoll(p + 7, NULL, 10) : -1;
}

struct snapshot {
	uint64_t rows, first, last, bytes;
	bool header, gap;
	char line[64]; /* the start of a line that a read split */
	size_t line_len;
};

/* The first field of each complete line; the header is the first line. */
static void scan_line(struct snapshot *s, const char *line)
{
	uint64_t n;

	if (!s->header) {
		s->header = true;
		return;
	}
	n = strtoull(line, NULL, 10);
	if (s->rows == 0)
		s->first = n;
	else if (n != s->last + 1)
		s->gap = true;
	s->last = n;
	s->rows++;
}

static void scan(struct snapshot *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (s->line_len > 0) {
			size_t take = (size_t)(nl - p);

			if (take > sizeof(s->line) - 1 - s->line_len)
				take = sizeof(s->line) - 1 - s->line_len;
			memcpy(s->line + s->line_len, p, take);
			s->line[s->line_len + take] = '\0';
			scan_line(s, s->line);
			s->line_len = 0;
		} else {
			scan_line(s, p);
		}
		p = nl + 1;
	}
	if (p < end) {
		size_t take = (size_t)(end - p);

		if (take > sizeof(s->line) - 1 - s->line_len)
			take = sizeof(s->line) - 1 - s->line_len;
		memcpy(s->line + s->line_len, p, take);
		s->line_len += take;
	}
}

static int run_read(const char *path, const char *status, double seconds)
{
	static char buf[READ_CHUNK];
	double start = now_s(), end = start + seconds;
	uint64_t snapshots = 0, rows = 0, bytes = 0, errors = 0;
	int64_t before, after;

	while (now_s() < end) {
		struct snapshot s = { 0 };
		ssize_t n;
		int fd;

		before = status_rows(status);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "load read: open %s: %s\n", path, strerror(errno));
			errors++;
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			scan(&s, buf, (size_t)n);
			s.bytes += (uint64_t)n;
		}
		if (n < 0) {
			fprintf(stderr, "load read: read %s: %s\n", path, strerror(errno));
			errors++;
		}
		close(fd);
		after = status_rows(status);
		/*
		 * The writer counts a commit's rows just after readers can see them: a
		 * writer thread that lost its CPU in between may take a while on a loaded
		 * machine. The count must get there, not merely be there already.
		 */
		for (int i = 0; i < 200 && after >= 0 && (int64_t)s.rows > after; i++) {
			usleep(10000);
			after = status_rows(status);
		}
		if (s.gap || (s.rows && s.last - s.first + 1 != s.rows)) {
			fprintf(stderr, "load read: %" PRIu64 " rows, n from %" PRIu64 " to %" PRIu64
				" with a gap\n", s.rows, s.first, s.last);
			errors++;
		}
		if (before < 0 || after < 0 || (int64_t)s.rows < before ||
		    (int64_t)s.rows > after) {
			fprintf(stderr, "load read: %" PRIu64 " rows, not between the %" PRId64
				" before open and the %" PRId64 " after the read\n", s.rows, before,
				after);
			errors++;
		}
		snapshots++;
		rows += s.rows;
		bytes += s.bytes;
	}
	printf("snapshots %" PRIu64 " rows %" PRIu64 " bytes %" PRIu64 " errors %" PRIu64
	       " seconds %.3f\n", snapshots, rows, bytes, errors, now_s() - start);
	return errors > 0;
}

static int run_query(const char *path, double seconds)
{
	double start = now_s(), end = start + seconds;
	uint64_t queries = 0, errors = 0;
	char answer[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "load query: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (now_s() < end) {
		int r = write_all(fd, "3,7\n", 4);

		n = r == 0 ? read(fd, answer, sizeof(answer) - 1) : -1;
		if (n <= 0 || answer[n - 1] != '\n') {
			fprintf(stderr, "load query: %s\n",
				r < 0 ? strerror(-r) : n < 0 ? strerror(errno) : "no answer");
			errors++;
			if (errors > 10)
				break;
			continue;
		}
		queries++;
	}
	close(fd);
	printf("queries %" PRIu64 " errors %" PRIu64 " seconds %.3f\n", queries, errors,
	       now_s() - start);
	return errors > 0;
}

int main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return run_write(argv[2], atof(argv[3]));
	if (argc == 5 && strcmp(argv[1], "read") == 0)
		return run_read(argv[2], argv[3], atof(argv[4]));
	if (argc == 4 && strcmp(argv[1], "query") == 0)
		return run_query(argv[2], atof(argv[3]));
	fprintf(stderr, "usage: load_client write DATASET SECONDS\n"
			"       load_client read DATASET STATUS SECONDS\n"
			"       load_client query RECOMMENDATION SECONDS\n");
	return 2;
}
