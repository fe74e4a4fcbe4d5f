/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Text formats of the /mlfs tree: dataset rows as CSV and libsvm, feedback lines.
 * Pure functions on caller-owned buffers: no I/O, no allocation, no logging.
 */
#ifndef MLFS_FORMAT_H
#define MLFS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on what a user can write; each is enforced by the parsers below. */
#define MLFS_COLUMNS_MAX 256      /* columns of a dataset */
#define MLFS_COLUMN_NAME_MAX 63   /* bytes of a column or metric name, without NUL */
#define MLFS_LINE_MAX 65536       /* bytes of one CSV or feedback line, without newline */

/* Enough for any formatted value: "-9223372036854775808" or "%.17g" of a double. */
#define MLFS_VALUE_TEXT_MAX 32

/* Bytes of a text quoted in a log line; more is cut and marked with "...". */
#define MLFS_QUOTE_MAX 32
/* Size of the buffer mlfs_quote() writes: every byte may become "\xNN", plus "..." and NUL. */
#define MLFS_QUOTE_BUF (MLFS_QUOTE_MAX + 8)

/*
 * mlfs_quote() - @len bytes of @s as printable ASCII for a message: at most about
 * MLFS_QUOTE_MAX bytes, control and non-ASCII bytes and quotes escaped, "..." when cut.
 * Log lines must stay one line and readable whatever a user or a kernel wrote.
 * Returns @buf.
 */
const char *mlfs_quote(const char *s, size_t len, char buf[MLFS_QUOTE_BUF]);

/* A dataset cell: one of SQLite's two numeric storage classes. */
enum mlfs_value_type {
	MLFS_VALUE_INT,
	MLFS_VALUE_REAL,
	MLFS_VALUE_TYPE_MAX,
};

struct mlfs_value {
	union {
		int64_t i;
		double r;
	};
	enum mlfs_value_type type;
};

/* Why a parse failed, for the daemon's one log line. */
struct mlfs_parse_error {
	unsigned column; /* 1-based field that failed, 0 when not about one field */
	char msg[128];
};

/*
 * mlfs_value_parse() - parse one number: a decimal integer that fits int64, or a
 * finite real ("2.5", "-1e-3"). Leading and trailing blanks are ignored.
 * Returns 0, -EINVAL (not a number, NaN, infinity) or -ERANGE (does not fit).
 */
int mlfs_value_parse(const char *s, size_t len, struct mlfs_value *ret_value);

/*
 * mlfs_value_format() - write @v as text into @buf (at least MLFS_VALUE_TEXT_MAX
 * bytes, not NUL-terminated). Reals use the shortest form that reads back exactly.
 * Returns the number of bytes written.
 */
size_t mlfs_value_format(const struct mlfs_value *v, char *buf);

/* True when @name is a valid column or metric name: [A-Za-z_][A-Za-z0-9_]{0,62}. */
bool mlfs_name_valid(const char *name, size_t len);

/*
 * mlfs_csv_is_header() - true when the first field of @line is not a number, i.e.
 * the line names columns rather than holding a row.
 */
bool mlfs_csv_is_header(const char *line, size_t len);

/*
 * mlfs_csv_parse_header() - split a header line into column names.
 * @line has no newline. Names must be valid and distinct; at most @max of them.
 * @names receives NUL-terminated names. Returns the column count or -EINVAL.
 */
int mlfs_csv_parse_header(const char *line, size_t len, char (*names)[MLFS_COLUMN_NAME_MAX + 1],
			  unsigned max, struct mlfs_parse_error *err);

/*
 * mlfs_csv_parse_row() - parse a data line of exactly @ncols numbers into @ret_row.
 * @line has no newline; a trailing '\r' is accepted. Returns 0, -EINVAL (wrong
 * column count, not a number, NUL byte, NaN) or -ERANGE (number too large).
 */
int mlfs_csv_parse_row(const char *line, size_t len, unsigned ncols, struct mlfs_value *ret_row,
		       struct mlfs_parse_error *err);

/* Upper bound of the bytes mlfs_csv_format_row() or mlfs_svm_format_row() writes. */
#define MLFS_ROW_TEXT_MAX(ncols) ((size_t)(ncols) * (MLFS_VALUE_TEXT_MAX + 8) + 2)

/* Header line "a,b,target\n" into @buf of @cap bytes; returns its length or -ENOSPC. */
int mlfs_csv_format_header(const char (*names)[MLFS_COLUMN_NAME_MAX + 1], unsigned ncols,
			   char *buf, size_t cap);

/* One CSV row with its newline into @buf (MLFS_ROW_TEXT_MAX(ncols) bytes); returns length. */
size_t mlfs_csv_format_row(const struct mlfs_value *row, unsigned ncols, char *buf);

/*
 * mlfs_svm_format_row() - one row in libsvm's sparse format: the value of column
 * @target first, then "index:value" for the other columns, numbered from 1 in
 * column order without the target, zeros omitted; newline-terminated.
 * @buf holds MLFS_ROW_TEXT_MAX(ncols) bytes. Returns the length, 0 when @target >= @ncols.
 */
size_t mlfs_svm_format_row(const struct mlfs_value *row, unsigned ncols, unsigned target,
			   char *buf);

/* Which side of an A/B split a feedback report is about. */
enum mlfs_arm {
	MLFS_ARM_NONE,
	MLFS_ARM_ML,
	MLFS_ARM_DEFAULT,
	MLFS_ARM_MAX,
};

/* "ml", "default", or "" for MLFS_ARM_NONE. */
const char *mlfs_arm_name(enum mlfs_arm arm);

/* One metric reported about a subsystem's behaviour. */
struct mlfs_feedback {
	int64_t recommendation; /* id of the recommendation judged, or -1 */
	enum mlfs_arm arm;
	char metric[MLFS_COLUMN_NAME_MAX + 1];
	double value;
};

/* Most metrics one feedback line may carry. */
#define MLFS_FEEDBACK_LINE_METRICS 16

/*
 * mlfs_feedback_parse_line() - parse a line written to a feedback file, in one of
 * two forms:
 *   key=value pairs separated by blanks or commas, e.g.
 *     "recommendation=42 arm=ml throughput=812.5 latency_us=90";
 *     the keys "recommendation" (integer id) and "arm" (ml|default) qualify every
 *     other pair, each of which is one metric;
 *   a CSV row "metric,value" or "recommendation,arm,metric,value" (fields
 *     may be empty for recommendation and arm), matching the columns the file
 *     shows when read.
 * Fills up to @max reports and returns how many (at least 1), or -EINVAL.
 */
int mlfs_feedback_parse_line(const char *line, size_t len, struct mlfs_feedback *ret,
			     unsigned max, struct mlfs_parse_error *err);

#endif
