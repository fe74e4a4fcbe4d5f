// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The SVG writer of svg_i.h. Coordinates are written with one decimal: a tenth of
 * a pixel is finer than any screen shows, and it keeps the documents small.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg_i.h"

/* The longest text one svg_text() call draws, before escaping. */
#define SVG_TEXT_MAX 256

static void vput(struct svg *s, const char *fmt, va_list ap)
{
	va_list again;
	int len;

	if (s->err)
		return;
	va_copy(again, ap);
	len = vsnprintf(s->buf ? s->buf + s->len : NULL, s->buf ? s->cap - s->len : 0, fmt, ap);
	if (len < 0) {
		s->err = -EINVAL;
	} else if (!s->buf || (size_t)len >= s->cap - s->len) {
		size_t cap = s->cap * 2 + (size_t)len + 4096;
		char *b = realloc(s->buf, cap);

		if (!b) {
			s->err = -ENOMEM;
		} else {
			s->buf = b;
			s->cap = cap;
			vsnprintf(s->buf + s->len, s->cap - s->len, fmt, again);
			s->len += (size_t)len;
		}
	} else {
		s->len += (size_t)len;
	}
	va_end(again);
}

static void __attribute__((format(printf, 2, 3))) put(struct svg *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(s, fmt, ap);
	va_end(ap);
}

size_t svg_escape(const char *text, char *buf, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		const char *rep = NULL;
		char one[2] = { (char)c, '\0' };
		size_t len;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		default:
			/*
			 * Control characters are not allowed in XML at all, and a byte above
			 * 0x7f may not be UTF-8: names in the tree are ASCII, so a '?'
			 * loses nothing and keeps the document well-formed.
			 */
			if (c < 0x20 || c >= 0x7f)
				one[0] = '?';
			rep = one;
			break;
		}
		len = strlen(rep);
		if (n + len >= cap)
			break;
		memcpy(buf + n, rep, len);
		n += len;
	}
	buf[n] = '\0';
	return n;
}

void svg_begin(struct svg *s, unsigned width, unsigned height, const char *title)
{
	char t[SVG_TEXT_MAX * 6];

	svg_escape(title, t, sizeof(t));
	put(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
	       "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"%s\" font-size=\"12\">\n"
	       "<title>%s</title>\n",
	    width, height, width, height, SVG_FONT, t);
	svg_rect(s, 0, 0, width, height, "fill=\"#ffffff\"");
}

int svg_end(struct svg *s)
{
	put(s, "</svg>\n");
	return s->err;
}

char *svg_take(struct svg *s, size_t *ret_len, size_t *ret_cap)
{
	char *b = s->buf;

	*ret_len = s->len;
	*ret_cap = s->cap;
	s->buf = NULL;
	s->len = s->cap = 0;
	return b;
}

void svg_free(struct svg *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

void svg_rect(struct svg *s, double x, double y, double w, double h, const char *attrs)
{
	put(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" %s/>\n", x, y,
	    w > 0 ? w : 0, h > 0 ? h : 0, attrs);
}

void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *attrs)
{
	put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", x1, y1, x2, y2,
	    attrs);
}

void svg_circle(struct svg *s, double cx, double cy, double r, const char *attrs)
{
	put(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s/>\n", cx, cy, r, attrs);
}

static void points(struct svg *s, const char *element, const double *xy, unsigned n,
		   const char *attrs)
{
	unsigned i;

	put(s, "<%s points=\"", element);
	for (i = 0; i < n; i++)
		put(s, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
	put(s, "\" %s/>\n", attrs);
}

void svg_polyline(struct svg *s, const double *xy, unsigned n, const char *attrs)
{
	points(s, "polyline", xy, n, attrs);
}

void svg_polygon(struct svg *s, const double *xy, unsigned n, const char *attrs)
{
	points(s, "polygon", xy, n, attrs);
}

static void vtext(struct svg *s, double x, double y, bool up, const char *attrs, const char *fmt,
		  va_list ap)
{
	char raw[SVG_TEXT_MAX], esc[SVG_TEXT_MAX * 6];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	svg_escape(raw, esc, sizeof(esc));
	if (up)
		put(s,
		    "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\" "
		    "%s>%s</text>\n",
		    x, y, x, y, attrs, esc);
	else
		put(s, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>\n", x, y, attrs, esc);
}

void svg_text(struct svg *s, double x, double y, const char *attrs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(s, x, y, false, attrs, fmt, ap);
	va_end(ap);
}

void svg_text_up(struct svg *s, double x, double y, const char *attrs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(s, x, y, true, attrs, fmt, ap);
	va_end(ap);
}

void svg_ticks_nice(double lo, double hi, unsigned max, struct svg_ticks *ret)
{
	double raw = (hi - lo) / (max ? max : 1), mag, step;

	mag = pow(10, floor(log10(raw)));
	if (raw <= mag)
		step = mag;
	else if (raw <= 2 * mag)
		step = 2 * mag;
	else if (raw <= 5 * mag)
		step = 5 * mag;
	else
		step = 10 * mag;
	ret->step = step;
	ret->first = floor(lo / step) * step;
	ret->n = (unsigned)ceil((hi - ret->first) / step - 1e-9) + 1;
}

void svg_format_tick(double v, double step, char *buf, size_t cap)
{
	static const struct {
		double div;
		const char *suffix;
	} units[] = { { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" } };
	double div = 1;
	const char *suffix = "";
	int decimals;
	unsigned i;

	/* A unit once a step is half of it: ticks 0.5M, 1M, 1.5M rather than 500000, 1000000. */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (step >= units[i].div / 2) {
			div = units[i].div;
			suffix = units[i].suffix;
			break;
		}
	/* Whatever rounding left of a tick at zero is zero, and never "-0". */
	if (fabs(v) < step * 1e-6)
		v = 0;
	if (step < 1e-6) {
		snprintf(buf, cap, "%.3g", v);
		return;
	}
	if (v == 0) {
		snprintf(buf, cap, "0");
		return;
	}
	decimals = (int)-floor(log10(step / div) + 1e-9);
	snprintf(buf, cap, "%.*f%s", decimals > 0 ? decimals : 0, v / div, suffix);
}

int svg_finish(struct svg *s, char **text, size_t *ret_len, size_t *ret_cap)
{
	int r = svg_end(s);

	if (r == 0) {
		free(*text);
		*text = svg_take(s, ret_len, ret_cap);
	}
	svg_free(s);
	return r;
}
