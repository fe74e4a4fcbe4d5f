// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * CSV lines written into a dataset: the header that names the columns and the data
 * rows, plus the error messages the daemon logs when a user's line is refused. Rows
 * of plain integers, the bulk of every ingest, are parsed in a single pass without
 * calling back into mlfs_value_parse().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "format_i.h"

/* Longest integer the fast path takes: 18 digits cannot overflow int64. */
#define FAST_DIGITS_MAX 18

const char *mlfs_quote(const char *s, size_t len, char buf[MLFS_QUOTE_BUF])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = c < 0x20 || c >= 0x7f ? 4 : c == '"' || c == '\\' ? 2 : 1;

		if (n + need > MLFS_QUOTE_MAX) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (need == 4) {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 0xf];
		} else {
			if (need == 2)
				buf[n++] = '\\';
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return buf;
}

void mlfs_parse_error_set(struct mlfs_parse_error *err, unsigned column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* The end of the field starting at @p: the next comma or @end. */
static const char *field_end(const char *p, const char *end)
{
	const char *comma = memchr(p, ',', (size_t)(end - p));

	return comma ? comma : end;
}

static unsigned count_fields(const char *line, const char *end)
{
	unsigned n = 1;

	for (;;) {
		const char *comma = memchr(line, ',', (size_t)(end - line));

		if (!comma)
			return n;
		n++;
		line = comma + 1;
	}
}

/* Index of @name among the first @n @names, or @n when absent. */
static unsigned name_index(char (*names)[MLFS_COLUMN_NAME_MAX + 1], unsigned n, const char *name)
{
	unsigned i;

	/* Columns become SQLite columns, whose names ignore ASCII case. */
	for (i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			break;
	return i;
}

bool mlfs_csv_is_header(const char *line, size_t len)
{
	const char *end = mlfs_line_end(line, len);
	struct mlfs_value v;

	/* A first field too large for int64 is still a number: a row, refused later as such. */
	return mlfs_value_parse(line, (size_t)(field_end(line, end) - line), &v) == -EINVAL;
}

int mlfs_csv_parse_header(const char *line, size_t len, char (*names)[MLFS_COLUMN_NAME_MAX + 1],
			  unsigned max, struct mlfs_parse_error *err)
{
	const char *end = mlfs_line_end(line, len), *p = line;
	char quoted[MLFS_QUOTE_BUF];
	unsigned n = 0, i;

	for (;;) {
		const char *f = p, *fend = field_end(p, end);
		size_t flen;

		p = fend;
		mlfs_trim(&f, &fend);
		flen = (size_t)(fend - f);
		if (n == max) {
			mlfs_parse_error_set(err, 0, "more than %u columns", max);
			return -EINVAL;
		}
		if (flen == 0) {
			mlfs_parse_error_set(err, n + 1, "column %u has no name", n + 1);
			return -EINVAL;
		}
		if (!mlfs_name_valid(f, flen)) {
			mlfs_parse_error_set(
				err, n + 1,
				"column %u: \"%s\" is not a name (letters, digits, _; 63 at most)",
				n + 1, mlfs_quote(f, flen, quoted));
			return -EINVAL;
		}
		memcpy(names[n], f, flen);
		names[n][flen] = '\0';
		i = name_index(names, n, names[n]);
		if (i < n) {
			mlfs_parse_error_set(err, n + 1,
					     "duplicate column name \"%s\" (columns %u and %u)",
					     names[n], i + 1, n + 1);
			return -EINVAL;
		}
		n++;
		if (p == end)
			return (int)n;
		p++;
	}
}

/* Report why [f, fend), column @col (1-based), is not a value; @r is from mlfs_value_parse(). */
static int field_error(const char *f, const char *fend, unsigned col, int r,
		       struct mlfs_parse_error *err)
{
	char quoted[MLFS_QUOTE_BUF];

	mlfs_trim(&f, &fend);
	if (f == fend)
		mlfs_parse_error_set(err, col, "column %u is empty", col);
	else if (memchr(f, '\0', (size_t)(fend - f)))
		mlfs_parse_error_set(err, col, "column %u: \"%s\" contains a NUL byte", col,
				     mlfs_quote(f, (size_t)(fend - f), quoted));
	else if (r == -ERANGE)
		mlfs_parse_error_set(err, col, "column %u: \"%s\" is out of range", col,
				     mlfs_quote(f, (size_t)(fend - f), quoted));
	else
		mlfs_parse_error_set(err, col, "column %u: \"%s\" is not a number", col,
				     mlfs_quote(f, (size_t)(fend - f), quoted));
	return r;
}

int mlfs_csv_parse_row(const char *line, size_t len, unsigned ncols, struct mlfs_value *ret_row,
		       struct mlfs_parse_error *err)
{
	const char *end = mlfs_line_end(line, len), *p = line;
	unsigned col;

	if (p == end) {
		mlfs_parse_error_set(err, 0, "empty line, expected %u values", ncols);
		return -EINVAL;
	}
	for (col = 0; col < ncols; col++) {
		const char *f = p, *digits;
		uint64_t v = 0;
		bool neg;

		/*
		 * Fast path: an optional '-' and at most 18 digits, ended by a comma or the
		 * line. Anything else (blanks, '+', reals, long or bad numbers) is parsed
		 * again by mlfs_value_parse(), which also finds the reason for a refusal.
		 */
		neg = p < end && *p == '-';
		p += neg;
		digits = p;
		while (p < end && mlfs_is_digit(*p))
			v = v * 10 + (uint64_t)(*p++ - '0');
		if (p > digits && p - digits <= FAST_DIGITS_MAX && (p == end || *p == ',')) {
			ret_row[col].type = MLFS_VALUE_INT;
			ret_row[col].i = neg ? -(int64_t)v : (int64_t)v;
		} else {
			int r;

			p = field_end(f, end);
			r = mlfs_value_parse(f, (size_t)(p - f), &ret_row[col]);
			if (r < 0)
				return field_error(f, p, col + 1, r, err);
		}
		if (col + 1 < ncols) {
			if (p == end)
				break;
			p++;
		}
	}
	if (col != ncols || p != end) {
		mlfs_parse_error_set(err, 0, "expected %u values, found %u", ncols,
				     count_fields(line, end));
		return -EINVAL;
	}
	return 0;
}
