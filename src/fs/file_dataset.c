// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/dataset and dataset.svm: the subsystem's rows streamed from a snapshot
 * as CSV (with a header) or in libsvm's sparse format; and, for subsystems made
 * with mkdir, CSV appended by users. Each write is parsed whole before any of it
 * is queued, so a write that fails changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"

struct dataset_file {
	/* reading */
	struct mlfs_cursor *cursor;
	bool svm;
	bool header_done;
	bool rows_done;

	/* writing */
	char *partial; /* the last line, still without its newline */
	size_t partial_len;
	uint64_t lines;  /* complete lines taken, for error messages */
	uint64_t ticket; /* newest batch queued from this file */
	int result;      /* the first failed commit of this file's rows, reported once */
	struct mlfs_columns *cols; /* the subsystem's columns, or the header awaiting them */
	bool header_pending;       /* cols holds a header whose table is not created yet */
	struct mlfs_value row[MLFS_COLUMNS_MAX];
};

static int dataset_open_common(struct fs_file *f, int flags, bool svm)
{
	struct dataset_file *d = calloc(1, sizeof(*d));
	int r = 0;

	if (!d)
		return -ENOMEM;
	d->svm = svm;
	f->priv = d;
	if ((flags & O_ACCMODE) != O_WRONLY)
		r = mlfs_cursor_open(f->fs->store, f->ss, &d->cursor);
	if (r == 0 && (flags & O_ACCMODE) != O_RDONLY) {
		d->cols = malloc(sizeof(*d->cols));
		if (!d->cols)
			r = -ENOMEM;
		else
			mlfs_subsys_columns(f->ss, d->cols);
	}
	return r;
}

static int dataset_open(struct fs_file *f, int flags)
{
	return dataset_open_common(f, flags, false);
}

static int dataset_svm_open(struct fs_file *f, int flags)
{
	return dataset_open_common(f, flags, true);
}

static void dataset_release(struct fs_file *f)
{
	struct dataset_file *d = f->priv;

	if (!d)
		return;
	mlfs_cursor_close(d->cursor);
	free(d->partial);
	free(d->cols);
	free(d);
}

/* ---- reading ---- */

static ssize_t dataset_produce(struct fs_file *f, char *buf, size_t cap)
{
	struct dataset_file *d = f->priv;
	const struct mlfs_columns *cols = mlfs_cursor_columns(d->cursor);
	size_t n = 0, row_max = MLFS_ROW_TEXT_MAX(cols->n);
	const struct mlfs_value *row;
	int r;

	if (cols->n == 0)
		return 0;
	if (!d->svm && !d->header_done) {
		r = mlfs_csv_format_header(cols->names, cols->n, buf, cap);
		if (r < 0)
			return r;
		d->header_done = true;
		n = (size_t)r;
	}
	while (!d->rows_done && cap - n >= row_max) {
		r = mlfs_cursor_next(d->cursor, &row);
		if (r < 0)
			return n ? (ssize_t)n : r;
		if (r == 0) {
			d->rows_done = true;
			break;
		}
		if (d->svm)
			n += mlfs_svm_format_row(row, cols->n, cols->target, buf + n);
		else
			n += mlfs_csv_format_row(row, cols->n, buf + n);
	}
	if (n == 0 && !d->rows_done)
		return -ENOSPC;
	return (ssize_t)n;
}

static int dataset_rewind(struct fs_file *f)
{
	struct dataset_file *d = f->priv;

	d->header_done = false;
	d->rows_done = false;
	return mlfs_cursor_rewind(d->cursor);
}

/* ---- writing ---- */

/* Complete lines of one write: the saved partial line joined to its rest, then the buffer. */
struct line_iter {
	const char *joined;
	size_t joined_len;
	const char *p, *end;
};

static bool line_next(struct line_iter *it, const char **ret_line, size_t *ret_len)
{
	const char *nl;

	if (it->joined) {
		*ret_line = it->joined;
		*ret_len = it->joined_len;
		it->joined = NULL;
		return true;
	}
	nl = it->p < it->end ? memchr(it->p, '\n', (size_t)(it->end - it->p)) : NULL;
	if (!nl)
		return false;
	*ret_line = it->p;
	*ret_len = (size_t)(nl - it->p);
	it->p = nl + 1;
	return true;
}

static bool line_blank(const char *line, size_t len)
{
	return len == 0 || (len == 1 && line[0] == '\r');
}

static void log_line_error(struct fs_file *f, uint64_t line, const char *msg)
{
	mlfs_log(LOG_WARNING, "%s/dataset: line %llu: %s", mlfs_subsys_name(f->ss),
		 (unsigned long long)line, msg);
}

static unsigned target_index(const struct mlfs_columns *cols)
{
	unsigned i;

	for (i = 0; i < cols->n; i++)
		if (strcmp(cols->names[i], "target") == 0)
			return i;
	return cols->n - 1;
}

/* A header line: the columns of a new dataset, or a repeat of the existing ones. */
static int take_header(struct fs_file *f, const char *line, size_t len, uint64_t line_no)
{
	struct dataset_file *d = f->priv;
	char names[MLFS_COLUMNS_MAX][MLFS_COLUMN_NAME_MAX + 1];
	struct mlfs_parse_error err = { 0 };
	int n, i;

	n = mlfs_csv_parse_header(line, len, names, MLFS_COLUMNS_MAX, &err);
	if (n < 0) {
		log_line_error(f, line_no, err.msg);
		return n;
	}
	if (d->cols->n == 0) {
		d->cols->n = (unsigned)n;
		for (i = 0; i < n; i++) {
			memcpy(d->cols->names[i], names[i], sizeof(names[i]));
			d->cols->types[i] = MLFS_VALUE_INT;
		}
		d->cols->target = target_index(d->cols);
		d->header_pending = true;
		return 0;
	}
	for (i = 0; i < n && (unsigned)n == d->cols->n; i++)
		if (strcmp(names[i], d->cols->names[i]) != 0)
			break;
	if ((unsigned)n != d->cols->n || i < n) {
		log_line_error(f, line_no, "header does not match the dataset's columns");
		return -EINVAL;
	}
	return 0;
}

/* A new dataset's column types: REAL where any row of its first rows holds a real. */
static void infer_types(struct mlfs_columns *cols, const struct mlfs_batch *batch)
{
	unsigned row, col;

	for (row = 0; row < mlfs_batch_rows(batch); row++)
		for (col = 0; col < cols->n; col++)
			if (mlfs_batch_cell(batch, row, col)->type == MLFS_VALUE_REAL)
				cols->types[col] = MLFS_VALUE_REAL;
}

static int define_pending(struct fs_file *f)
{
	struct dataset_file *d = f->priv;
	int r;

	d->header_pending = false;
	r = mlfs_store_subsys_define(f->fs->store, f->ss, d->cols);
	if (r == -EEXIST)
		mlfs_log(LOG_WARNING, "%s/dataset: header does not match the columns another "
				      "writer defined first", mlfs_subsys_name(f->ss));
	else if (r < 0)
		mlfs_log(LOG_ERR, "%s/dataset: cannot create the table: %s", mlfs_subsys_name(f->ss),
			 strerror(-r));
	/* Whoever defined first decided the columns and their types. */
	mlfs_subsys_columns(f->ss, d->cols);
	return r == -EEXIST ? -EINVAL : r;
}

/*
 * Parse every complete line of @it into one batch, and only when all are good,
 * define a new dataset's columns and queue the rows.
 */
static int take_lines(struct fs_file *f, struct line_iter it, unsigned max_rows)
{
	struct dataset_file *d = f->priv;
	bool undefined = d->cols->n == 0 || d->header_pending, defined = false;
	bool was_pending = d->header_pending;
	struct mlfs_columns saved_header;
	struct mlfs_batch *batch = NULL;
	struct mlfs_parse_error err;
	uint64_t line_no = d->lines;
	const char *line;
	size_t len;
	int r = 0;

	if (undefined)
		saved_header = *d->cols;
	while (r == 0 && line_next(&it, &line, &len)) {
		struct mlfs_value *cells;

		line_no++;
		if (len > MLFS_LINE_MAX) {
			log_line_error(f, line_no, "line is longer than 65536 bytes");
			r = -EINVAL;
			break;
		}
		if (line_blank(line, len))
			continue;
		if (mlfs_csv_is_header(line, len)) {
			r = take_header(f, line, len, line_no);
			continue;
		}
		if (d->cols->n == 0) {
			log_line_error(f, line_no, "a new dataset's first line must be a header "
						   "naming its columns, e.g. a,b,target");
			r = -EINVAL;
			break;
		}
		if (!batch && !(batch = mlfs_batch_new(f->ss, d->cols->n, max_rows))) {
			r = -ENOMEM;
			break;
		}
		cells = mlfs_batch_append(batch);
		memset(&err, 0, sizeof(err));
		r = mlfs_csv_parse_row(line, len, d->cols->n, cells, &err);
		if (r < 0)
			log_line_error(f, line_no, err.msg);
	}
	if (r == 0 && d->header_pending && batch) {
		infer_types(d->cols, batch);
		r = define_pending(f);
		defined = r == 0;
	}
	if (r < 0) {
		/* A failed write leaves no trace, not even the header it carried. */
		if (undefined && !defined) {
			*d->cols = saved_header;
			d->header_pending = was_pending;
		}
		mlfs_batch_free(batch);
		return r;
	}
	d->lines = line_no;
	if (!batch)
		return 0;
	mlfs_batch_set_result(batch, &d->result);
	r = mlfs_store_ingest(f->fs->store, batch, MLFS_INGEST_WAIT, &d->ticket);
	if (r < 0)
		mlfs_log(LOG_ERR, "%s/dataset: rows not queued: %s", mlfs_subsys_name(f->ss),
			 strerror(-r));
	return r;
}

/* Take the complete lines of @buf, keeping its unterminated end for the next write. */
static int dataset_take(struct fs_file *f, const char *buf, size_t len)
{
	struct dataset_file *d = f->priv;
	struct line_iter it = { .p = buf, .end = buf + len };
	const char *first_nl, *last_nl, *p;
	unsigned lines = 0;
	char *joined = NULL;
	size_t tail;
	int r;

	if (mlfs_subsys_removed(f->ss))
		return -ENOENT;
	/* Another writer may have given the dataset its columns since this file was opened. */
	if (d->cols->n == 0)
		mlfs_subsys_columns(f->ss, d->cols);
	if (memchr(buf, '\0', len)) {
		log_line_error(f, d->lines + 1, "NUL byte in CSV text");
		return -EINVAL;
	}
	first_nl = memchr(buf, '\n', len);
	if (!first_nl) {
		if (d->partial_len + len > MLFS_LINE_MAX) {
			log_line_error(f, d->lines + 1, "line is longer than 65536 bytes");
			return -EINVAL;
		}
		p = realloc(d->partial, d->partial_len + len);
		if (!p)
			return -ENOMEM;
		d->partial = (char *)p;
		memcpy(d->partial + d->partial_len, buf, len);
		d->partial_len += len;
		return 0;
	}
	for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		lines++;
	last_nl = memrchr(buf, '\n', len);
	tail = len - (size_t)(last_nl + 1 - buf);
	if (tail > MLFS_LINE_MAX) {
		log_line_error(f, d->lines + lines + 1, "line is longer than 65536 bytes");
		return -EINVAL;
	}
	if (d->partial_len > 0) {
		size_t head = (size_t)(first_nl - buf);

		joined = malloc(d->partial_len + head);
		if (!joined)
			return -ENOMEM;
		memcpy(joined, d->partial, d->partial_len);
		memcpy(joined + d->partial_len, buf, head);
		it.joined = joined;
		it.joined_len = d->partial_len + head;
		it.p = first_nl + 1;
	}
	it.end = last_nl + 1;
	r = take_lines(f, it, lines);
	free(joined);
	if (r < 0)
		return r;

	/* Only now is the new partial line kept: a failed write leaves the old one. */
	d->partial_len = 0;
	if (tail > 0) {
		char *t = realloc(d->partial, tail);

		if (!t)
			return -ENOMEM;
		d->partial = t;
		memcpy(d->partial, last_nl + 1, tail);
		d->partial_len = tail;
	}
	return 0;
}

static int dataset_write(struct fs_file *f, const char *buf, size_t len)
{
	int r = dataset_take(f, buf, len);

	if (r == 0)
		mlfs_subsys_count_bytes(f->ss, len);
	return r;
}

static int dataset_flush(struct fs_file *f)
{
	struct dataset_file *d = f->priv;
	int r = 0;

	if (!d->cols)
		return 0;
	/*
	 * A last line without a newline is still a line. Every close ends the line,
	 * also that of a duplicated descriptor: FUSE cannot tell which close is the last.
	 */
	if (d->partial_len > 0) {
		r = dataset_take(f, "\n", 1);
		d->partial_len = 0;
	}
	if (r == 0 && d->header_pending)
		r = define_pending(f);
	mlfs_store_wait(f->fs->store, d->ticket);
	if (r == 0) {
		r = d->result;
		d->result = 0;
	}
	return r;
}

static int dataset_fsync(struct fs_file *f)
{
	struct dataset_file *d = f->priv;
	int r;

	if (!d->cols)
		return 0;
	mlfs_store_wait(f->fs->store, d->ticket);
	r = mlfs_store_sync(f->fs->store);
	if (r == 0) {
		r = d->result;
		d->result = 0;
	}
	return r;
}

const struct fs_file_ops fs_dataset_ops = {
	.name = "dataset",
	.category = "datasets",
	.mode = 0644,
	.blocking = true,
	.open = dataset_open,
	.produce = dataset_produce,
	.rewind = dataset_rewind,
	.write = dataset_write,
	.flush = dataset_flush,
	.fsync = dataset_fsync,
	.release = dataset_release,
};

const struct fs_file_ops fs_dataset_svm_ops = {
	.name = "dataset.svm",
	.mode = 0444,
	.blocking = true,
	.open = dataset_svm_open,
	.produce = dataset_produce,
	.rewind = dataset_rewind,
	.release = dataset_release,
};
