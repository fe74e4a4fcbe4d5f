// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Records from /dev/mlproxy into the store's terms. Nothing here trusts the peer:
 * every record is checked whole (mlproxy_record_check, the code the module itself
 * runs) before a field of it is used, and names are checked against the store's
 * rules before they become a directory or a column.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kdev_decode_i.h"

int kdev_record_next(const char *buf, size_t len, size_t *off, const struct mlproxy_hdr **ret_hdr)
{
	int size;

	if (*off >= len)
		return 0;
	size = mlproxy_record_check(buf + *off, len - *off);
	if (size < 0)
		return -EINVAL;
	*ret_hdr = (const void *)(buf + *off);
	*off += (size_t)size;
	return 1;
}

int kdev_register_columns(const struct mlproxy_register *reg, struct mlfs_columns *ret_cols)
{
	unsigned i;

	if (mlfs_subsys_name_check(reg->name) < 0)
		return -EINVAL;
	memset(ret_cols, 0, sizeof(*ret_cols));
	ret_cols->n = reg->ncols;
	ret_cols->target = reg->ncols - 1;
	for (i = 0; i < reg->ncols; i++) {
		if (!mlfs_name_valid(reg->cols[i].name, strlen(reg->cols[i].name)))
			return -EINVAL;
		snprintf(ret_cols->names[i], sizeof(ret_cols->names[i]), "%s", reg->cols[i].name);
		ret_cols->types[i] = reg->cols[i].scale == 1 ? MLFS_VALUE_INT : MLFS_VALUE_REAL;
	}
	return 0;
}

void kdev_sample_row(const struct mlproxy_sample *s, const uint32_t *scale, struct mlfs_value *row)
{
	unsigned i;

	for (i = 0; i < s->ncols; i++) {
		if (scale[i] == 1) {
			row[i].type = MLFS_VALUE_INT;
			row[i].i = s->values[i];
		} else {
			row[i].type = MLFS_VALUE_REAL;
			row[i].r = (double)s->values[i] / scale[i];
		}
	}
}

void kdev_sample_features(const struct mlproxy_sample *s, const uint32_t *scale, double *x)
{
	unsigned i;

	for (i = 0; i + 1 < s->ncols; i++)
		x[i] = scale[i] == 1 ? (double)s->values[i] : (double)s->values[i] / scale[i];
}
