/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Helpers shared by the parsers of src/format: blank trimming, the integer fast path
 * and the construction of error messages. Not part of the public API.
 */
#ifndef MLFS_FORMAT_I_H
#define MLFS_FORMAT_I_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

static inline bool mlfs_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool mlfs_is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* Narrow [*p, *end) to its content without the blanks around it. */
static inline void mlfs_trim(const char **p, const char **end)
{
	while (*p < *end && mlfs_is_blank(**p))
		(*p)++;
	while (*end > *p && mlfs_is_blank((*end)[-1]))
		(*end)--;
}

/* Lines come from files that may have been written on Windows: drop one final '\r'. */
static inline const char *mlfs_line_end(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return line + len;
}

/* Fill @err (which may be NULL) with the 1-based @column and a printf-style message. */
void mlfs_parse_error_set(struct mlfs_parse_error *err, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
