// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Training rows: a growing dense matrix of feature values and a vector of
 * targets, filled by the daemon from the store before it asks for a model.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_i.h"

struct mlfs_dataset *mlfs_dataset_new(unsigned nfeatures)
{
	struct mlfs_dataset *ds;

	/* A row is built on the stack when predicting: the width has a bound. */
	if (nfeatures == 0 || nfeatures > MLFS_MODEL_FEATURES_MAX) {
		errno = EINVAL;
		return NULL;
	}
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return NULL;
	ds->nfeatures = nfeatures;
	return ds;
}

void mlfs_dataset_free(struct mlfs_dataset *ds)
{
	if (!ds)
		return;
	free(ds->x);
	free(ds->y);
	free(ds);
}

static int grow(struct mlfs_dataset *ds)
{
	size_t cap = ds->cap ? ds->cap * 2 : 1024;
	double *x, *y;

	if (cap > SIZE_MAX / sizeof(double) / ds->nfeatures)
		return -ENOMEM;
	x = realloc(ds->x, cap * ds->nfeatures * sizeof(double));
	if (!x)
		return -ENOMEM;
	ds->x = x;
	y = realloc(ds->y, cap * sizeof(double));
	if (!y)
		return -ENOMEM;
	ds->y = y;
	ds->cap = cap;
	return 0;
}

int mlfs_dataset_add(struct mlfs_dataset *ds, const double *x, double y)
{
	int r;

	if (ds->rows == ds->cap) {
		r = grow(ds);
		if (r < 0)
			return r;
	}
	memcpy(ds->x + ds->rows * ds->nfeatures, x, ds->nfeatures * sizeof(double));
	ds->y[ds->rows++] = y;
	return 0;
}

size_t mlfs_dataset_rows(const struct mlfs_dataset *ds)
{
	return ds->rows;
}
