// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * One dataset value as text and back, and the names that label values. Integers take
 * a hand-written path both ways because datasets are millions of them; reals go
 * through strtod() and snprintf(), which need the C locale's '.' for LC_NUMERIC (the
 * daemon never calls setlocale(), and must not).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "format_i.h"

/*
 * Longest real accepted, in bytes. "%.17g" needs 24; anything much longer is a
 * program printing more digits than a double holds, and strtod() needs a NUL-terminated
 * copy, which lives on the stack.
 */
#define REAL_TEXT_MAX 127

/* int64 has at most 19 decimal digits, so 19 digits cannot overflow a uint64. */
#define INT_DIGITS_MAX 19

static const char *const arm_names[MLFS_ARM_MAX] = {
	[MLFS_ARM_NONE] = "",
	[MLFS_ARM_ML] = "ml",
	[MLFS_ARM_DEFAULT] = "default",
};

/* Returns NULL when @arm is out of range, like mlfs_mode_name(). */
const char *mlfs_arm_name(enum mlfs_arm arm)
{
	if ((unsigned)arm >= MLFS_ARM_MAX)
		return NULL;
	return arm_names[arm];
}

bool mlfs_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > MLFS_COLUMN_NAME_MAX)
		return false;
	if (!(name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= 'a' && name[0] <= 'z')))
		return false;
	for (i = 1; i < len; i++) {
		char c = name[i];

		if (!(c == '_' || mlfs_is_digit(c) || (c >= 'A' && c <= 'Z') ||
		      (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

/* [p, end) is one or more digits; @neg says a '-' came before them. */
static int parse_int(const char *p, const char *end, bool neg, struct mlfs_value *ret_value)
{
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;

	/* Leading zeros do not count against the digit limit: "000...01" is 1. */
	while (end - p > 1 && *p == '0')
		p++;
	if (end - p > INT_DIGITS_MAX)
		return -ERANGE;
	for (; p < end; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (v > limit)
		return -ERANGE;
	ret_value->type = MLFS_VALUE_INT;
	/* -2^63 has no positive counterpart in int64: negate without passing through it. */
	ret_value->i = neg && v ? -(int64_t)(v - 1) - 1 : (int64_t)v;
	return 0;
}

static const char *skip_digits(const char *p, const char *end)
{
	while (p < end && mlfs_is_digit(*p))
		p++;
	return p;
}

/*
 * Only plain decimal reals reach strtod(): it would also take "nan", "inf",
 * "infinity" and hex floats ("0x1p3"), none of which is a dataset value, and
 * SQLite or a CSV reader on the other side would not read them the same way.
 */
static bool real_syntax_valid(const char *p, const char *end)
{
	const char *q;
	bool digits;

	if (p < end && (*p == '+' || *p == '-'))
		p++;
	q = skip_digits(p, end);
	digits = q > p;
	p = q;
	if (p < end && *p == '.') {
		q = skip_digits(++p, end);
		digits = digits || q > p;
		p = q;
	}
	if (!digits)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		q = skip_digits(p, end);
		if (q == p)
			return false;
		p = q;
	}
	return p == end;
}

static int parse_real(const char *p, const char *end, struct mlfs_value *ret_value)
{
	char text[REAL_TEXT_MAX + 1];
	size_t len = (size_t)(end - p);
	char *stop;
	double r;

	if (!real_syntax_valid(p, end))
		return -EINVAL;
	if (len > REAL_TEXT_MAX)
		return -ERANGE;
	memcpy(text, p, len);
	text[len] = '\0';
	errno = 0;
	r = strtod(text, &stop);
	if (stop != text + len)
		return -EINVAL;
	/*
	 * ERANGE also comes with subnormal results such as 5e-324, which are exact
	 * enough to keep; only overflow and underflow to zero lose the value.
	 */
	if (isinf(r) || (errno == ERANGE && r == 0))
		return -ERANGE;
	ret_value->type = MLFS_VALUE_REAL;
	ret_value->r = r;
	return 0;
}

int mlfs_value_parse(const char *s, size_t len, struct mlfs_value *ret_value)
{
	const char *p = s, *end = s + len, *digits, *q;
	bool neg = false;

	mlfs_trim(&p, &end);
	if (p == end)
		return -EINVAL;
	digits = p;
	if (*digits == '+' || *digits == '-') {
		neg = *digits == '-';
		digits++;
	}
	q = skip_digits(digits, end);
	if (q == end && q > digits)
		return parse_int(digits, end, neg, ret_value);
	return parse_real(p, end, ret_value);
}

/* "00", "01", ... "99": two digits per table look-up halves the divisions. */
static const char digit_pairs[201] = "0001020304050607080910111213141516171819"
				     "2021222324252627282930313233343536373839"
				     "4041424344454647484950515253545556575859"
				     "6061626364656667686970717273747576777879"
				     "8081828384858687888990919293949596979899";

static unsigned count_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	if (v >= 100)
		n += v >= 1000 ? 3 : 2;
	else if (v >= 10)
		n += 1;
	return n;
}

static size_t format_u64(uint64_t v, char *buf)
{
	unsigned n = count_digits(v);
	char *p = buf + n;

	while (v >= 100) {
		unsigned pair = (unsigned)(v % 100) * 2;

		v /= 100;
		p -= 2;
		memcpy(p, &digit_pairs[pair], 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, &digit_pairs[v * 2], 2);
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

static size_t format_int(int64_t i, char *buf)
{
	if (i < 0) {
		*buf = '-';
		/* Negate in uint64: -INT64_MIN does not fit int64. */
		return 1 + format_u64(0 - (uint64_t)i, buf + 1);
	}
	return format_u64((uint64_t)i, buf);
}

/* Significant digits that always identify a double. */
#define REAL_DIGITS 17
/*
 * Digits printed to round from: with three beyond REAL_DIGITS, a rounding that the
 * printed digits cannot decide (see round_digits()) is rare, about one in a thousand.
 */
#define SCI_DIGITS 20

/*
 * Round the SCI_DIGITS @digits to @prec of them in @out. Returns 1 when rounding
 * carried into a new leading digit (9.99 -> 10.0), 0 otherwise, or -1 when the dropped
 * digits are exactly one half: @digits are themselves rounded, so the exact value may
 * lie on either side and only a correctly rounding printf can tell.
 */
static int round_digits(const char *digits, int prec, char *out)
{
	const char *rest = digits + prec;
	int i, nrest = SCI_DIGITS - prec;

	memcpy(out, digits, (size_t)prec);
	if (rest[0] < '5')
		return 0;
	if (rest[0] == '5') {
		for (i = 1; i < nrest && rest[i] == '0'; i++)
			;
		if (i == nrest)
			return -1;
	}
	for (i = prec - 1; i >= 0; i--) {
		if (out[i] != '9') {
			out[i]++;
			return 0;
		}
		out[i] = '0';
	}
	out[0] = '1';
	return 1;
}

/*
 * Write @nd significant @digits times 10^@exp as "%.<prec>g" would: trailing zeros
 * dropped, scientific notation when @exp < -4 or @exp >= @prec.
 */
static int render_g(bool neg, const char *digits, int nd, int exp, int prec, char *buf)
{
	char *p = buf;

	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		*p++ = '-';
	if (exp < -4 || exp >= prec) {
		unsigned e = (unsigned)(exp < 0 ? -exp : exp);

		*p++ = digits[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, digits + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = exp < 0 ? '-' : '+';
		if (e >= 100) {
			*p++ = (char)('0' + e / 100);
			e %= 100;
		}
		*p++ = (char)('0' + e / 10);
		*p++ = (char)('0' + e % 10);
	} else if (exp >= 0) {
		int nint = exp + 1;

		if (nd <= nint) {
			memcpy(p, digits, (size_t)nd);
			memset(p + nd, '0', (size_t)(nint - nd));
			p += nint;
		} else {
			memcpy(p, digits, (size_t)nint);
			p += nint;
			*p++ = '.';
			memcpy(p, digits + nint, (size_t)(nd - nint));
			p += nd - nint;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)(-exp - 1));
		p += -exp - 1;
		memcpy(p, digits, (size_t)nd);
		p += nd;
	}
	return (int)(p - buf);
}

/*
 * The shortest of "%.15g", "%.16g" and "%.17g" that reads back as @r. printf costs
 * several times strtod(), so the digits are printed once and the three forms rounded
 * from them; the result is the same text the three printf calls would give.
 */
static int format_shortest(double r, char *text)
{
	char sci[MLFS_VALUE_TEXT_MAX], digits[SCI_DIGITS], cand[REAL_DIGITS];
	const char *exp_text;
	bool neg;
	int dexp = 0, prec, n;

	/* "[-]d.ddddddddddddddddddde[+-]dd[d]" */
	snprintf(sci, sizeof(sci), "%.*e", SCI_DIGITS - 1, r);
	neg = sci[0] == '-';
	digits[0] = sci[neg];
	memcpy(digits + 1, sci + neg + 2, SCI_DIGITS - 1);
	exp_text = sci + neg + SCI_DIGITS + 2;
	for (n = 1; exp_text[n]; n++)
		dexp = dexp * 10 + (exp_text[n] - '0');
	if (exp_text[0] == '-')
		dexp = -dexp;

	for (prec = 15;; prec++) {
		int carry = round_digits(digits, prec, cand);

		if (carry < 0)
			n = snprintf(text, MLFS_VALUE_TEXT_MAX, "%.*g", prec, r);
		else
			n = render_g(neg, cand, prec, dexp + carry, prec, text);
		/* REAL_DIGITS always read back exactly: no need to check. */
		if (prec == REAL_DIGITS)
			return n;
		text[n] = '\0';
		if (strtod(text, NULL) == r)
			return n;
	}
}

static size_t format_real(double r, char *buf)
{
	char text[MLFS_VALUE_TEXT_MAX];
	int n;

	/* The store holds finite values only; should NaN or infinity slip through, say so. */
	if (!isfinite(r)) {
		n = snprintf(text, sizeof(text), "%g", r);
		memcpy(buf, text, (size_t)n);
		return (size_t)n;
	}
	n = format_shortest(r, text);
	memcpy(buf, text, (size_t)n);
	/*
	 * A real must read back as a real, or the column's type would change between
	 * export and re-import (and pandas would see ints): "%g" writes 3.0 as "3", so
	 * give integral reals a ".0".
	 */
	if (!memchr(text, '.', (size_t)n) && !memchr(text, 'e', (size_t)n)) {
		memcpy(buf + n, ".0", 2);
		n += 2;
	}
	return (size_t)n;
}

size_t mlfs_value_format(const struct mlfs_value *v, char *buf)
{
	if (v->type == MLFS_VALUE_REAL)
		return format_real(v->r, buf);
	return format_int(v->i, buf);
}
