// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Dataset rows as the text users read: CSV (with its header) for pandas and friends,
 * and libsvm's sparse format for svm-train and Spark MLlib. Exports stream millions of
 * rows, so rows are written straight into the caller's buffer, never through stdio.
 */
#include <errno.h>
#include <string.h>

#include "format.h"

int mlfs_csv_format_header(const char (*names)[MLFS_COLUMN_NAME_MAX + 1], unsigned ncols, char *buf,
			   size_t cap)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < ncols; i++) {
		size_t len = strnlen(names[i], MLFS_COLUMN_NAME_MAX + 1);

		/* The name, and the comma or newline after it. */
		if (cap - n < len + 1)
			return -ENOSPC;
		memcpy(buf + n, names[i], len);
		n += len;
		buf[n++] = i + 1 < ncols ? ',' : '\n';
	}
	if (ncols == 0) {
		if (cap < 1)
			return -ENOSPC;
		buf[n++] = '\n';
	}
	return (int)n;
}

size_t mlfs_csv_format_row(const struct mlfs_value *row, unsigned ncols, char *buf)
{
	char *p = buf;
	unsigned i;

	for (i = 0; i < ncols; i++) {
		p += mlfs_value_format(&row[i], p);
		*p++ = ',';
	}
	/* The last comma becomes the newline. */
	if (ncols > 0)
		p--;
	*p++ = '\n';
	return (size_t)(p - buf);
}

static bool value_is_zero(const struct mlfs_value *v)
{
	/* -0.0 == 0 as well: libsvm would read either back as an absent feature. */
	return v->type == MLFS_VALUE_REAL ? v->r == 0 : v->i == 0;
}

/* A caller that passes @target >= @ncols gets 0 bytes: there is no label to write. */
size_t mlfs_svm_format_row(const struct mlfs_value *row, unsigned ncols, unsigned target, char *buf)
{
	struct mlfs_value index = { .type = MLFS_VALUE_INT };
	char *p = buf;
	unsigned i;

	if (target >= ncols)
		return 0;
	p += mlfs_value_format(&row[target], p);
	for (i = 0; i < ncols; i++) {
		if (i == target)
			continue;
		/* libsvm numbers features from 1, over the columns that are features. */
		index.i++;
		if (value_is_zero(&row[i]))
			continue;
		*p++ = ' ';
		p += mlfs_value_format(&index, p);
		*p++ = ':';
		p += mlfs_value_format(&row[i], p);
	}
	*p++ = '\n';
	return (size_t)(p - buf);
}
