// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/dataset.svg: one small chart per column of the newest rows, side by
 * side: the column's distribution (a histogram) and its values in row order (a
 * sparkline with the spread of each stretch of rows around it), to see at a
 * glance what a model is about to learn from.
 *
 * The rows come from a snapshot cursor over the newest DS_ROWS rows only, found by
 * the table's key; at most DS_CHARTS columns are drawn. Work, memory and the
 * picture's size are bounded whatever the table holds.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"
#include "svg_i.h"

#define DS_ROWS 1000u    /* newest rows drawn */
#define DS_CHARTS 24u    /* columns drawn at most */
#define DS_HIST_BINS 24u /* bars of a histogram at most */
#define DS_SPARK_MAX 120u /* points of a sparkline at most */
#define DS_BAR_LABELS_MAX 8 /* bars of whole values that each get a label */

#define DS_WIDTH 800
#define DS_HEADER 72.0
#define PANEL_W 376.0
#define PANEL_H 156.0
#define PANEL_GAP 16.0

/* Where a panel's histogram and sparkline sit, relative to the panel. */
#define AREA_TOP 50.0
#define AREA_H 74.0
#define AREA_W 164.0
#define HIST_LEFT 14.0
#define SPARK_LEFT 198.0

#define TEXT_DARK "fill=\"#222222\""
#define TEXT_GREY "fill=\"#666666\""

struct ds_column {
	double min, max, mean;
};

struct ds_chart {
	struct mlfs_columns cols;
	unsigned ncharts;  /* columns drawn: the first of cols.n */
	unsigned rows;     /* rows read, at most DS_ROWS */
	double *values;    /* rows x ncharts, row by row */
	struct ds_column stats[DS_CHARTS];
};

static int load(struct fs_file *f, struct ds_chart *ch)
{
	const struct mlfs_value *row;
	struct mlfs_cursor *c;
	unsigned i;
	int r;

	r = mlfs_cursor_open_tail(f->fs->store, f->ss, DS_ROWS, &c);
	if (r < 0)
		return r;
	/* The cursor's columns, not the subsystem's: they match the rows it returns. */
	ch->cols = *mlfs_cursor_columns(c);
	ch->ncharts = ch->cols.n < DS_CHARTS ? ch->cols.n : DS_CHARTS;
	if (ch->ncharts == 0)
		goto out_close;
	ch->values = malloc((size_t)DS_ROWS * ch->ncharts * sizeof(*ch->values));
	if (!ch->values) {
		r = -ENOMEM;
		goto out_close;
	}
	while (ch->rows < DS_ROWS && (r = mlfs_cursor_next(c, &row)) > 0) {
		double *v = ch->values + (size_t)ch->rows * ch->ncharts;

		for (i = 0; i < ch->ncharts; i++)
			v[i] = row[i].type == MLFS_VALUE_REAL ? row[i].r : (double)row[i].i;
		ch->rows++;
	}
	r = r < 0 ? r : 0;
out_close:
	mlfs_cursor_close(c);
	return r;
}

static double value(const struct ds_chart *ch, unsigned row, unsigned col)
{
	return ch->values[(size_t)row * ch->ncharts + col];
}

static void column_stats(struct ds_chart *ch, unsigned col)
{
	struct ds_column *st = &ch->stats[col];
	double sum = 0;
	unsigned i;

	st->min = INFINITY;
	st->max = -INFINITY;
	for (i = 0; i < ch->rows; i++) {
		double v = value(ch, i, col);

		st->min = fmin(st->min, v);
		st->max = fmax(st->max, v);
		sum += v;
	}
	st->mean = sum / ch->rows;
}

/* A value for a label: whole numbers whole, others with four significant digits. */
static void format_value(double v, char *buf, size_t cap)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, cap, "%.0f", v);
	else
		snprintf(buf, cap, "%.4g", v);
}

static void draw_histogram(struct svg *s, const struct ds_chart *ch, unsigned col, double x0,
			   double y0)
{
	const struct ds_column *st = &ch->stats[col];
	unsigned counts[DS_HIST_BINS] = { 0 }, bins = DS_HIST_BINS, top = 0, i, b;
	double span = st->max - st->min, lo = st->min, width;
	bool per_value = false;
	char label[32];

	/* Whole numbers over a short range: one bar per value, so 0 and 1 are two bars. */
	if (ch->cols.types[col] == MLFS_VALUE_INT && span + 1 <= DS_HIST_BINS) {
		bins = (unsigned)span + 1;
		lo = st->min - 0.5;
		span = bins;
		per_value = true;
	} else if (span <= 0) {
		bins = 1;
		lo = st->min - 0.5;
		span = 1;
	}
	for (i = 0; i < ch->rows; i++) {
		b = (unsigned)((value(ch, i, col) - lo) / span * bins);
		counts[b < bins ? b : bins - 1]++;
	}
	for (b = 0; b < bins; b++)
		top = counts[b] > top ? counts[b] : top;
	width = AREA_W / bins;
	svg_line(s, x0, y0 + AREA_H, x0 + AREA_W, y0 + AREA_H, "stroke=\"#888888\"");
	for (b = 0; b < bins; b++) {
		double h = top ? counts[b] * (AREA_H - 2) / top : 0;

		if (counts[b])
			svg_rect(s, x0 + b * width + (bins > 1 ? 0.5 : width * 0.3),
				 y0 + AREA_H - h, bins > 1 ? width - 1 : width * 0.4, h,
				 "fill=\"#4a86c5\"");
	}
	/* A few values of their own: each bar named. Else the ends of the range. */
	if (per_value && bins <= DS_BAR_LABELS_MAX) {
		for (b = 0; b < bins; b++)
			svg_text(s, x0 + (b + 0.5) * width, y0 + AREA_H + 14,
				 "font-size=\"10\" " TEXT_GREY " text-anchor=\"middle\"", "%.0f",
				 st->min + b);
		return;
	}
	format_value(st->min, label, sizeof(label));
	svg_text(s, x0 + (per_value ? width / 2 : 0), y0 + AREA_H + 14,
		 per_value ? "font-size=\"10\" " TEXT_GREY " text-anchor=\"middle\""
			   : "font-size=\"10\" " TEXT_GREY,
		 "%s", label);
	if (st->max > st->min) {
		format_value(st->max, label, sizeof(label));
		svg_text(s, x0 + AREA_W - (per_value ? width / 2 : 0), y0 + AREA_H + 14,
			 per_value ? "font-size=\"10\" " TEXT_GREY " text-anchor=\"middle\""
				   : "font-size=\"10\" " TEXT_GREY " text-anchor=\"end\"",
			 "%s", label);
	}
}

/* Where @v goes in a sparkline whose top is @y0: a constant column runs through the middle. */
static double spark_y(const struct ds_column *st, double v, double y0)
{
	double span = st->max - st->min;

	return span > 0 ? y0 + AREA_H - 3 - (v - st->min) / span * (AREA_H - 6) : y0 + AREA_H / 2;
}

static void draw_sparkline(struct svg *s, const struct ds_chart *ch, unsigned col, double x0,
			   double y0, double *line, double *band)
{
	const struct ds_column *st = &ch->stats[col];
	unsigned points = ch->rows < DS_SPARK_MAX ? ch->rows : DS_SPARK_MAX, p, i;

	svg_rect(s, x0, y0, AREA_W, AREA_H, "fill=\"#ffffff\" stroke=\"#dddddd\"");
	for (p = 0; p < points; p++) {
		unsigned from = (unsigned)((uint64_t)p * ch->rows / points);
		unsigned to = (unsigned)((uint64_t)(p + 1) * ch->rows / points);
		double lo = INFINITY, hi = -INFINITY, sum = 0;
		double px = points > 1 ? x0 + 2 + p * (AREA_W - 4) / (points - 1) : x0 + AREA_W / 2;

		for (i = from; i < to; i++) {
			double v = value(ch, i, col);

			lo = fmin(lo, v);
			hi = fmax(hi, v);
			sum += v;
		}
		line[2 * p] = px;
		line[2 * p + 1] = spark_y(st, sum / (to - from), y0);
		band[2 * p] = px;
		band[2 * p + 1] = spark_y(st, hi, y0);
		band[2 * (2 * points - 1 - p)] = px;
		band[2 * (2 * points - 1 - p) + 1] = spark_y(st, lo, y0);
	}
	if (points > 1 && ch->rows > points)
		svg_polygon(s, band, 2 * points,
			    "fill=\"#e0560b\" fill-opacity=\"0.13\" stroke=\"none\"");
	if (points > 1)
		svg_polyline(s, line, points,
			     "fill=\"none\" stroke=\"#e0560b\" stroke-width=\"1.5\" "
			     "stroke-linejoin=\"round\"");
	else
		svg_circle(s, line[0], line[1], 3, "fill=\"#e0560b\"");
	svg_text(s, x0 + AREA_W / 2, y0 + AREA_H + 14,
		 "font-size=\"10\" " TEXT_GREY " text-anchor=\"middle\"",
		 "%u rows, oldest to newest", ch->rows);
}

static void draw_panel(struct svg *s, const struct ds_chart *ch, unsigned col, double *line,
		       double *band)
{
	double x = PANEL_GAP + (col % 2) * (PANEL_W + PANEL_GAP);
	double y = DS_HEADER + (col / 2) * (PANEL_H + PANEL_GAP);
	const struct ds_column *st = &ch->stats[col];
	char lo[32], mean[32], hi[32];

	svg_rect(s, x, y, PANEL_W, PANEL_H, "rx=\"6\" fill=\"#f7f8fa\" stroke=\"#d5d9e0\"");
	svg_text(s, x + 14, y + 22, "font-size=\"14\" font-weight=\"bold\" " TEXT_DARK, "%s",
		 ch->cols.names[col]);
	if (col == ch->cols.target)
		svg_text(s, x + PANEL_W - 14, y + 22,
			 "font-size=\"12\" font-weight=\"bold\" fill=\"#b5440a\" "
			 "text-anchor=\"end\"",
			 "training target");
	format_value(st->min, lo, sizeof(lo));
	format_value(st->max, hi, sizeof(hi));
	snprintf(mean, sizeof(mean), "%.4g", st->mean);
	svg_text(s, x + 14, y + 40, "font-size=\"11\" " TEXT_GREY, "%s, min %s, mean %s, max %s",
		 ch->cols.types[col] == MLFS_VALUE_REAL ? "real" : "integer", lo, mean, hi);
	draw_histogram(s, ch, col, x + HIST_LEFT, y + AREA_TOP);
	draw_sparkline(s, ch, col, x + SPARK_LEFT, y + AREA_TOP, line, band);
}

static void draw_empty(struct svg *s, const char *name, enum mlfs_origin origin)
{
	svg_text(s, 24, 34, "font-size=\"18\" font-weight=\"bold\" " TEXT_DARK, "%s: dataset",
		 name);
	svg_rect(s, 24, 56, DS_WIDTH - 48, 180, "rx=\"6\" fill=\"#f7f7f7\" stroke=\"#cccccc\"");
	svg_text(s, DS_WIDTH / 2.0, 140, "font-size=\"24\" fill=\"#777777\" text-anchor=\"middle\"",
		 "no rows yet");
	if (origin == MLFS_ORIGIN_USER)
		svg_text(s, DS_WIDTH / 2.0, 172,
			 "font-size=\"13\" fill=\"#555555\" text-anchor=\"middle\" "
			 "font-family=\"monospace\"",
			 "printf 'x,y,target\\n1,2,0\\n' >> /mlfs/%s/dataset", name);
	else
		svg_text(s, DS_WIDTH / 2.0, 172,
			 "font-size=\"13\" fill=\"#555555\" text-anchor=\"middle\"",
			 "Rows come from the %s as it samples.",
			 origin == MLFS_ORIGIN_KERNEL ? "kernel subsystem" : "eBPF collector");
}

static void draw_charts(struct svg *s, const char *name, struct ds_chart *ch, uint64_t rows_now,
			double *line, double *band)
{
	unsigned col;

	svg_text(s, 24, 32, "font-size=\"18\" font-weight=\"bold\" " TEXT_DARK,
		 "%s: dataset, the newest %u of %llu rows", name, ch->rows,
		 (unsigned long long)(rows_now > ch->rows ? rows_now : ch->rows));
	svg_text(s, 24, 54, "font-size=\"12\" fill=\"#555555\"",
		 "Per column: how its values spread (left), and the values in row order with the "
		 "range of each stretch of rows (right)");
	if (ch->cols.n > ch->ncharts)
		svg_text(s, DS_WIDTH - 24, 32,
			 "font-size=\"12\" fill=\"#b5440a\" text-anchor=\"end\"",
			 "the first %u of %u columns", ch->ncharts, ch->cols.n);
	for (col = 0; col < ch->ncharts; col++) {
		column_stats(ch, col);
		draw_panel(s, ch, col, line, band);
	}
}

static int dataset_svg_show(struct fs_file *f)
{
	const char *name = mlfs_subsys_name(f->ss);
	struct ds_chart *ch = calloc(1, sizeof(*ch));
	double *line = malloc(2 * DS_SPARK_MAX * sizeof(*line));
	double *band = malloc(4 * DS_SPARK_MAX * sizeof(*band));
	struct mlfs_subsys_status st;
	struct svg s = { 0 };
	char title[128];
	unsigned height;
	int r;

	if (!ch || !line || !band) {
		r = -ENOMEM;
		goto out_free;
	}
	r = load(f, ch);
	if (r < 0)
		goto out_free;
	mlfs_subsys_status(f->ss, &st);
	snprintf(title, sizeof(title), "%s: the newest rows of the dataset, per column", name);
	if (ch->rows == 0) {
		svg_begin(&s, DS_WIDTH, 260, title);
		draw_empty(&s, name, st.origin);
	} else {
		height = (unsigned)(DS_HEADER + (ch->ncharts + 1) / 2 * (PANEL_H + PANEL_GAP));
		svg_begin(&s, DS_WIDTH, height, title);
		draw_charts(&s, name, ch, st.rows, line, band);
	}
	r = svg_finish(&s, &f->text, &f->text_len, &f->text_cap);
out_free:
	free(band);
	free(line);
	if (ch)
		free(ch->values);
	free(ch);
	return r;
}

const struct fs_file_ops fs_dataset_svg_ops = {
	.name = "dataset.svg",
	.mode = 0444,
	.blocking = true,
	.show = dataset_svg_show,
};
