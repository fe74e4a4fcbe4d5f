// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Lines written to a feedback file: a user's or an outside tool's measurement of how
 * a subsystem behaved, optionally about one recommendation and one arm of an A/B
 * split. Two forms are taken: "key=value" pairs for people and scripts, and CSV rows
 * with the last columns the file shows when read (recommendation,arm,metric,value).
 */
#include <errno.h>
#include <string.h>

#include "format.h"
#include "format_i.h"

/* What every metric of one line shares. */
struct qualifiers {
	int64_t recommendation;
	enum mlfs_arm arm;
	bool have_recommendation;
	bool have_arm;
};

static bool text_equals(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(p, word, len) == 0;
}

static int parse_recommendation(const char *p, size_t len, unsigned col, int64_t *ret,
				struct mlfs_parse_error *err)
{
	char quoted[MLFS_QUOTE_BUF];
	struct mlfs_value v;

	/* -1 is how the API says "no recommendation"; a script may pass it through as such. */
	if (mlfs_value_parse(p, len, &v) < 0 || v.type != MLFS_VALUE_INT || v.i < -1) {
		mlfs_parse_error_set(err, col,
				     "recommendation \"%s\" is not an id (a whole number)",
				     mlfs_quote(p, len, quoted));
		return -EINVAL;
	}
	*ret = v.i;
	return 0;
}

static int parse_arm(const char *p, size_t len, unsigned col, enum mlfs_arm *ret,
		     struct mlfs_parse_error *err)
{
	char quoted[MLFS_QUOTE_BUF];

	if (text_equals(p, len, mlfs_arm_name(MLFS_ARM_ML))) {
		*ret = MLFS_ARM_ML;
	} else if (text_equals(p, len, mlfs_arm_name(MLFS_ARM_DEFAULT))) {
		*ret = MLFS_ARM_DEFAULT;
	} else {
		mlfs_parse_error_set(err, col, "unknown arm \"%s\" (ml or default)",
				     mlfs_quote(p, len, quoted));
		return -EINVAL;
	}
	return 0;
}

/* Add the metric [name, name + nlen) = [val, val + vlen) as report number @n of @ret. */
static int add_metric(const char *name, size_t nlen, const char *val, size_t vlen, unsigned col,
		      struct mlfs_feedback *ret, unsigned n, unsigned max,
		      struct mlfs_parse_error *err)
{
	char quoted[MLFS_QUOTE_BUF];
	struct mlfs_value v;
	unsigned i;
	int r;

	if (n == max) {
		mlfs_parse_error_set(err, col, "more than %u metrics in one line", max);
		return -EINVAL;
	}
	if (!mlfs_name_valid(name, nlen)) {
		mlfs_parse_error_set(err, col,
				     "\"%s\" is not a metric name (letters, digits, _; 63 at most)",
				     mlfs_quote(name, nlen, quoted));
		return -EINVAL;
	}
	/* Reserved so that both forms, and the columns of the file, mean the same thing. */
	if (text_equals(name, nlen, "recommendation") || text_equals(name, nlen, "arm")) {
		mlfs_parse_error_set(err, col, "\"%.*s\" is not a metric name", (int)nlen, name);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (text_equals(name, nlen, ret[i].metric)) {
			mlfs_parse_error_set(err, col, "metric %.*s is given twice", (int)nlen,
					     name);
			return -EINVAL;
		}
	}
	r = mlfs_value_parse(val, vlen, &v);
	if (r < 0) {
		mlfs_parse_error_set(err, col, "metric %.*s: \"%s\" is %s", (int)nlen, name,
				     mlfs_quote(val, vlen, quoted),
				     r == -ERANGE ? "out of range" : "not a number");
		return -EINVAL;
	}
	memcpy(ret[n].metric, name, nlen);
	ret[n].metric[nlen] = '\0';
	ret[n].value = v.type == MLFS_VALUE_INT ? (double)v.i : v.r;
	return 0;
}

static bool is_pair_separator(char c)
{
	return mlfs_is_blank(c) || c == ',';
}

static int parse_pairs(const char *p, const char *end, struct mlfs_feedback *ret, unsigned max,
		       struct qualifiers *q, struct mlfs_parse_error *err)
{
	char quoted[MLFS_QUOTE_BUF];
	unsigned n = 0, col = 0;

	for (;;) {
		const char *tok, *eq, *val;
		int r;

		while (p < end && is_pair_separator(*p))
			p++;
		if (p == end)
			return (int)n;
		tok = p;
		while (p < end && !is_pair_separator(*p))
			p++;
		col++;
		eq = memchr(tok, '=', (size_t)(p - tok));
		if (!eq || eq == tok || eq + 1 == p) {
			mlfs_parse_error_set(err, col, "\"%s\" is not a key=value pair",
					     mlfs_quote(tok, (size_t)(p - tok), quoted));
			return -EINVAL;
		}
		val = eq + 1;
		if (text_equals(tok, (size_t)(eq - tok), "recommendation")) {
			if (q->have_recommendation) {
				mlfs_parse_error_set(err, col, "recommendation is given twice");
				return -EINVAL;
			}
			q->have_recommendation = true;
			r = parse_recommendation(val, (size_t)(p - val), col, &q->recommendation,
						 err);
		} else if (text_equals(tok, (size_t)(eq - tok), "arm")) {
			if (q->have_arm) {
				mlfs_parse_error_set(err, col, "arm is given twice");
				return -EINVAL;
			}
			q->have_arm = true;
			r = parse_arm(val, (size_t)(p - val), col, &q->arm, err);
		} else {
			r = add_metric(tok, (size_t)(eq - tok), val, (size_t)(p - val), col, ret, n,
				       max, err);
			n += r == 0;
		}
		if (r < 0)
			return r;
	}
}

static int parse_csv(const char *p, const char *end, struct mlfs_feedback *ret, unsigned max,
		     struct qualifiers *q, struct mlfs_parse_error *err)
{
	const char *f[4], *fend[4];
	unsigned nf = 0, i;
	int r;

	/* Split into at most four trimmed fields, counting any beyond that. */
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;

		if (nf < 4) {
			f[nf] = p;
			fend[nf] = e;
			mlfs_trim(&f[nf], &fend[nf]);
		}
		nf++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (nf != 2 && nf != 4) {
		mlfs_parse_error_set(err, 0,
				     "expected metric,value or recommendation,arm,metric,value; "
				     "found %u fields",
				     nf);
		return -EINVAL;
	}
	i = 0;
	if (nf == 4) {
		/* Empty fields are how the file shows a report about no recommendation or arm. */
		if (f[0] < fend[0]) {
			r = parse_recommendation(f[0], (size_t)(fend[0] - f[0]), 1,
						 &q->recommendation, err);
			if (r < 0)
				return r;
		}
		if (f[1] < fend[1]) {
			r = parse_arm(f[1], (size_t)(fend[1] - f[1]), 2, &q->arm, err);
			if (r < 0)
				return r;
		}
		i = 2;
	}
	r = add_metric(f[i], (size_t)(fend[i] - f[i]), f[i + 1], (size_t)(fend[i + 1] - f[i + 1]),
		       i + 1, ret, 0, max, err);
	return r < 0 ? r : 1;
}

int mlfs_feedback_parse_line(const char *line, size_t len, struct mlfs_feedback *ret, unsigned max,
			     struct mlfs_parse_error *err)
{
	struct qualifiers q = { .recommendation = -1, .arm = MLFS_ARM_NONE };
	const char *p = line, *end = mlfs_line_end(line, len);
	int n, i;

	if (memchr(p, '\0', (size_t)(end - p))) {
		mlfs_parse_error_set(err, 0, "line contains a NUL byte");
		return -EINVAL;
	}
	mlfs_trim(&p, &end);
	if (p == end) {
		mlfs_parse_error_set(err, 0, "empty line, no metric");
		return -EINVAL;
	}
	if (memchr(p, '=', (size_t)(end - p)))
		n = parse_pairs(p, end, ret, max, &q, err);
	else
		n = parse_csv(p, end, ret, max, &q, err);
	if (n < 0)
		return n;
	if (n == 0) {
		mlfs_parse_error_set(err, 0, "no metric in line, only recommendation or arm");
		return -EINVAL;
	}
	/* The qualifiers may come after the metrics they qualify: apply them last. */
	for (i = 0; i < n; i++) {
		ret[i].recommendation = q.recommendation;
		ret[i].arm = q.arm;
	}
	return n;
}
