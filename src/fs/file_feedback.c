// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/feedback and feedback/<subsys>: the efficiency log. Reading streams
 * every report as CSV; writing stores a user's or an outside tool's metrics.
 * Each write holds whole lines (a missing last newline is implied), and a write
 * with any bad line stores none of its lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"

#define FEEDBACK_HEADER "time,source,recommendation,arm,metric,value\n"
/* Time, source, id, arm and a metric name around a %.17g value. */
#define FEEDBACK_ROW_MAX 256

/* Most reports one write may carry, so a write is one bounded transaction. */
#define FEEDBACK_WRITE_MAX 4096

struct feedback_file {
	struct mlfs_feedback_cursor *cursor;
	bool header_done;
	bool rows_done;
};

static int feedback_open(struct fs_file *f, int flags)
{
	struct feedback_file *fb = calloc(1, sizeof(*fb));

	if (!fb)
		return -ENOMEM;
	f->priv = fb;
	if ((flags & O_ACCMODE) == O_WRONLY)
		return 0;
	return mlfs_feedback_cursor_open(f->fs->store, f->ss, &fb->cursor);
}

static void feedback_release(struct fs_file *f)
{
	struct feedback_file *fb = f->priv;

	if (!fb)
		return;
	mlfs_feedback_cursor_close(fb->cursor);
	free(fb);
}

static size_t format_row(const struct mlfs_feedback_row *row, char *buf)
{
	struct mlfs_value v = { .r = row->fb.value, .type = MLFS_VALUE_REAL };
	char at[40], id[24] = "";
	size_t n;

	fs_format_time(row->at_ns, at, sizeof(at));
	if (row->fb.recommendation >= 0)
		snprintf(id, sizeof(id), "%lld", (long long)row->fb.recommendation);
	n = (size_t)snprintf(buf, FEEDBACK_ROW_MAX - MLFS_VALUE_TEXT_MAX - 2, "%s,%s,%s,%s,%s,", at,
			     row->source, id, mlfs_arm_name(row->fb.arm), row->fb.metric);
	n += mlfs_value_format(&v, buf + n);
	buf[n++] = '\n';
	return n;
}

static ssize_t feedback_produce(struct fs_file *f, char *buf, size_t cap)
{
	struct feedback_file *fb = f->priv;
	const struct mlfs_feedback_row *row;
	size_t n = 0;
	int r;

	if (!fb->header_done) {
		if (cap < sizeof(FEEDBACK_HEADER))
			return -ENOSPC;
		memcpy(buf, FEEDBACK_HEADER, sizeof(FEEDBACK_HEADER) - 1);
		n = sizeof(FEEDBACK_HEADER) - 1;
		fb->header_done = true;
	}
	while (!fb->rows_done && cap - n >= FEEDBACK_ROW_MAX) {
		r = mlfs_feedback_cursor_next(fb->cursor, &row);
		if (r < 0)
			return n ? (ssize_t)n : r;
		if (r == 0) {
			fb->rows_done = true;
			break;
		}
		n += format_row(row, buf + n);
	}
	if (n == 0 && !fb->rows_done)
		return -ENOSPC;
	return (ssize_t)n;
}

static int feedback_rewind(struct fs_file *f)
{
	struct feedback_file *fb = f->priv;

	fb->header_done = false;
	fb->rows_done = false;
	return mlfs_feedback_cursor_rewind(fb->cursor);
}

static int feedback_write(struct fs_file *f, const char *buf, size_t len)
{
	struct mlfs_feedback *reports;
	struct mlfs_parse_error err;
	const char *p = buf, *end = buf + len;
	unsigned n = 0, line_no = 0;
	int r = 0;

	if (memchr(buf, '\0', len)) {
		mlfs_log(LOG_WARNING, "%s/feedback: NUL byte in feedback text",
			 mlfs_subsys_name(f->ss));
		return -EINVAL;
	}
	reports = malloc(FEEDBACK_WRITE_MAX * sizeof(*reports));
	if (!reports)
		return -ENOMEM;
	while (p < end && r >= 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = (size_t)((nl ? nl : end) - p);

		line_no++;
		memset(&err, 0, sizeof(err));
		if (line_len > MLFS_LINE_MAX) {
			snprintf(err.msg, sizeof(err.msg), "line is longer than 65536 bytes");
			r = -EINVAL;
		} else if (line_len > 0 && !(line_len == 1 && p[0] == '\r')) {
			unsigned room = FEEDBACK_WRITE_MAX - n;

			r = mlfs_feedback_parse_line(p, line_len, reports + n,
						     room < MLFS_FEEDBACK_LINE_METRICS
							     ? room
							     : MLFS_FEEDBACK_LINE_METRICS,
						     &err);
			if (r == -EINVAL && room < MLFS_FEEDBACK_LINE_METRICS)
				snprintf(err.msg, sizeof(err.msg),
					 "more than %d reports in one write", FEEDBACK_WRITE_MAX);
			if (r > 0)
				n += (unsigned)r;
		}
		if (r < 0)
			mlfs_log(LOG_WARNING, "%s/feedback: line %u: %s", mlfs_subsys_name(f->ss),
				 line_no, err.msg);
		p = nl ? nl + 1 : end;
	}
	if (r >= 0 && n > 0) {
		r = mlfs_store_feedback_add(f->fs->store, f->ss, "user", reports, n);
		if (r < 0)
			mlfs_log(LOG_ERR, "%s/feedback: cannot store: %s", mlfs_subsys_name(f->ss),
				 strerror(-r));
	}
	free(reports);
	return r < 0 ? r : 0;
}

const struct fs_file_ops fs_feedback_ops = {
	.name = "feedback",
	.category = "feedback",
	.mode = 0644,
	.blocking = true,
	.open = feedback_open,
	.produce = feedback_produce,
	.rewind = feedback_rewind,
	.write = feedback_write,
	.release = feedback_release,
};
