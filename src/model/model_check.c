// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Checking libsvm model text before svm_load_model() reads it. libsvm's reader
 * believes what the text says: a header field before nr_class, a missing gamma,
 * a support vector line shorter than nr_class - 1 coefficients, or fewer lines
 * than total_sv make it read uninitialised memory, dereference NULL or write
 * past an array. So the whole text is checked here, strictly (what svm-train
 * writes, give or take spacing), and libsvm only ever sees text that passed.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "model_i.h"

static const char *const svm_type_names[] = {
	[C_SVC] = "c_svc",
	[NU_SVC] = "nu_svc",
	[ONE_CLASS] = "one_class",
	[EPSILON_SVR] = "epsilon_svr",
	[NU_SVR] = "nu_svr",
};

static const char *const kernel_type_names[] = {
	[LINEAR] = "linear",
	[POLY] = "polynomial",
	[RBF] = "rbf",
	[SIGMOID] = "sigmoid",
	[PRECOMPUTED] = "precomputed",
};

enum field {
	F_SVM_TYPE,
	F_KERNEL_TYPE,
	F_DEGREE,
	F_GAMMA,
	F_COEF0,
	F_NR_CLASS,
	F_TOTAL_SV,
	F_RHO,
	F_LABEL,
	F_PROBA,
	F_PROBB,
	F_NR_SV,
	F_MAX,
};

static const char *const field_names[F_MAX] = {
	[F_SVM_TYPE] = "svm_type", [F_KERNEL_TYPE] = "kernel_type",
	[F_DEGREE] = "degree",	   [F_GAMMA] = "gamma",
	[F_COEF0] = "coef0",	   [F_NR_CLASS] = "nr_class",
	[F_TOTAL_SV] = "total_sv", [F_RHO] = "rho",
	[F_LABEL] = "label",	   [F_PROBA] = "probA",
	[F_PROBB] = "probB",	   [F_NR_SV] = "nr_sv",
};

/*
 * libsvm computes nr_class * (nr_class - 1) / 2 in an int; this bound keeps that
 * far from overflowing and is well above the 16 classes training here makes.
 */
#define NR_CLASS_MAX 4096

struct check {
	char *err;
	size_t errlen;
	unsigned nfeatures;
	unsigned line;
	bool seen[F_MAX];
	long nr_class, total_sv, nr_sv_sum;
	struct svm_text_facts facts;
};

static int bad(struct check *ck, const char *why)
{
	model_err(ck->err, ck->errlen, "model text does not parse: line %u: %s", ck->line, why);
	return -EINVAL;
}

static int bad_field(struct check *ck, enum field f, const char *why)
{
	model_err(ck->err, ck->errlen, "model text does not parse: line %u: %s %s", ck->line,
		  field_names[f], why);
	return -EINVAL;
}

static int lookup(const char *const *names, int n, const char *tok, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (text_token_is(tok, len, names[i]))
			return i;
	return -1;
}

/* One word after the field name, from @names. */
static int read_name(struct check *ck, struct text_line *l, enum field f, const char *const *names,
		     int n, int *ret)
{
	const char *tok;
	size_t len;
	int v;

	if (!text_next_token(l, &tok, &len))
		return bad_field(ck, f, "has no value");
	v = lookup(names, n, tok, len);
	if (v < 0)
		return bad_field(ck, f, "is not one libsvm knows");
	/* libsvm would read the next word as a field of its own ("svm_type c_svc label 1"). */
	if (text_next_token(l, &tok, &len))
		return bad_field(ck, f, "has more than one word");
	*ret = v;
	return 0;
}

/* Exactly @count numbers after the field name; integers within [lo, hi] if @integer. */
static int read_values(struct check *ck, struct text_line *l, enum field f, long count,
		       bool integer, long lo, long hi, long *ret_sum)
{
	const char *tok;
	size_t len;
	long i, sum = 0;

	for (i = 0; i < count; i++) {
		double d;
		long v;

		if (!text_next_token(l, &tok, &len))
			return bad_field(ck, f, "has too few values");
		if (integer) {
			if (text_long(tok, len, lo, hi, &v) < 0)
				return bad_field(ck, f, "has a value that is not a valid integer");
			if (v > 0 && sum > LONG_MAX - v)
				return bad_field(ck, f, "adds up to too much");
			sum += v;
		} else if (text_double(tok, len, &d) < 0) {
			return bad_field(ck, f, "has a value that is not a finite number");
		}
	}
	if (text_next_token(l, &tok, &len))
		return bad_field(ck, f, "has too many values");
	if (ret_sum)
		*ret_sum = sum;
	return 0;
}

static long pairs(long nr_class)
{
	return nr_class * (nr_class - 1) / 2;
}

static int header_field(struct check *ck, struct text_line *l, enum field f)
{
	long one;

	if (ck->seen[f])
		return bad_field(ck, f, "is given twice");
	if (f >= F_RHO && !ck->seen[F_NR_CLASS])
		return bad_field(ck, f, "comes before nr_class, which says how many values it has");
	ck->seen[f] = true;
	switch (f) {
	case F_SVM_TYPE:
		return read_name(ck, l, f, svm_type_names, NU_SVR + 1, &ck->facts.svm_type);
	case F_KERNEL_TYPE:
		return read_name(ck, l, f, kernel_type_names, PRECOMPUTED + 1,
				 &ck->facts.kernel_type);
	case F_DEGREE:
		return read_values(ck, l, f, 1, true, 0, INT_MAX, NULL);
	case F_GAMMA:
	case F_COEF0:
		return read_values(ck, l, f, 1, false, 0, 0, NULL);
	case F_NR_CLASS:
		/* 1 is what svm-train writes for data of one label: it predicts that label. */
		if (read_values(ck, l, f, 1, true, 1, NR_CLASS_MAX, &one) < 0)
			return bad_field(ck, f, "must be an integer from 1 to 4096");
		ck->nr_class = one;
		return 0;
	case F_TOTAL_SV:
		if (read_values(ck, l, f, 1, true, 0, INT_MAX, &one) < 0)
			return -EINVAL;
		ck->total_sv = one;
		return 0;
	case F_RHO:
	case F_PROBA:
	case F_PROBB:
		return read_values(ck, l, f, pairs(ck->nr_class), false, 0, 0, NULL);
	case F_LABEL:
		return read_values(ck, l, f, ck->nr_class, true, INT_MIN, INT_MAX, NULL);
	case F_NR_SV:
		return read_values(ck, l, f, ck->nr_class, true, 0, INT_MAX, &ck->nr_sv_sum);
	case F_MAX:
		break;
	}
	return -EINVAL;
}

/* What libsvm's predict needs and its reader does not insist on. */
static int header_complete(struct check *ck)
{
	static const enum field required[] = { F_SVM_TYPE, F_KERNEL_TYPE, F_NR_CLASS, F_TOTAL_SV,
					       F_RHO };
	int svm_type = ck->facts.svm_type, kernel = ck->facts.kernel_type;
	bool classify = svm_type == C_SVC || svm_type == NU_SVC;
	unsigned i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!ck->seen[required[i]])
			return bad_field(ck, required[i], "is missing before SV");
	if (kernel == PRECOMPUTED)
		return bad(ck, "precomputed kernels are not supported: rows are feature values");
	if (kernel != LINEAR && !ck->seen[F_GAMMA])
		return bad_field(ck, F_GAMMA, "is missing, and the kernel uses it");
	if (kernel == POLY && !ck->seen[F_DEGREE])
		return bad_field(ck, F_DEGREE, "is missing, and the kernel uses it");
	if ((kernel == POLY || kernel == SIGMOID) && !ck->seen[F_COEF0])
		return bad_field(ck, F_COEF0, "is missing, and the kernel uses it");
	if (classify && (!ck->seen[F_LABEL] || !ck->seen[F_NR_SV]))
		return bad(ck, "a classifier needs label and nr_sv");
	if (!classify && ck->nr_class != 2)
		return bad_field(ck, F_NR_CLASS, "must be 2 for regression and one-class models");
	if (ck->seen[F_NR_SV] && ck->nr_sv_sum != ck->total_sv)
		return bad(ck, "nr_sv does not add up to total_sv");
	ck->facts.nr_class = (unsigned)ck->nr_class;
	ck->facts.has_gamma = ck->seen[F_GAMMA];
	ck->facts.has_degree = ck->seen[F_DEGREE];
	ck->facts.has_coef0 = ck->seen[F_COEF0];
	return 0;
}

static int header(struct check *ck, struct text_cursor *c)
{
	struct text_line l;
	const char *tok;
	size_t len;
	int f;

	while (text_next_line(c, &l)) {
		ck->line = c->line;
		if (!text_next_token(&l, &tok, &len))
			continue;
		if (text_token_is(tok, len, "SV")) {
			if (text_next_token(&l, &tok, &len))
				return bad(ck, "text after SV");
			return header_complete(ck);
		}
		f = lookup(field_names, F_MAX, tok, len);
		if (f < 0)
			return bad(ck, "unknown header field");
		if (header_field(ck, &l, (enum field)f) < 0)
			return -EINVAL;
	}
	ck->line = c->line;
	return bad(ck, "truncated: no SV line");
}

/* "index:value" with the index above @last. */
static int sv_pair(struct check *ck, const char *tok, size_t len, long *last)
{
	const char *colon = memchr(tok, ':', len);
	long idx;
	double v;

	if (!colon)
		return bad(ck, "expected index:value");
	if (text_long(tok, (size_t)(colon - tok), 1, INT_MAX, &idx) < 0)
		return bad(ck, "feature index is not an integer from 1");
	if (text_double(colon + 1, len - (size_t)(colon - tok) - 1, &v) < 0)
		return bad(ck, "feature value is not a finite number");
	if (idx <= *last)
		return bad(ck, "feature indexes must ascend");
	if (model_feature_check(idx, ck->nfeatures) < 0)
		return model_feature_err(ck->err, ck->errlen, "model", idx, ck->nfeatures);
	*last = idx;
	if ((unsigned long)idx > ck->facts.max_index)
		ck->facts.max_index = (unsigned)idx;
	return 0;
}

static int support_vectors(struct check *ck, struct text_cursor *c)
{
	struct text_line l;
	const char *tok;
	size_t len;
	long i, k;

	for (i = 0; i < ck->total_sv; i++) {
		long last = 0;

		if (!text_next_line(c, &l)) {
			ck->line = c->line;
			return bad(ck, "truncated: fewer support vectors than total_sv");
		}
		ck->line = c->line;
		for (k = 0; k < ck->nr_class - 1; k++) {
			double coef;

			if (!text_next_token(&l, &tok, &len))
				return bad(ck, "support vector has too few coefficients");
			if (text_double(tok, len, &coef) < 0)
				return bad(ck, "coefficient is not a finite number");
		}
		while (text_next_token(&l, &tok, &len))
			if (sv_pair(ck, tok, len, &last) < 0)
				return -EINVAL;
	}
	while (text_next_line(c, &l)) {
		ck->line = c->line;
		if (!text_line_blank(&l))
			return bad(ck, "text after the last support vector");
	}
	return 0;
}

int svm_text_check(const char *text, size_t len, unsigned nfeatures, struct svm_text_facts *ret,
		   char *err, size_t errlen)
{
	struct check ck = { .err = err, .errlen = errlen, .nfeatures = nfeatures };
	struct text_cursor c;
	unsigned byte;
	size_t i;

	if (len > MLFS_MODEL_TEXT_MAX) {
		model_err(err, errlen, "model text is %zu bytes, over the limit of %u", len,
			  MLFS_MODEL_TEXT_MAX);
		return -E2BIG;
	}
	if (text_check_bytes(text, len, &ck.line, &byte) < 0)
		return bad(&ck, "not text");
	/* svm-train ends every line with \n: a text that does not was cut short. */
	if (len == 0 || text[len - 1] != '\n') {
		ck.line = 0;
		for (i = 0; i < len; i++)
			ck.line += text[i] == '\n';
		ck.line++;
		return bad(&ck, len ? "truncated: the last line has no newline" : "empty");
	}
	text_cursor_init(&c, text, len);
	if (header(&ck, &c) < 0 || support_vectors(&ck, &c) < 0)
		return -EINVAL;
	*ret = ck.facts;
	return 0;
}
