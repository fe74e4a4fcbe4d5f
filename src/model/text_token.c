// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * A strict tokenizer for the uploaded texts (libsvm model, svm-scale factors).
 * libsvm's own reader trusts its input (a short line or a missing header field
 * makes it read uninitialised memory or a NULL pointer), so every text is
 * checked with this first. Numbers are plain decimals only: no inf, nan or hex,
 * which fscanf and strtod would take but no libsvm tool ever writes.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model_i.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/*
 * The "C" locale as an object, for strtod_l() and uselocale(): the texts use a
 * decimal point whatever locale the daemon runs in. (locale_t)0 if it could not
 * be made, and then the process's locale is used.
 */
locale_t model_c_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale;
}

void text_cursor_init(struct text_cursor *c, const char *text, size_t len)
{
	c->p = text;
	c->end = text + len;
	c->line = 0;
}

bool text_next_line(struct text_cursor *c, struct text_line *ret)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	ret->p = c->p;
	ret->end = nl ? nl : c->end;
	/* A CRLF line ends where LF would; text_check_bytes() allowed \r only there. */
	if (ret->end > ret->p && ret->end[-1] == '\r')
		ret->end--;
	c->p = nl ? nl + 1 : c->end;
	c->line++;
	return true;
}

/* libsvm splits support vector lines at these two only (strtok), so must we. */
static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

bool text_next_token(struct text_line *l, const char **ret_tok, size_t *ret_len)
{
	const char *p = l->p;

	while (p < l->end && is_space(*p))
		p++;
	if (p == l->end) {
		l->p = p;
		return false;
	}
	*ret_tok = p;
	while (p < l->end && !is_space(*p))
		p++;
	*ret_len = (size_t)(p - *ret_tok);
	l->p = p;
	return true;
}

bool text_line_blank(const struct text_line *l)
{
	struct text_line copy = *l;
	const char *tok;
	size_t len;

	return !text_next_token(&copy, &tok, &len);
}

bool text_token_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/*
 * Printable ASCII, tabs and line ends only: no NUL, which would end libsvm's
 * strings early, and \r only before \n, where libsvm's reader ignores it too.
 */
int text_check_bytes(const char *text, size_t len, unsigned *ret_line, unsigned *ret_byte)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			line++;
			continue;
		}
		if ((ch >= 0x20 && ch < 0x7f) || ch == '\t')
			continue;
		if (ch == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		*ret_line = line;
		*ret_byte = ch;
		return -EINVAL;
	}
	return 0;
}

static size_t digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return (size_t)(p - s);
}

/* Longer than any number %.17g writes, with room for leading zeros people type. */
#define NUMBER_MAX 64

int text_double(const char *tok, size_t len, double *ret)
{
	const char *p = tok, *end = tok + len;
	char buf[NUMBER_MAX + 1];
	size_t whole, frac = 0;
	double v;

	if (len == 0 || len > NUMBER_MAX)
		return -EINVAL;
	if (*p == '+' || *p == '-')
		p++;
	whole = digits(p, end);
	p += whole;
	if (p < end && *p == '.') {
		p++;
		frac = digits(p, end);
		p += frac;
	}
	if (whole + frac == 0)
		return -EINVAL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		size_t exp;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		exp = digits(p, end);
		if (exp == 0)
			return -EINVAL;
		p += exp;
	}
	if (p != end)
		return -EINVAL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	v = model_c_locale() ? strtod_l(buf, NULL, model_c_locale()) : strtod(buf, NULL);
	if (!isfinite(v))
		return -ERANGE;
	*ret = v;
	return 0;
}

int text_long(const char *tok, size_t len, long lo, long hi, long *ret)
{
	const char *p = tok, *end = tok + len;
	char buf[NUMBER_MAX + 1];
	long v;

	if (len == 0 || len > NUMBER_MAX)
		return -EINVAL;
	if (*p == '+' || *p == '-')
		p++;
	if (digits(p, end) != (size_t)(end - p) || p == end)
		return -EINVAL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	errno = 0;
	v = strtol(buf, NULL, 10);
	if (errno == ERANGE || v < lo || v > hi)
		return -ERANGE;
	*ret = v;
	return 0;
}
