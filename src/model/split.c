// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * How training divides its rows: into strata (the class, or the target's decile
 * for regression), a stratified sample when there are too many rows, and k
 * folds for cross-validation with every stratum spread evenly over the folds.
 * All randomness comes from one seeded generator, not from rand(), so the same
 * rows and seed always give the same sample, folds and model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_i.h"

/* splitmix64: small, fast, and good enough to shuffle rows. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), without the modulo bias that would favour low rows. */
static size_t rng_below(uint64_t *state, size_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;

	do
		v = rng_next(state);
	while (v >= limit);
	return (size_t)(v % n);
}

static void shuffle(size_t *a, size_t n, size_t take, uint64_t *state)
{
	size_t i;

	for (i = 0; i < take && i + 1 < n; i++) {
		size_t j = i + rng_below(state, n - i);
		size_t t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int split_classes(const struct mlfs_dataset *ds, double **ret_labels, unsigned *ret_n)
{
	double *v;
	size_t i, n = 0;

	v = malloc((ds->rows ? ds->rows : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, ds->y, ds->rows * sizeof(*v));
	qsort(v, ds->rows, sizeof(*v), cmp_double);
	for (i = 0; i < ds->rows; i++)
		if (n == 0 || v[i] != v[n - 1])
			v[n++] = v[i];
	*ret_labels = v;
	*ret_n = (unsigned)n;
	return 0;
}

static int cmp_rank(const void *a, const void *b, void *y)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = cmp_double((const double *)y + i, (const double *)y + j);

	return c ? c : (i > j) - (i < j);
}

#define DECILES 10

int split_strata(const struct mlfs_dataset *ds, const double *labels, unsigned nlabels,
		 unsigned **ret_stratum, unsigned *ret_nstrata)
{
	unsigned *stratum;
	size_t i, *order;

	stratum = malloc((ds->rows ? ds->rows : 1) * sizeof(*stratum));
	if (!stratum)
		return -ENOMEM;
	if (labels) {
		for (i = 0; i < ds->rows; i++) {
			const double *at =
				bsearch(&ds->y[i], labels, nlabels, sizeof(*labels), cmp_double);

			stratum[i] = (unsigned)(at - labels);
		}
		*ret_nstrata = nlabels;
		*ret_stratum = stratum;
		return 0;
	}
	order = malloc((ds->rows ? ds->rows : 1) * sizeof(*order));
	if (!order) {
		free(stratum);
		return -ENOMEM;
	}
	for (i = 0; i < ds->rows; i++)
		order[i] = i;
	qsort_r(order, ds->rows, sizeof(*order), cmp_rank, ds->y);
	for (i = 0; i < ds->rows; i++)
		stratum[order[i]] = (unsigned)((unsigned __int128)i * DECILES / ds->rows);
	free(order);
	*ret_nstrata = DECILES;
	*ret_stratum = stratum;
	return 0;
}

/* Rows 0..n-1 grouped by stratum, in row order within one; @start has nstrata + 1. */
static int group(const unsigned *stratum, size_t n, unsigned nstrata, size_t **ret_order,
		 size_t **ret_start)
{
	size_t *order, *start, *fill;
	size_t i;
	unsigned s;

	order = malloc((n ? n : 1) * sizeof(*order));
	start = calloc((size_t)nstrata + 1, sizeof(*start));
	fill = calloc((size_t)nstrata + 1, sizeof(*fill));
	if (!order || !start || !fill) {
		free(order);
		free(start);
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		start[stratum[i] + 1]++;
	for (s = 0; s < nstrata; s++)
		start[s + 1] += start[s];
	memcpy(fill, start, ((size_t)nstrata + 1) * sizeof(*fill));
	for (i = 0; i < n; i++)
		order[fill[stratum[i]]++] = i;
	free(fill);
	*ret_order = order;
	*ret_start = start;
	return 0;
}

struct quota {
	unsigned stratum;
	size_t rest; /* remainder of the proportional share, in units of 1/rows */
};

static int cmp_quota(const void *a, const void *b)
{
	const struct quota *x = a, *y = b;

	if (x->rest != y->rest)
		return x->rest < y->rest ? 1 : -1;
	return (x->stratum > y->stratum) - (x->stratum < y->stratum);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/*
 * A class too rare for a share of its own would vanish from the sample and the
 * model could never predict it: it gets one row, from the largest share.
 */
static void keep_every_stratum(const size_t *start, unsigned nstrata, size_t *take)
{
	unsigned s, t, big;

	for (s = 0; s < nstrata; s++) {
		if (take[s] > 0 || start[s + 1] == start[s])
			continue;
		big = 0;
		for (t = 1; t < nstrata; t++)
			if (take[t] > take[big])
				big = t;
		if (take[big] < 2)
			return;
		take[big]--;
		take[s]++;
	}
}

/*
 * Each stratum keeps its share of @m, rounded by largest remainder so the
 * shares add up to exactly @m; within a stratum the rows are drawn uniformly.
 */
int split_sample(const unsigned *stratum, unsigned nstrata, size_t rows, size_t m, uint64_t *rng,
		 size_t **ret_rows)
{
	struct quota *q = NULL;
	size_t *order, *start, *take = NULL, *out = NULL;
	size_t left = m, n = 0;
	unsigned s;
	int r;

	r = group(stratum, rows, nstrata, &order, &start);
	if (r < 0)
		return r;
	q = malloc(((size_t)nstrata + 1) * sizeof(*q));
	take = malloc(((size_t)nstrata + 1) * sizeof(*take));
	out = malloc((m ? m : 1) * sizeof(*out));
	if (!q || !take || !out) {
		r = -ENOMEM;
		goto out_free;
	}
	for (s = 0; s < nstrata; s++) {
		size_t cnt = start[s + 1] - start[s];
		unsigned __int128 share = (unsigned __int128)cnt * m;

		q[s].stratum = s;
		q[s].rest = (size_t)(share % rows);
		left -= (size_t)(share / rows);
	}
	/* The remainders add up to @left whole rows, each below one: @left strata get one more. */
	qsort(q, nstrata, sizeof(*q), cmp_quota);
	for (s = 0; s < nstrata; s++) {
		unsigned st = q[s].stratum;
		size_t cnt = start[st + 1] - start[st];

		take[st] = (size_t)((unsigned __int128)cnt * m / rows) + (s < left);
	}
	keep_every_stratum(start, nstrata, take);
	for (s = 0; s < nstrata; s++) {
		size_t cnt = start[s + 1] - start[s];

		shuffle(order + start[s], cnt, take[s], rng);
		memcpy(out + n, order + start[s], take[s] * sizeof(*out));
		n += take[s];
	}
	qsort(out, n, sizeof(*out), cmp_size);
	*ret_rows = out;
	out = NULL;
out_free:
	free(out);
	free(take);
	free(q);
	free(order);
	free(start);
	return r;
}

/* Each stratum shuffled, then dealt round the folds like cards, continuing across strata. */
int split_folds(const unsigned *stratum, unsigned nstrata, size_t n, unsigned k, uint64_t *rng,
		unsigned **ret_fold)
{
	size_t *order, *start, i, dealt = 0;
	unsigned *fold, s;
	int r;

	r = group(stratum, n, nstrata, &order, &start);
	if (r < 0)
		return r;
	fold = malloc((n ? n : 1) * sizeof(*fold));
	if (!fold) {
		free(order);
		free(start);
		return -ENOMEM;
	}
	for (s = 0; s < nstrata; s++) {
		size_t cnt = start[s + 1] - start[s];

		shuffle(order + start[s], cnt, cnt, rng);
		for (i = start[s]; i < start[s + 1]; i++)
			fold[order[i]] = (unsigned)(dealt++ % k);
	}
	free(order);
	free(start);
	*ret_fold = fold;
	return 0;
}
