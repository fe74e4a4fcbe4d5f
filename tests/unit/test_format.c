// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Unit suite for src/format: what a user sees when writing CSV rows and feedback lines
 * into /mlfs and reading datasets back as CSV or libsvm text. Lines are passed with
 * explicit lengths, never relying on a NUL, as FUSE write buffers have none.
 */
#include <check.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* A string literal and its length, NULs included. */
#define LIT(s) s, sizeof(s) - 1

static int parse(const char *s, size_t len, struct mlfs_value *v)
{
	return mlfs_value_parse(s, len, v);
}

/* @v formatted and NUL-terminated, in a buffer that lives until the next call. */
static const char *format(const struct mlfs_value *v)
{
	static char buf[MLFS_VALUE_TEXT_MAX + 1];
	size_t n = mlfs_value_format(v, buf);

	ck_assert_uint_lt(n, sizeof(buf));
	buf[n] = '\0';
	return buf;
}

static struct mlfs_value int_value(int64_t i)
{
	return (struct mlfs_value){ .type = MLFS_VALUE_INT, .i = i };
}

static struct mlfs_value real_value(double r)
{
	return (struct mlfs_value){ .type = MLFS_VALUE_REAL, .r = r };
}

/* A message goes into one log line: printable ASCII only, and never empty. */
static void assert_msg_printable(const struct mlfs_parse_error *err)
{
	size_t i, n = strnlen(err->msg, sizeof(err->msg));

	ck_assert_uint_lt(n, sizeof(err->msg));
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++)
		ck_assert_msg(err->msg[i] >= 0x20 && err->msg[i] < 0x7f,
			      "raw byte 0x%02x in \"%s\"", (unsigned char)err->msg[i], err->msg);
}

/* @err holds a printable message that contains @needle. */
static void assert_msg_has(const struct mlfs_parse_error *err, const char *needle)
{
	assert_msg_printable(err);
	ck_assert_msg(strstr(err->msg, needle), "\"%s\" lacks \"%s\"", err->msg, needle);
}

/* Parsing the row [line, line + len) fails with @errnum and a message containing @needle. */
static void row_error(const char *line, size_t len, unsigned ncols, int errnum, const char *needle)
{
	struct mlfs_value row[MLFS_COLUMNS_MAX];
	struct mlfs_parse_error err = { 0 };

	ck_assert_int_eq(mlfs_csv_parse_row(line, len, ncols, row, &err), errnum);
	assert_msg_has(&err, needle);
}

#define ck_assert_row_error(lit, ncols, errnum, needle) row_error(LIT(lit), ncols, errnum, needle)

START_TEST(test_int_parse)
{
	struct mlfs_value v;

	ck_assert_int_eq(parse(LIT("42"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_INT);
	ck_assert_int_eq(v.i, 42);
	ck_assert_int_eq(parse(LIT("-17"), &v), 0);
	ck_assert_int_eq(v.i, -17);
	ck_assert_int_eq(parse(LIT("+5"), &v), 0);
	ck_assert_int_eq(v.i, 5);
	ck_assert_int_eq(parse(LIT("007"), &v), 0);
	ck_assert_int_eq(v.i, 7);
	/* Leading zeros do not make a number too long. */
	ck_assert_int_eq(parse(LIT("0000000000000000000000042"), &v), 0);
	ck_assert_int_eq(v.i, 42);
	ck_assert_int_eq(parse(LIT("-0"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_INT);
	ck_assert_int_eq(v.i, 0);
	ck_assert_str_eq(format(&v), "0");
}
END_TEST

START_TEST(test_int_limits)
{
	struct mlfs_value v;

	ck_assert_int_eq(parse(LIT("9223372036854775807"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_INT);
	ck_assert(v.i == INT64_MAX);
	ck_assert_str_eq(format(&v), "9223372036854775807");
	ck_assert_int_eq(parse(LIT("-9223372036854775808"), &v), 0);
	ck_assert(v.i == INT64_MIN);
	ck_assert_str_eq(format(&v), "-9223372036854775808");
	ck_assert_int_eq(parse(LIT("9223372036854775808"), &v), -ERANGE);
	ck_assert_int_eq(parse(LIT("-9223372036854775809"), &v), -ERANGE);
	ck_assert_int_eq(parse(LIT("18446744073709551616"), &v), -ERANGE);
	ck_assert_int_eq(parse(LIT("99999999999999999999999"), &v), -ERANGE);
}
END_TEST

START_TEST(test_int_format_matches_printf)
{
	char want[32];
	int k, j;

	/* Every digit count and both sides of each power of ten. */
	for (k = 0; k < 19; k++) {
		int64_t p = 1, cases[6];
		size_t i;

		for (j = 0; j < k; j++)
			p *= 10;
		cases[0] = p - 1;
		cases[1] = p;
		cases[2] = p + 1;
		cases[3] = -p;
		cases[4] = 1 - p;
		cases[5] = p / 10 * 91 + 3;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct mlfs_value v = int_value(cases[i]);

			snprintf(want, sizeof(want), "%" PRId64, cases[i]);
			ck_assert_str_eq(format(&v), want);
		}
	}
}
END_TEST

START_TEST(test_blanks)
{
	struct mlfs_value v;

	ck_assert_int_eq(parse(LIT(" \t42 \t"), &v), 0);
	ck_assert_int_eq(v.i, 42);
	ck_assert_int_eq(parse(LIT("  2.5 "), &v), 0);
	ck_assert_double_eq(v.r, 2.5);
	ck_assert_int_eq(parse(LIT(""), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT(" \t "), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT("4 2"), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT("- 4"), &v), -EINVAL);
	/* Only blanks: a newline inside a field is not ignored. */
	ck_assert_int_eq(parse(LIT("4\n"), &v), -EINVAL);
}
END_TEST

START_TEST(test_real_parse)
{
	struct mlfs_value v;

	ck_assert_int_eq(parse(LIT("2.5"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_REAL);
	ck_assert_double_eq(v.r, 2.5);
	ck_assert_int_eq(parse(LIT("-1e-3"), &v), 0);
	ck_assert_double_eq(v.r, -1e-3);
	ck_assert_int_eq(parse(LIT("1."), &v), 0);
	ck_assert_double_eq(v.r, 1.0);
	ck_assert_int_eq(parse(LIT(".5"), &v), 0);
	ck_assert_double_eq(v.r, 0.5);
	ck_assert_int_eq(parse(LIT("1E+2"), &v), 0);
	ck_assert_double_eq(v.r, 100.0);
	/* An exponent makes a real: the type must survive export and re-import. */
	ck_assert_int_eq(parse(LIT("1e5"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_REAL);
	ck_assert_int_eq(parse(LIT("3.0"), &v), 0);
	ck_assert_int_eq(v.type, MLFS_VALUE_REAL);
	ck_assert_str_eq(format(&v), "3.0");
	/* Too many digits for int64 but written as a real is fine. */
	ck_assert_int_eq(parse(LIT("12345678901234567890123.0"), &v), 0);
	ck_assert_double_eq(v.r, 12345678901234567890123.0);
}
END_TEST

START_TEST(test_real_rejected)
{
	static const char *const invalid[] = {
		"nan",	 "NaN",	 "-nan", "inf",	  "-inf", "+Inf", "infinity", "Infinity",
		"0x1p3", "0x10", "1e",	 "e5",	  ".",	  "-",	  "+",	      "1.2.3",
		"--1",	 "+-1",	 "1,5",	 "12abc", "1 e5", "1e+",  "1e5.0",    "\"1\"",
	};
	struct mlfs_value v;
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ck_assert_msg(parse(invalid[i], strlen(invalid[i]), &v) == -EINVAL, "%s accepted",
			      invalid[i]);
	ck_assert_int_eq(parse(LIT("1e309"), &v), -ERANGE);
	ck_assert_int_eq(parse(LIT("-1e400"), &v), -ERANGE);
	/* Underflow to zero loses the value as much as overflow does. */
	ck_assert_int_eq(parse(LIT("1e-400"), &v), -ERANGE);
	/* A zero with a large exponent is still exactly zero. */
	ck_assert_int_eq(parse(LIT("0e-400"), &v), 0);
	ck_assert_double_eq(v.r, 0.0);
}
END_TEST

START_TEST(test_real_too_long)
{
	char text[256];
	struct mlfs_value v;

	text[0] = '0';
	text[1] = '.';
	memset(text + 2, '0', 200);
	text[202] = '1';
	ck_assert_int_eq(parse(text, 203, &v), -ERANGE);
}
END_TEST

START_TEST(test_nul_rejected)
{
	struct mlfs_value v;

	ck_assert_int_eq(parse(LIT("1\0"), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT("\0001"), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT("4\0002"), &v), -EINVAL);
	ck_assert_int_eq(parse(LIT("2.5\0"), &v), -EINVAL);
}
END_TEST

START_TEST(test_real_round_trip)
{
	const double cases[] = {
		0.1,
		1e300,
		5e-324,
		-0.0,
		1.0 / 3,
		DBL_MAX,
		-DBL_MAX,
		DBL_MIN,
		2.5e-308,
		123456.789,
		1e-5,
		9007199254740993.0,
		0.30000000000000004,
		-2.0,
		1e15,
		1e16,
		1e17,
		4.35,
		0.1 + 0.2,
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlfs_value v = real_value(cases[i]), back;
		const char *text = format(&v);

		ck_assert_int_eq(parse(text, strlen(text), &back), 0);
		ck_assert_msg(back.type == MLFS_VALUE_REAL, "%s reads back as an integer", text);
		ck_assert_msg(memcmp(&back.r, &cases[i], sizeof(double)) == 0,
			      "%.17g became \"%s\"", cases[i], text);
	}
}
END_TEST

START_TEST(test_real_format_shortest)
{
	struct mlfs_value v;

	v = real_value(0.1);
	ck_assert_str_eq(format(&v), "0.1");
	v = real_value(1e300);
	ck_assert_str_eq(format(&v), "1e+300");
	v = real_value(2.5);
	ck_assert_str_eq(format(&v), "2.5");
	v = real_value(0.1 + 0.2);
	ck_assert_str_eq(format(&v), "0.30000000000000004");
	/* Integral reals keep a mark of their type. */
	v = real_value(3.0);
	ck_assert_str_eq(format(&v), "3.0");
	v = real_value(-0.0);
	ck_assert_str_eq(format(&v), "-0.0");
	v = real_value(0.0);
	ck_assert_str_eq(format(&v), "0.0");
	v = real_value(1e15);
	ck_assert_str_eq(format(&v), "1e+15");
	v = real_value(-DBL_MAX);
	ck_assert_str_eq(format(&v), "-1.7976931348623157e+308");
}
END_TEST

/* The definition of the real format, the slow way: three printf calls. */
static const char *shortest_by_printf(double r)
{
	static char text[64];
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(text, sizeof(text) - 2, "%.*g", prec, r);
		if (strtod(text, NULL) == r)
			break;
	}
	if (!strpbrk(text, ".e"))
		memcpy(text + n, ".0", 3);
	return text;
}

START_TEST(test_real_format_matches_printf)
{
	uint64_t seed = 0x9e3779b97f4a7c15, bits;
	double r;
	int i;

	/* Random bit patterns cover every exponent; then short decimals and powers of ten. */
	for (i = 0; i < 300000; i++) {
		struct mlfs_value v;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		bits = seed ^ (seed >> 29);
		if (i % 3 == 1)
			bits = (bits & 0x800fffffffffffffULL) |
			       ((uint64_t)(1023 + i % 80 - 40) << 52);
		memcpy(&r, &bits, sizeof(r));
		if (i % 3 == 2)
			r = (double)(int64_t)(seed >> 40) / 1000.0;
		if (!isfinite(r))
			continue;
		v = real_value(r);
		ck_assert_str_eq(format(&v), shortest_by_printf(r));
	}
	for (r = 1e-320; r < 1e307; r *= 10) {
		struct mlfs_value v = real_value(r);

		ck_assert_str_eq(format(&v), shortest_by_printf(r));
		v = real_value(-r * 3);
		ck_assert_str_eq(format(&v), shortest_by_printf(-r * 3));
	}
}
END_TEST

START_TEST(test_name_valid)
{
	char name[MLFS_COLUMN_NAME_MAX + 2];

	ck_assert(mlfs_name_valid(LIT("a")));
	ck_assert(mlfs_name_valid(LIT("_")));
	ck_assert(mlfs_name_valid(LIT("Latency_us2")));
	ck_assert(!mlfs_name_valid(LIT("")));
	ck_assert(!mlfs_name_valid(LIT("2x")));
	ck_assert(!mlfs_name_valid(LIT("a-b")));
	ck_assert(!mlfs_name_valid(LIT("a b")));
	ck_assert(!mlfs_name_valid(LIT("a\0")));
	ck_assert(!mlfs_name_valid(LIT("caf\xc3\xa9")));
	memset(name, 'n', sizeof(name));
	ck_assert(mlfs_name_valid(name, MLFS_COLUMN_NAME_MAX));
	ck_assert(!mlfs_name_valid(name, MLFS_COLUMN_NAME_MAX + 1));
}
END_TEST

START_TEST(test_arm_name)
{
	ck_assert_str_eq(mlfs_arm_name(MLFS_ARM_NONE), "");
	ck_assert_str_eq(mlfs_arm_name(MLFS_ARM_ML), "ml");
	ck_assert_str_eq(mlfs_arm_name(MLFS_ARM_DEFAULT), "default");
	ck_assert_ptr_null(mlfs_arm_name(MLFS_ARM_MAX));
}
END_TEST

START_TEST(test_is_header)
{
	ck_assert(mlfs_csv_is_header(LIT("a,b,target")));
	ck_assert(mlfs_csv_is_header(LIT("x")));
	ck_assert(mlfs_csv_is_header(LIT("nan,1")));
	ck_assert(mlfs_csv_is_header(LIT("\"a\",b")));
	ck_assert(!mlfs_csv_is_header(LIT("1,2,3")));
	ck_assert(!mlfs_csv_is_header(LIT(" 3 ,x")));
	ck_assert(!mlfs_csv_is_header(LIT("-1.5,x")));
	ck_assert(!mlfs_csv_is_header(LIT("1e5\r")));
	ck_assert(!mlfs_csv_is_header(LIT("7\r")));
	/* Out of range is still a number: the row is refused for that, not read as names. */
	ck_assert(!mlfs_csv_is_header(LIT("99999999999999999999,1")));
}
END_TEST

START_TEST(test_header_parse)
{
	char names[4][MLFS_COLUMN_NAME_MAX + 1];
	struct mlfs_parse_error err = { 0 };

	ck_assert_int_eq(mlfs_csv_parse_header(LIT("a,b,target"), names, 4, &err), 3);
	ck_assert_str_eq(names[0], "a");
	ck_assert_str_eq(names[1], "b");
	ck_assert_str_eq(names[2], "target");
	ck_assert_int_eq(mlfs_csv_parse_header(LIT(" cpu\t, load_avg ,y\r"), names, 4, &err), 3);
	ck_assert_str_eq(names[0], "cpu");
	ck_assert_str_eq(names[1], "load_avg");
	ck_assert_str_eq(names[2], "y");
	/* Exactly @max columns is fine. */
	ck_assert_int_eq(mlfs_csv_parse_header(LIT("a,b,c,d"), names, 4, &err), 4);
}
END_TEST

static void header_error(const char *line, size_t len, unsigned max, unsigned column,
			 const char *needle)
{
	char names[8][MLFS_COLUMN_NAME_MAX + 1];
	struct mlfs_parse_error err = { 0 };

	ck_assert_int_eq(mlfs_csv_parse_header(line, len, names, max, &err), -EINVAL);
	ck_assert_uint_eq(err.column, column);
	assert_msg_has(&err, needle);
}

#define ck_assert_header_error(lit, max, column, needle) header_error(LIT(lit), max, column, needle)

START_TEST(test_header_errors)
{
	char longname[MLFS_COLUMN_NAME_MAX + 1];

	ck_assert_header_error("a,b,a", 8, 3, "duplicate column name \"a\"");
	/* SQLite column names ignore case, so these would collide in the database. */
	ck_assert_header_error("Load,load", 8, 2, "duplicate");
	ck_assert_header_error("a,1b", 8, 2, "\"1b\" is not a name");
	ck_assert_header_error("a,,b", 8, 2, "column 2 has no name");
	ck_assert_header_error("", 8, 1, "column 1 has no name");
	ck_assert_header_error("a,b,", 8, 3, "no name");
	ck_assert_header_error("a,b,c", 2, 0, "more than 2 columns");
	ck_assert_header_error("a,b\0", 8, 2, "\\x00");
	ck_assert_header_error("a,b\r\r", 8, 2, "\\x0d");
	ck_assert_header_error("\"a\",b", 8, 1, "\\\"a\\\"");
	memset(longname, 'x', sizeof(longname));
	header_error(longname, sizeof(longname), 8, 1, "xxx...");
}
END_TEST

START_TEST(test_error_quote_bounded)
{
	char names[1][MLFS_COLUMN_NAME_MAX + 1];
	struct mlfs_parse_error err;
	char line[300];

	/* A long field of terminal escapes: quoted short, escaped, never raw. */
	memset(line, '\x1b', sizeof(line));
	ck_assert_int_eq(mlfs_csv_parse_header(line, sizeof(line), names, 1, &err), -EINVAL);
	assert_msg_has(&err, "\"\\x1b\\x1b");
	assert_msg_has(&err, "...\"");
	/* About 32 bytes of the field are shown: eight escapes, not nine. */
	ck_assert_ptr_null(strstr(err.msg, "\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b"));
}
END_TEST

START_TEST(test_row_parse)
{
	struct mlfs_value row[8];
	struct mlfs_parse_error err = { 0 };
	int i;

	ck_assert_int_eq(mlfs_csv_parse_row(LIT("1,-2,3,4,5,6,7,-0"), 8, row, &err), 0);
	for (i = 0; i < 7; i++) {
		ck_assert_int_eq(row[i].type, MLFS_VALUE_INT);
		ck_assert_int_eq(row[i].i, (i + 1) * (i == 1 ? -1 : 1));
	}
	ck_assert_int_eq(row[7].i, 0);
	ck_assert_int_eq(mlfs_csv_parse_row(LIT(" 1 ,\t2.5, +3,4e2 \r"), 4, row, &err), 0);
	ck_assert_int_eq(row[0].i, 1);
	ck_assert_int_eq(row[1].type, MLFS_VALUE_REAL);
	ck_assert_double_eq(row[1].r, 2.5);
	ck_assert_int_eq(row[2].type, MLFS_VALUE_INT);
	ck_assert_int_eq(row[2].i, 3);
	ck_assert_int_eq(row[3].type, MLFS_VALUE_REAL);
	ck_assert_double_eq(row[3].r, 400.0);
	/* Integers around the 18-digit fast path and the int64 limits. */
	ck_assert_int_eq(mlfs_csv_parse_row(LIT("999999999999999999,-999999999999999999,"
						"9223372036854775807,-9223372036854775808"),
					    4, row, &err),
			 0);
	ck_assert(row[0].i == 999999999999999999);
	ck_assert(row[1].i == -999999999999999999);
	ck_assert(row[2].i == INT64_MAX);
	ck_assert(row[3].i == INT64_MIN);
	/* Only @len bytes are read: what follows in the buffer is not part of the line. */
	ck_assert_int_eq(mlfs_csv_parse_row("1,2,3999", 5, 3, row, &err), 0);
	ck_assert_int_eq(row[2].i, 3);
}
END_TEST

START_TEST(test_row_errors)
{
	struct mlfs_value row[8];
	struct mlfs_parse_error err = { 0 };

	ck_assert_row_error("1,2,3,4,5,6,7", 8, -EINVAL, "expected 8 values, found 7");
	ck_assert_row_error("1,2,3,4,5,6,7,8,9", 8, -EINVAL, "expected 8 values, found 9");
	ck_assert_row_error("1,2,", 2, -EINVAL, "expected 2 values, found 3");
	ck_assert_row_error("", 2, -EINVAL, "empty line");
	ck_assert_row_error("\r", 2, -EINVAL, "empty line");
	ck_assert_row_error("1,,3", 3, -EINVAL, "column 2 is empty");
	ck_assert_row_error("1, ,3", 3, -EINVAL, "column 2 is empty");
	ck_assert_row_error("1,abc,3", 3, -EINVAL, "column 2: \"abc\" is not a number");
	ck_assert_row_error("1,2,nan", 3, -EINVAL, "column 3: \"nan\"");
	ck_assert_row_error("1,inf", 2, -EINVAL, "not a number");
	ck_assert_row_error("1,2,3\r\r", 3, -EINVAL, "\"3\\x0d\"");
	ck_assert_row_error("1,2\0,3", 3, -EINVAL, "column 2: \"2\\x00\" contains a NUL byte");
	ck_assert_row_error("1,2,3\0", 3, -EINVAL, "NUL byte");
	ck_assert_row_error("1,9223372036854775808", 2, -ERANGE,
			    "column 2: \"9223372036854775808\" is out of range");
	ck_assert_row_error("1e999,2", 2, -ERANGE, "column 1");
	/* The failing column is reported for the daemon's log line. */
	ck_assert_int_eq(mlfs_csv_parse_row(LIT("1,2,x,4"), 4, row, &err), -EINVAL);
	ck_assert_uint_eq(err.column, 3);
	ck_assert_int_eq(mlfs_csv_parse_row(LIT("1,2"), 4, row, &err), -EINVAL);
	ck_assert_uint_eq(err.column, 0);
	/* Callers that do not want the message may pass no error. */
	ck_assert_int_eq(mlfs_csv_parse_row(LIT("1,x"), 2, row, NULL), -EINVAL);
}
END_TEST

START_TEST(test_header_format)
{
	static const char names[3][MLFS_COLUMN_NAME_MAX + 1] = { "a", "b", "target" };
	char buf[64];

	ck_assert_int_eq(mlfs_csv_format_header(names, 3, buf, sizeof(buf)), 11);
	ck_assert_mem_eq(buf, "a,b,target\n", 11);
	ck_assert_int_eq(mlfs_csv_format_header(names, 3, buf, 11), 11);
	ck_assert_int_eq(mlfs_csv_format_header(names, 3, buf, 10), -ENOSPC);
	ck_assert_int_eq(mlfs_csv_format_header(names, 3, buf, 0), -ENOSPC);
}
END_TEST

START_TEST(test_row_format)
{
	struct mlfs_value row[5] = { int_value(1), int_value(-2), real_value(2.5), real_value(3.0),
				     int_value(INT64_MIN) };
	const char want[] = "1,-2,2.5,3.0,-9223372036854775808\n";
	char buf[MLFS_ROW_TEXT_MAX(5)];
	struct mlfs_value back[5];
	size_t n;
	int i;

	n = mlfs_csv_format_row(row, 5, buf);
	ck_assert_uint_eq(n, sizeof(want) - 1);
	ck_assert_mem_eq(buf, want, n);
	/* What is exported reads back to the same values and the same types. */
	ck_assert_int_eq(mlfs_csv_parse_row(buf, n - 1, 5, back, NULL), 0);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(back[i].type, row[i].type);
		ck_assert(memcmp(&back[i], &row[i], sizeof(int64_t)) == 0);
	}
}
END_TEST

START_TEST(test_row_format_bound)
{
	unsigned ncols = MLFS_COLUMNS_MAX, i;
	struct mlfs_value row[MLFS_COLUMNS_MAX];
	size_t cap = MLFS_ROW_TEXT_MAX(ncols);
	/* Exactly the documented size, on the heap so that a sanitizer sees any overrun. */
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < ncols; i++)
		row[i] = i % 2 ? int_value(INT64_MIN) : real_value(-2.2250738585072014e-308);
	ck_assert_uint_le(mlfs_csv_format_row(row, ncols, buf), cap);
	ck_assert_uint_le(mlfs_svm_format_row(row, ncols, ncols - 1, buf), cap);
	free(buf);
}
END_TEST

static const char *svm(const struct mlfs_value *row, unsigned ncols, unsigned target)
{
	static char buf[MLFS_ROW_TEXT_MAX(MLFS_COLUMNS_MAX) + 1];
	size_t n = mlfs_svm_format_row(row, ncols, target, buf);

	buf[n] = '\0';
	return buf;
}

START_TEST(test_svm_format)
{
	struct mlfs_value row[5] = { int_value(1), int_value(7), int_value(0), real_value(2.5),
				     int_value(-3) };
	struct mlfs_value zeros[4] = { real_value(0.0), real_value(-0.0), int_value(0),
				       real_value(0.5) };

	/* Target in the middle: features keep their order and are numbered without it. */
	ck_assert_str_eq(svm(row, 5, 1), "7 1:1 3:2.5 4:-3\n");
	ck_assert_str_eq(svm(row, 5, 0), "1 1:7 3:2.5 4:-3\n");
	ck_assert_str_eq(svm(row, 5, 4), "-3 1:1 2:7 4:2.5\n");
	/* A zero target is still the label; zero features, real or integer, are left out. */
	ck_assert_str_eq(svm(zeros, 4, 2), "0 3:0.5\n");
	ck_assert_str_eq(svm(zeros, 4, 3), "0.5\n");
	ck_assert_str_eq(svm(zeros, 1, 0), "0.0\n");
	ck_assert_str_eq(svm(row, 5, 5), "");
}
END_TEST

START_TEST(test_feedback_pairs)
{
	struct mlfs_feedback fb[MLFS_FEEDBACK_LINE_METRICS];
	struct mlfs_parse_error err = { 0 };

	ck_assert_int_eq(mlfs_feedback_parse_line(
				 LIT("recommendation=42 arm=ml throughput=812.5 latency_us=90"), fb,
				 MLFS_FEEDBACK_LINE_METRICS, &err),
			 2);
	ck_assert_str_eq(fb[0].metric, "throughput");
	ck_assert_double_eq(fb[0].value, 812.5);
	ck_assert_str_eq(fb[1].metric, "latency_us");
	ck_assert_double_eq(fb[1].value, 90.0);
	ck_assert_int_eq(fb[0].recommendation, 42);
	ck_assert_int_eq(fb[1].recommendation, 42);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_ML);
	ck_assert_int_eq(fb[1].arm, MLFS_ARM_ML);
	/* Qualifiers apply to every metric, wherever they are on the line. */
	ck_assert_int_eq(mlfs_feedback_parse_line(LIT("hits=3,arm=default,\trecommendation=7\r"),
						  fb, 4, &err),
			 1);
	ck_assert_int_eq(fb[0].recommendation, 7);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_DEFAULT);
	ck_assert_double_eq(fb[0].value, 3.0);
	/* Without qualifiers: about no recommendation, no arm. */
	ck_assert_int_eq(mlfs_feedback_parse_line(LIT("  x=-1e-3  "), fb, 4, &err), 1);
	ck_assert_int_eq(fb[0].recommendation, -1);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_NONE);
	ck_assert_double_eq(fb[0].value, -1e-3);
}
END_TEST

START_TEST(test_feedback_csv)
{
	struct mlfs_feedback fb[2];
	struct mlfs_parse_error err = { 0 };

	ck_assert_int_eq(mlfs_feedback_parse_line(LIT("latency_us,90"), fb, 2, &err), 1);
	ck_assert_str_eq(fb[0].metric, "latency_us");
	ck_assert_double_eq(fb[0].value, 90.0);
	ck_assert_int_eq(fb[0].recommendation, -1);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_NONE);
	ck_assert_int_eq(mlfs_feedback_parse_line(LIT(" 42 , default , iops , 1.5\r"), fb, 2, &err),
			 1);
	ck_assert_int_eq(fb[0].recommendation, 42);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_DEFAULT);
	ck_assert_str_eq(fb[0].metric, "iops");
	ck_assert_double_eq(fb[0].value, 1.5);
	/* Empty recommendation and arm, as the file shows a report about neither. */
	ck_assert_int_eq(mlfs_feedback_parse_line(LIT(",,iops,2"), fb, 2, &err), 1);
	ck_assert_int_eq(fb[0].recommendation, -1);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_NONE);
	ck_assert_int_eq(mlfs_feedback_parse_line(LIT("-1,ml,iops,2"), fb, 2, &err), 1);
	ck_assert_int_eq(fb[0].recommendation, -1);
	ck_assert_int_eq(fb[0].arm, MLFS_ARM_ML);
}
END_TEST

static void feedback_error(const char *line, size_t len, unsigned max, const char *needle)
{
	struct mlfs_feedback fb[MLFS_FEEDBACK_LINE_METRICS];
	struct mlfs_parse_error err = { 0 };

	ck_assert_uint_le(max, MLFS_FEEDBACK_LINE_METRICS);
	ck_assert_int_eq(mlfs_feedback_parse_line(line, len, fb, max, &err), -EINVAL);
	assert_msg_has(&err, needle);
}

#define ck_assert_feedback_error(lit, max, needle) feedback_error(LIT(lit), max, needle)

START_TEST(test_feedback_errors)
{
	struct mlfs_feedback fb[MLFS_FEEDBACK_LINE_METRICS + 1];
	char many[512];
	int i, n = 0;

	ck_assert_feedback_error("arm=ML x=1", 4, "unknown arm \"ML\"");
	ck_assert_feedback_error("arm=both x=1", 4, "unknown arm");
	ck_assert_feedback_error("arm= x=1", 4, "\"arm=\" is not a key=value pair");
	ck_assert_feedback_error("1,foo,x,1", 4, "unknown arm \"foo\"");
	ck_assert_feedback_error("recommendation=4.5 x=1", 4, "recommendation \"4.5\"");
	ck_assert_feedback_error("recommendation=abc x=1", 4, "not an id");
	ck_assert_feedback_error("recommendation=-2 x=1", 4, "not an id");
	ck_assert_feedback_error("4.5,ml,x,1", 4, "not an id");
	ck_assert_feedback_error("x=nan", 4, "metric x: \"nan\" is not a number");
	ck_assert_feedback_error("x=inf", 4, "not a number");
	ck_assert_feedback_error("x,-infinity", 4, "not a number");
	ck_assert_feedback_error("x=1e999", 4, "out of range");
	ck_assert_feedback_error("1x=5", 4, "\"1x\" is not a metric name");
	ck_assert_feedback_error("a-b=5", 4, "not a metric name");
	ck_assert_feedback_error("arm,5", 4, "\"arm\" is not a metric name");
	ck_assert_feedback_error(",5", 4, "not a metric name");
	ck_assert_feedback_error("recommendation=1 arm=ml", 4, "no metric");
	ck_assert_feedback_error("", 4, "no metric");
	ck_assert_feedback_error(" \t\r", 4, "no metric");
	ck_assert_feedback_error("a=1 b=2 c=3", 2, "more than 2 metrics");
	ck_assert_feedback_error("a,1", 0, "more than 0 metrics");
	ck_assert_feedback_error("x=1 y", 4, "\"y\" is not a key=value pair");
	ck_assert_feedback_error("=5", 4, "not a key=value pair");
	ck_assert_feedback_error("x = 5", 4, "not a key=value pair");
	ck_assert_feedback_error("recommendation=1 recommendation=2 x=1", 4, "twice");
	ck_assert_feedback_error("arm=ml arm=ml x=1", 4, "twice");
	ck_assert_feedback_error("x=1 x=2", 4, "metric x is given twice");
	ck_assert_feedback_error("a,b,c", 4, "found 3 fields");
	ck_assert_feedback_error("hello", 4, "found 1 fields");
	ck_assert_feedback_error("1,ml,x,1,2", 4, "found 5 fields");
	ck_assert_feedback_error("x=1\0", 4, "NUL byte");
	ck_assert_feedback_error("x,\0001", 4, "NUL byte");
	ck_assert_feedback_error("x=\x1b[31m", 4, "\\x1b");

	/* One more metric than a line may carry. */
	for (i = 0; i <= MLFS_FEEDBACK_LINE_METRICS; i++)
		n += snprintf(many + n, sizeof(many) - n, "m%d=%d ", i, i);
	feedback_error(many, (size_t)n, MLFS_FEEDBACK_LINE_METRICS, "more than 16 metrics");
	ck_assert_int_eq(mlfs_feedback_parse_line(many, (size_t)n, fb,
						  MLFS_FEEDBACK_LINE_METRICS + 1, NULL),
			 MLFS_FEEDBACK_LINE_METRICS + 1);
	ck_assert_str_eq(fb[MLFS_FEEDBACK_LINE_METRICS].metric, "m16");
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = tcase_create("value");
	/*
	 * The printf comparisons take a few seconds alone, more than Check's default of
	 * four when the whole suite shares two cores with a VM and a browser.
	 */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_int_parse);
	tcase_add_test(tc, test_int_limits);
	tcase_add_test(tc, test_int_format_matches_printf);
	tcase_add_test(tc, test_blanks);
	tcase_add_test(tc, test_real_parse);
	tcase_add_test(tc, test_real_rejected);
	tcase_add_test(tc, test_real_too_long);
	tcase_add_test(tc, test_nul_rejected);
	tcase_add_test(tc, test_real_round_trip);
	tcase_add_test(tc, test_real_format_shortest);
	tcase_add_test(tc, test_real_format_matches_printf);
	tcase_add_test(tc, test_name_valid);
	tcase_add_test(tc, test_arm_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("csv");
	tcase_add_test(tc, test_is_header);
	tcase_add_test(tc, test_header_parse);
	tcase_add_test(tc, test_header_errors);
	tcase_add_test(tc, test_error_quote_bounded);
	tcase_add_test(tc, test_row_parse);
	tcase_add_test(tc, test_row_errors);
	tcase_add_test(tc, test_header_format);
	tcase_add_test(tc, test_row_format);
	tcase_add_test(tc, test_row_format_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("svm");
	tcase_add_test(tc, test_svm_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("feedback");
	tcase_add_test(tc, test_feedback_pairs);
	tcase_add_test(tc, test_feedback_csv);
	tcase_add_test(tc, test_feedback_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	/* TAP goes to stdout (CK_TAP_LOG_FILE_NAME=-): keep Check's own report off it. */
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
