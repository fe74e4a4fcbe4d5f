/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * A small writer of SVG 1.1 documents, for the tree's pictures (efficiency.svg,
 * dataset.svg): shapes with presentation attributes rather than CSS, so that any
 * viewer draws them the same, and text that is always escaped, so that whatever a
 * name holds the document stays well-formed XML.
 *
 * The document grows in one buffer. Drawing calls return nothing: the first
 * failure (-ENOMEM) sticks in the writer, svg_end() reports it, and every call
 * after it does nothing. @attrs arguments are markup written as they are
 * (fill="#eee" stroke="none"): constants of the caller, never user data.
 */
#ifndef MLFS_SVG_I_H
#define MLFS_SVG_I_H

#include <stddef.h>

struct svg {
	char *buf;
	size_t len, cap;
	int err; /* the first failure, -errno; 0 while all went well */
};

/* Fonts a picture asks for: what Debian has (fonts-dejavu-core), then any sans-serif. */
#define SVG_FONT "DejaVu Sans, Liberation Sans, Arial, sans-serif"

/* Start a @width x @height document with a white background; @title is its <title>. */
void svg_begin(struct svg *s, unsigned width, unsigned height, const char *title);

/* Close the document. Returns 0, or the first failure's -errno. */
int svg_end(struct svg *s);

/* Hand the text over: *ret_len bytes, the caller frees it. The writer is empty after. */
char *svg_take(struct svg *s, size_t *ret_len, size_t *ret_cap);

/* Free what the writer holds; accepts a writer that was never begun (all zero). */
void svg_free(struct svg *s);

/*
 * Close the document and, if it is whole, put it in place of *@text (freed), as
 * a file's show() keeps its text. Frees the writer either way. Returns svg_end()'s.
 */
int svg_finish(struct svg *s, char **text, size_t *ret_len, size_t *ret_cap);

void svg_rect(struct svg *s, double x, double y, double w, double h, const char *attrs);
void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *attrs);
void svg_circle(struct svg *s, double cx, double cy, double r, const char *attrs);

/* A polyline (or, closed, a polygon) through @n points: x, y pairs in @xy. */
void svg_polyline(struct svg *s, const double *xy, unsigned n, const char *attrs);
void svg_polygon(struct svg *s, const double *xy, unsigned n, const char *attrs);

/* Text at (@x, @y), the baseline's start unless @attrs says text-anchor; escaped. */
void svg_text(struct svg *s, double x, double y, const char *attrs, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The same, rotated a quarter turn counter-clockwise about (@x, @y): a y axis' title. */
void svg_text_up(struct svg *s, double x, double y, const char *attrs, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Escape @text for XML into @buf of @cap bytes (truncated whole characters, NUL ended). */
size_t svg_escape(const char *text, char *buf, size_t cap);

/* ---- axes ---- */

/* Tick marks of an axis: values first, first + step, ..., n of them. */
struct svg_ticks {
	double first, step;
	unsigned n;
};

/*
 * Round tick values (1, 2 or 5 times a power of ten) covering [@lo, @hi] with at
 * most @max + 1 ticks; @lo < @hi. The first tick is at or below @lo, the last at or
 * above @hi, so an axis may take them as its ends.
 */
void svg_ticks_nice(double lo, double hi, unsigned max, struct svg_ticks *ret);

/* @v as an axis label: as many decimals as @step needs, large values as 1.5k, 2M, 3G. */
void svg_format_tick(double v, double step, char *buf, size_t cap);

#endif
