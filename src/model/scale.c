// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Feature scaling as svm-scale does it: each feature's training range maps to
 * [-1, 1], and a feature that never changed is left out. The factors are read
 * and written in svm-scale's -s/-r text, so a scaling made here can be used by
 * svm-scale -r and one made by svm-scale -s can be uploaded with a model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_i.h"

void scale_fit(struct scale *s, const struct mlfs_dataset *ds, const size_t *rows, size_t n)
{
	unsigned j;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->on = true;
	s->lower = -1;
	s->upper = 1;
	for (j = 0; j < ds->nfeatures; j++) {
		double lo = 0, hi = 0;

		for (i = 0; i < n; i++) {
			double v = dataset_row(ds, rows[i])[j];

			if (i == 0 || v < lo)
				lo = v;
			if (i == 0 || v > hi)
				hi = v;
		}
		s->min[j + 1] = lo;
		s->max[j + 1] = hi;
		s->has[j + 1] = lo != hi;
		if (lo != hi)
			s->hi = j + 1;
	}
}

/* "x", the target range, then "index min max" per scaled feature, as svm-scale -s writes. */
#define LINE_MAX_BYTES 64

int scale_to_text(const struct scale *s, char **ret_text, size_t *ret_len)
{
	size_t cap, len = 0;
	locale_t old = (locale_t)0;
	char *text;
	unsigned i;

	if (!s->on) {
		text = strdup("");
		if (!text)
			return -ENOMEM;
		*ret_text = text;
		*ret_len = 0;
		return 0;
	}
	cap = (size_t)(s->hi + 2) * LINE_MAX_BYTES;
	text = malloc(cap);
	if (!text)
		return -ENOMEM;
	/* A decimal point whatever the daemon's locale; uselocale() affects this thread only. */
	if (model_c_locale())
		old = uselocale(model_c_locale());
	len += (size_t)snprintf(text + len, cap - len, "x\n%.17g %.17g\n", s->lower, s->upper);
	for (i = 1; i <= s->hi; i++) {
		if (!s->has[i])
			continue;
		len += (size_t)snprintf(text + len, cap - len, "%u %.17g %.17g\n", i, s->min[i],
					s->max[i]);
	}
	if (old)
		uselocale(old);
	*ret_text = text;
	*ret_len = len;
	return 0;
}

static int bad(char *err, size_t errlen, unsigned line, const char *why)
{
	model_err(err, errlen, "scaling does not parse: line %u: %s", line, why);
	return -EINVAL;
}

static int read_range(struct text_line *l, double *ret_lo, double *ret_hi)
{
	const char *tok;
	size_t len;

	if (!text_next_token(l, &tok, &len) || text_double(tok, len, ret_lo) < 0)
		return -EINVAL;
	if (!text_next_token(l, &tok, &len) || text_double(tok, len, ret_hi) < 0)
		return -EINVAL;
	if (text_next_token(l, &tok, &len))
		return -EINVAL;
	return 0;
}

enum scale_section {
	WANT_X,
	WANT_RANGE,
	FEATURES
};

/*
 * svm-scale -r reads the same text with fscanf, so blank lines and extra spaces
 * are fine; anything else that it would skip or misread is refused here.
 */
int scale_from_text(const char *text, size_t len, unsigned nfeatures, struct scale *ret, char *err,
		    size_t errlen)
{
	enum scale_section state = WANT_X;
	struct text_cursor c;
	struct text_line l;
	unsigned line, byte, last = 0;
	const char *tok;
	size_t tlen;

	memset(ret, 0, sizeof(*ret));
	if (text_check_bytes(text, len, &line, &byte) < 0)
		return bad(err, errlen, line, "not text");
	text_cursor_init(&c, text, len);
	while (text_next_line(&c, &l)) {
		long idx;
		double lo, hi;

		if (!text_next_token(&l, &tok, &tlen))
			continue;
		switch (state) {
		case WANT_X:
			if (text_token_is(tok, tlen, "y"))
				return bad(err, errlen, c.line,
					   "scaling of the target (y) is not supported");
			if (!text_token_is(tok, tlen, "x") || text_next_token(&l, &tok, &tlen))
				return bad(err, errlen, c.line, "expected \"x\"");
			state = WANT_RANGE;
			break;
		case WANT_RANGE:
			l.p = tok;
			if (read_range(&l, &ret->lower, &ret->upper) < 0)
				return bad(err, errlen, c.line, "expected \"lower upper\"");
			if (!(ret->lower < ret->upper))
				return bad(err, errlen, c.line, "lower is not below upper");
			state = FEATURES;
			break;
		case FEATURES:
			if (text_long(tok, tlen, 1, 0x7fffffffL, &idx) < 0)
				return bad(err, errlen, c.line, "expected \"index min max\"");
			if (model_feature_check(idx, nfeatures) < 0)
				return model_feature_err(err, errlen, "scaling", idx, nfeatures);
			if ((unsigned)idx <= last)
				return bad(err, errlen, c.line, "feature indexes must ascend");
			if (read_range(&l, &lo, &hi) < 0)
				return bad(err, errlen, c.line, "expected \"index min max\"");
			if (lo > hi)
				return bad(err, errlen, c.line, "min is above max");
			last = (unsigned)idx;
			ret->min[idx] = lo;
			ret->max[idx] = hi;
			/* svm-scale skips a feature whose range is one value; so do we. */
			ret->has[idx] = lo != hi;
			if (lo != hi)
				ret->hi = (unsigned)idx;
			break;
		}
	}
	if (state != FEATURES)
		return bad(err, errlen, c.line, "truncated: no \"x\" section with its range");
	ret->on = true;
	return 0;
}
