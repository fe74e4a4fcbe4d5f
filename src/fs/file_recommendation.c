// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/recommendation and recommendations/<subsys>. Read alone: the latest
 * recommendation sent to the kernel with its provenance, and the newest one whose
 * decision's outcome came back: whether the kernel used it and what came of it.
 * Opened for writing too: a query, like a pipe: write CSV rows of the features
 * (every column but the target, in order), read one prediction per row, in
 * order, as svm-predict prints them.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"

/* One prediction as text and its newline: %.17g reads back exactly, as svm-predict writes it. */
#define PREDICTION_TEXT_MAX (MLFS_VALUE_TEXT_MAX + 1)

struct query {
	char *out; /* predictions not read yet, or the provenance text */
	size_t len, off, cap;
	char *partial; /* a row still without its newline */
	size_t partial_len;
	unsigned nfeatures;
};

static int out_append(struct query *q, const char *text, size_t len)
{
	if (q->off > 0 && q->off == q->len)
		q->off = q->len = 0;
	if (q->len + len > q->cap) {
		size_t cap = (q->len + len) * 2 + 256;
		char *b = realloc(q->out, cap);

		if (!b)
			return -ENOMEM;
		q->out = b;
		q->cap = cap;
	}
	memcpy(q->out + q->len, text, len);
	q->len += len;
	return 0;
}

static int show_provenance(struct fs_file *f, struct query *q)
{
	struct fs_recommendation rec;
	char text[1024];
	size_t n = 0;
	unsigned i;

	if (!fs_models_last_recommendation(f->fs->models, f->ss, &rec)) {
		n = (size_t)snprintf(text, sizeof(text),
				     "none: no recommendation has been sent (model version %lld)\n",
				     (long long)mlfs_subsys_model_version(f->ss));
		return out_append(q, text, n);
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "id: %llu\nvalue: %.17g\nmodel_version: %lld\nmode: %s\nfeatures: ",
			      (unsigned long long)rec.id, rec.value, (long long)rec.model_version,
			      mlfs_mode_name(rec.mode));
	for (i = 0; i < rec.nfeatures && n < sizeof(text) - 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%.17g", i ? "," : "",
				      rec.features[i]);
	if (rec.outcome_of)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\noutcome_of: %llu\napplied: %s\noutcome: %.17g\n",
				      (unsigned long long)rec.outcome_of, rec.applied ? "yes" : "no",
				      rec.outcome);
	else
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\noutcome_of: -\napplied: unknown\noutcome: -\n");
	return out_append(q, text, n);
}

static int rec_open(struct fs_file *f, int flags)
{
	struct query *q = calloc(1, sizeof(*q));
	struct mlfs_subsys_status st;

	if (!q)
		return -ENOMEM;
	f->priv = q;
	mlfs_subsys_status(f->ss, &st);
	q->nfeatures = st.ncols ? st.ncols - 1 : 0;
	if ((flags & O_ACCMODE) == O_RDONLY)
		return show_provenance(f, q);
	return 0;
}

static int answer_rows(struct fs_file *f, struct fs_model_ref *ref, const char *buf, size_t len);

/* svm-predict's "%.17g", and without printf's cost for whole numbers (every class label). */
static size_t format_prediction(double y, char *buf)
{
	if (y == trunc(y) && fabs(y) < 1e15 && !(y == 0 && signbit(y))) {
		struct mlfs_value v = { .type = MLFS_VALUE_INT, .i = (int64_t)y };

		return mlfs_value_format(&v, buf);
	}
	return (size_t)snprintf(buf, MLFS_VALUE_TEXT_MAX, "%.17g", y);
}

static ssize_t rec_produce(struct fs_file *f, char *buf, size_t cap)
{
	struct query *q = f->priv;
	size_t n;

	/* A last row without its newline is answered when the answers are read. */
	if (q->off == q->len && q->partial_len > 0) {
		struct fs_model_ref *ref = fs_models_get(f->fs->models, f->ss);
		int r = ref ? answer_rows(f, ref, q->partial, q->partial_len) : -ENODATA;

		fs_model_ref_put(ref);
		q->partial_len = 0;
		if (r < 0)
			return r;
	}
	n = q->len - q->off < cap ? q->len - q->off : cap;

	memcpy(buf, q->out + q->off, n);
	q->off += n;
	return (ssize_t)n;
}

static int rec_rewind(struct fs_file *f)
{
	return 0;
}

/* Predict every complete row of @buf; nothing is answered unless all rows parse. */
static int answer_rows(struct fs_file *f, struct fs_model_ref *ref, const char *buf, size_t len)
{
	struct query *q = f->priv;
	struct mlfs_value row[MLFS_COLUMNS_MAX];
	double x[MLFS_COLUMNS_MAX];
	struct mlfs_parse_error err;
	struct fs_latency latency = { 0 };
	const char *p = buf, *end = buf + len;
	uint64_t t0;
	size_t mark = q->len;
	unsigned line = 0, i;
	int r = 0;

	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char text[PREDICTION_TEXT_MAX];
		double y;

		line++;
		if (n == 0 || (n == 1 && p[0] == '\r') || mlfs_csv_is_header(p, n)) {
			p = nl ? nl + 1 : end;
			continue;
		}
		memset(&err, 0, sizeof(err));
		r = mlfs_csv_parse_row(p, n, q->nfeatures, row, &err);
		if (r < 0) {
			mlfs_log(LOG_WARNING, "%s/recommendation: row %u: %s", mlfs_subsys_name(f->ss),
				 line, err.msg);
			break;
		}
		for (i = 0; i < q->nfeatures; i++)
			x[i] = row[i].type == MLFS_VALUE_REAL ? row[i].r : (double)row[i].i;
		t0 = fs_latency_now_ns();
		r = fs_model_predict(ref, x, q->nfeatures, &y);
		fs_latency_observe(&latency, fs_latency_now_ns() - t0);
		if (r == 0) {
			size_t tlen = format_prediction(y, text);

			text[tlen] = '\n';
			r = out_append(q, text, tlen + 1);
		}
		p = nl ? nl + 1 : end;
	}
	if (r < 0)
		q->len = mark; /* no answers for a write that failed */
	if (latency.count)
		fs_models_add_latency(f->fs->models, f->ss, &latency);
	return r;
}

static int rec_write(struct fs_file *f, const char *buf, size_t len)
{
	struct query *q = f->priv;
	struct fs_model_ref *ref;
	const char *last_nl;
	char *joined = NULL;
	size_t upto, tail;
	int r;

	if (memchr(buf, '\0', len)) {
		mlfs_log(LOG_WARNING, "%s/recommendation: NUL byte in a query",
			 mlfs_subsys_name(f->ss));
		return -EINVAL;
	}
	ref = fs_models_get(f->fs->models, f->ss);
	if (!ref) {
		mlfs_log(LOG_WARNING, "%s/recommendation: no model to ask; train or upload one",
			 mlfs_subsys_name(f->ss));
		return -ENODATA;
	}
	last_nl = memrchr(buf, '\n', len);
	upto = last_nl ? (size_t)(last_nl + 1 - buf) : 0;
	tail = len - upto;
	if (q->partial_len + tail > MLFS_LINE_MAX) {
		fs_model_ref_put(ref);
		mlfs_log(LOG_WARNING, "%s/recommendation: row longer than 65536 bytes",
			 mlfs_subsys_name(f->ss));
		return -EINVAL;
	}
	r = 0;
	if (upto > 0) {
		joined = malloc(q->partial_len + upto);
		if (!joined) {
			fs_model_ref_put(ref);
			return -ENOMEM;
		}
		/* No partial row yet means no buffer: memcpy() takes no NULL, even for 0 bytes. */
		if (q->partial_len > 0)
			memcpy(joined, q->partial, q->partial_len);
		memcpy(joined + q->partial_len, buf, upto);
		r = answer_rows(f, ref, joined, q->partial_len + upto);
		free(joined);
		if (r == 0)
			q->partial_len = 0;
	}
	if (r == 0 && tail > 0) {
		char *t = realloc(q->partial, q->partial_len + tail);

		if (!t) {
			r = -ENOMEM;
		} else {
			q->partial = t;
			memcpy(q->partial + q->partial_len, buf + upto, tail);
			q->partial_len += tail;
		}
	}
	fs_model_ref_put(ref);
	return r;
}

static void rec_release(struct fs_file *f)
{
	struct query *q = f->priv;

	if (!q)
		return;
	free(q->out);
	free(q->partial);
	free(q);
}

const struct fs_file_ops fs_recommendation_ops = {
	.name = "recommendation",
	.category = "recommendations",
	.mode = 0644,
	.pipe = true,
	.open = rec_open,
	.produce = rec_produce,
	.rewind = rec_rewind,
	.write = rec_write,
	.release = rec_release,
};
