// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/efficiency.svg: the ML arm's and the default arm's efficiency over time,
 * on bands that show the mode the subsystem was in, so that one look says whether
 * the model helps and what the mode did about it.
 *
 * The metric is the mean of the kernel's efficiency windows (<metric>_mean) when
 * the kernel reports windows, else the metric of the newest report with an arm that
 * a user or a tool wrote to feedback. Only the newest EFF_REPORTS reports are read
 * and they fall into EFF_BINS bins of time per arm, so the work and the picture's
 * size are bounded whatever the length of the log.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_i.h"
#include "svg_i.h"

#define EFF_WIDTH 800
#define EFF_HEIGHT 440
#define EFF_REPORTS 65536u /* newest feedback reports read */
#define EFF_BINS 200u      /* points per arm at most: 3.5 pixels apart */
#define EFF_MODES 256u     /* newest mode changes drawn */
#define EFF_DOTS_MAX 60    /* up to this many points per arm, each also gets a dot */

/* The plot area inside the picture. */
#define PLOT_LEFT 76.0
#define PLOT_RIGHT (EFF_WIDTH - 24.0)
#define PLOT_TOP 84.0
#define PLOT_BOTTOM (EFF_HEIGHT - 100.0)

enum { ARM_DEFAULT, ARM_ML, ARMS };

static const char *const arm_label[ARMS] = { "default arm", "ML arm" };
static const char *const arm_stroke[ARMS] = { "#1f6fb4", "#e0560b" };

/* Light enough to draw lines on, distinct enough to tell apart. */
static const char *const mode_fill[MLFS_MODE_MAX] = {
	[MLFS_MODE_EMERGENCY] = "#f6d2d2",
	[MLFS_MODE_LEARNING] = "#fbefc8",
	[MLFS_MODE_COLLABORATION] = "#d6e6f5",
	[MLFS_MODE_RECOMMENDATION] = "#d5ecd0",
};

struct eff_bin {
	double sum;
	unsigned n;
};

struct eff_chart {
	char metric[MLFS_COLUMN_NAME_MAX + 1];
	bool windows;          /* the metric is the mean of the kernel's windows */
	bool truncated;        /* EFF_REPORTS were read: there are older ones */
	uint64_t total;        /* reports read, of any metric */
	int64_t t0, t1;        /* when the first and last report drawn were stored */
	uint64_t reports[ARMS]; /* reports of the metric per arm */
	double sum[ARMS];
	double lo, hi; /* of the bins' means */
	struct eff_bin bins[ARMS][EFF_BINS];
	struct mlfs_mode_change modes[EFF_MODES];
	int nmodes;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Reports that say nothing of efficiency: the kernel's count of decisions per window. */
static bool is_count(const struct mlfs_feedback_row *row)
{
	return strcmp(row->source, "kernel") == 0 && strcmp(row->fb.metric, "decisions") == 0;
}

/* First pass: which metric to draw. */
static int choose_metric(struct mlfs_feedback_cursor *c, struct eff_chart *ch)
{
	char newest_mean[MLFS_COLUMN_NAME_MAX + 1] = "", newest[MLFS_COLUMN_NAME_MAX + 1] = "";
	const struct mlfs_feedback_row *row;
	bool windows = false;
	uint64_t n = 0;
	int r;

	while ((r = mlfs_feedback_cursor_next(c, &row)) > 0) {
		n++;
		if (row->fb.arm == MLFS_ARM_NONE) {
			windows |= strcmp(row->fb.metric, "window") == 0;
			continue;
		}
		if (is_count(row))
			continue;
		if (ends_with(row->fb.metric, "_mean"))
			snprintf(newest_mean, sizeof(newest_mean), "%s", row->fb.metric);
		snprintf(newest, sizeof(newest), "%s", row->fb.metric);
	}
	if (r < 0)
		return r;
	ch->total = n;
	ch->truncated = n >= EFF_REPORTS;
	ch->windows = windows && newest_mean[0];
	snprintf(ch->metric, sizeof(ch->metric), "%s", ch->windows ? newest_mean : newest);
	return 0;
}

static bool drawn(const struct eff_chart *ch, const struct mlfs_feedback_row *row)
{
	return row->fb.arm != MLFS_ARM_NONE && strcmp(row->fb.metric, ch->metric) == 0 &&
	       isfinite(row->fb.value) && !is_count(row);
}

/*
 * Second pass: the time the chosen metric's reports span. Only theirs: a report of
 * another metric long before would squeeze them all into the last bins.
 */
static int find_span(struct mlfs_feedback_cursor *c, struct eff_chart *ch)
{
	const struct mlfs_feedback_row *row;
	bool first = true;
	int r;

	r = mlfs_feedback_cursor_rewind(c);
	if (r < 0)
		return r;
	while ((r = mlfs_feedback_cursor_next(c, &row)) > 0) {
		if (!drawn(ch, row))
			continue;
		if (first)
			ch->t0 = row->at_ns;
		ch->t1 = row->at_ns;
		first = false;
	}
	return r;
}

/* Third pass: the chosen metric's reports into bins of time, per arm. */
static int fill_bins(struct mlfs_feedback_cursor *c, struct eff_chart *ch)
{
	const struct mlfs_feedback_row *row;
	double span = (double)(ch->t1 - ch->t0) + 1;
	unsigned b, a;
	int r;

	r = mlfs_feedback_cursor_rewind(c);
	if (r < 0)
		return r;
	while ((r = mlfs_feedback_cursor_next(c, &row)) > 0) {
		if (!drawn(ch, row))
			continue;
		a = row->fb.arm == MLFS_ARM_ML ? ARM_ML : ARM_DEFAULT;
		b = (unsigned)((double)(row->at_ns - ch->t0) / span * EFF_BINS);
		if (b >= EFF_BINS)
			b = EFF_BINS - 1;
		ch->bins[a][b].sum += row->fb.value;
		ch->bins[a][b].n++;
		ch->reports[a]++;
		ch->sum[a] += row->fb.value;
	}
	if (r < 0)
		return r;
	ch->lo = INFINITY;
	ch->hi = -INFINITY;
	for (a = 0; a < ARMS; a++)
		for (b = 0; b < EFF_BINS; b++) {
			double mean = ch->bins[a][b].sum / ch->bins[a][b].n;

			if (!ch->bins[a][b].n)
				continue;
			ch->lo = fmin(ch->lo, mean);
			ch->hi = fmax(ch->hi, mean);
		}
	return 0;
}

static int load(struct fs_file *f, struct eff_chart *ch)
{
	struct mlfs_feedback_cursor *c;
	int r;

	r = mlfs_feedback_cursor_open_tail(f->fs->store, f->ss, EFF_REPORTS, &c);
	if (r < 0)
		return r;
	r = choose_metric(c, ch);
	if (r == 0 && ch->metric[0])
		r = find_span(c, ch);
	if (r == 0 && ch->metric[0])
		r = fill_bins(c, ch);
	mlfs_feedback_cursor_close(c);
	if (r < 0)
		return r;
	r = mlfs_store_mode_history(f->fs->store, f->ss, ch->modes, EFF_MODES);
	if (r < 0)
		return r;
	ch->nmodes = r;
	return 0;
}

/* ---- drawing ---- */

struct axis {
	double lo, hi;       /* values at the ends */
	double from, to;     /* pixels at the ends */
};

static double to_px(const struct axis *ax, double v)
{
	return ax->from + (v - ax->lo) / (ax->hi - ax->lo) * (ax->to - ax->from);
}

static void draw_empty(struct svg *s, const char *name, const char *what)
{
	svg_text(s, 24, 36, "font-size=\"18\" font-weight=\"bold\" fill=\"#222222\"",
		 "%s: efficiency, ML against the default", name);
	svg_rect(s, 24, PLOT_TOP, EFF_WIDTH - 48, PLOT_BOTTOM - PLOT_TOP,
		 "rx=\"6\" fill=\"#f7f7f7\" stroke=\"#cccccc\"");
	svg_text(s, EFF_WIDTH / 2.0, (PLOT_TOP + PLOT_BOTTOM) / 2,
		 "font-size=\"24\" fill=\"#777777\" text-anchor=\"middle\"", "%s", what);
	svg_text(s, EFF_WIDTH / 2.0, (PLOT_TOP + PLOT_BOTTOM) / 2 + 30,
		 "font-size=\"13\" fill=\"#777777\" text-anchor=\"middle\"",
		 "It comes from the kernel's efficiency windows, or from reports with an arm:");
	svg_text(s, EFF_WIDTH / 2.0, (PLOT_TOP + PLOT_BOTTOM) / 2 + 50,
		 "font-size=\"13\" fill=\"#555555\" text-anchor=\"middle\" "
		 "font-family=\"monospace\"",
		 "echo 'arm=ml throughput=812' > /mlfs/%s/feedback", name);
}

/* Time ticks at round seconds, minutes, hours or days, at most about @max of them. */
static double time_step(double span, unsigned max)
{
	static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
					3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800 };
	unsigned i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= max)
			return steps[i];
	return ceil(span / max / 604800) * 604800;
}

/* How much of a time a label shows: what the ticks' step makes worth showing. */
enum time_label { TIME_SECONDS, TIME_MINUTES, TIME_DAY, TIME_FULL };

static void format_utc(double secs, enum time_label what, char *buf, size_t cap)
{
	time_t t = (time_t)floor(secs);
	size_t n = 0;
	struct tm tm;

	if (gmtime_r(&t, &tm)) {
		switch (what) {
		case TIME_SECONDS:
			n = strftime(buf, cap, "%H:%M:%S", &tm);
			break;
		case TIME_MINUTES:
			n = strftime(buf, cap, "%H:%M", &tm);
			break;
		case TIME_DAY:
			n = strftime(buf, cap, "%m-%d", &tm);
			break;
		case TIME_FULL:
			n = strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
			break;
		}
	}
	if (n == 0)
		snprintf(buf, cap, "?");
}

static void draw_time_axis(struct svg *s, const struct axis *x)
{
	double step = time_step(x->hi - x->lo, 7), t;
	enum time_label what = step < 60 ? TIME_SECONDS : step < 86400 ? TIME_MINUTES : TIME_DAY;
	char label[32], from[32], to[32];

	for (t = ceil(x->lo / step) * step; t <= x->hi; t += step) {
		double px = to_px(x, t);

		svg_line(s, px, PLOT_TOP, px, PLOT_BOTTOM,
			 "stroke=\"#000000\" stroke-opacity=\"0.08\"");
		svg_line(s, px, PLOT_BOTTOM, px, PLOT_BOTTOM + 5, "stroke=\"#444444\"");
		format_utc(t, what, label, sizeof(label));
		svg_text(s, px, PLOT_BOTTOM + 18, "fill=\"#333333\" text-anchor=\"middle\"", "%s",
			 label);
	}
	format_utc(x->lo, TIME_FULL, from, sizeof(from));
	format_utc(x->hi, TIME_FULL, to, sizeof(to));
	svg_text(s, (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 38,
		 "fill=\"#333333\" text-anchor=\"middle\"", "time (UTC), %s to %s", from, to);
}

static void draw_value_axis(struct svg *s, const struct axis *y, const struct svg_ticks *ticks,
			    const char *title)
{
	char label[32];
	unsigned i;

	for (i = 0; i < ticks->n; i++) {
		double v = ticks->first + i * ticks->step, py = to_px(y, v);

		svg_line(s, PLOT_LEFT, py, PLOT_RIGHT, py,
			 "stroke=\"#000000\" stroke-opacity=\"0.12\"");
		svg_line(s, PLOT_LEFT - 5, py, PLOT_LEFT, py, "stroke=\"#444444\"");
		svg_format_tick(v, ticks->step, label, sizeof(label));
		svg_text(s, PLOT_LEFT - 8, py + 4, "fill=\"#333333\" text-anchor=\"end\"", "%s",
			 label);
	}
	svg_text_up(s, 18, (PLOT_TOP + PLOT_BOTTOM) / 2, "fill=\"#333333\" text-anchor=\"middle\"",
		    "%s", title);
}

/* The mean advance of a character of 11 px DejaVu Sans, to keep labels apart. */
#define LABEL_CHAR_W 6.4

/* The mode's bands behind the plot, a dashed line at each change; which modes showed. */
static unsigned draw_modes(struct svg *s, const struct eff_chart *ch, const struct axis *x)
{
	double last_end = 0, width;
	unsigned shown = 0;
	int i;

	for (i = 0; i < ch->nmodes; i++) {
		double start = (double)ch->modes[i].at_ns / 1e9;
		double end = i + 1 < ch->nmodes ? (double)ch->modes[i + 1].at_ns / 1e9 : x->hi;
		double x0, x1;
		char attrs[48];

		if (end <= x->lo || start >= x->hi)
			continue;
		x0 = to_px(x, fmax(start, x->lo));
		x1 = to_px(x, fmin(end, x->hi));
		snprintf(attrs, sizeof(attrs), "fill=\"%s\"", mode_fill[ch->modes[i].mode]);
		svg_rect(s, x0, PLOT_TOP, x1 - x0, PLOT_BOTTOM - PLOT_TOP, attrs);
		shown |= 1u << ch->modes[i].mode;
	}
	/* Lines and labels over every band, not under the next one. */
	for (i = 0; i < ch->nmodes; i++) {
		double start = (double)ch->modes[i].at_ns / 1e9, x0 = to_px(x, start);

		if (start <= x->lo || start >= x->hi)
			continue;
		svg_line(s, x0, PLOT_TOP - 4, x0, PLOT_BOTTOM,
			 "stroke=\"#555555\" stroke-dasharray=\"4,3\"");
		/*
		 * A label where there is room for one: crowded changes keep their line only,
		 * and of changes a few pixels apart (a restart: emergency, then learning)
		 * the last one names the band that shows.
		 */
		if (i + 1 < ch->nmodes && (double)ch->modes[i + 1].at_ns / 1e9 < x->hi &&
		    to_px(x, (double)ch->modes[i + 1].at_ns / 1e9) - x0 < 6)
			continue;
		width = LABEL_CHAR_W * strlen(mlfs_mode_name(ch->modes[i].mode));
		if (x0 > last_end && x0 + width < EFF_WIDTH - 4) {
			svg_text(s, x0, PLOT_TOP - 6, "font-size=\"11\" fill=\"#444444\"", "%s",
				 mlfs_mode_name(ch->modes[i].mode));
			last_end = x0 + width + 8;
		}
	}
	return shown;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/*
 * Where an arm's line breaks: after point i when the bins between it and the next
 * are empty for much longer than the arm's usual spacing (the daemon was down, or the
 * mode gave the arm no decisions). A straight line across would show values that
 * were never measured.
 */
static unsigned break_gap(const unsigned *idx, unsigned n)
{
	unsigned gaps[EFF_BINS], i;

	if (n < 3)
		return EFF_BINS;
	for (i = 0; i + 1 < n; i++)
		gaps[i] = idx[i + 1] - idx[i];
	qsort(gaps, n - 1, sizeof(gaps[0]), cmp_unsigned);
	return gaps[(n - 1) / 2] * 4 > 3 ? gaps[(n - 1) / 2] * 4 : 3;
}

static void draw_arm(struct svg *s, const struct eff_chart *ch, unsigned a, const struct axis *x,
		     const struct axis *y, double *xy)
{
	double span = (double)(ch->t1 - ch->t0) + 1;
	unsigned idx[EFF_BINS], b, n = 0, i, from, gap;
	char line[96], dot[80];

	for (b = 0; b < EFF_BINS; b++) {
		const struct eff_bin *bin = &ch->bins[a][b];
		/* A bin's point sits at its middle in time, or at the report itself when alone. */
		double t = (double)ch->t0 + (b + 0.5) * span / EFF_BINS;

		if (!bin->n)
			continue;
		if (ch->t1 == ch->t0)
			t = (double)ch->t0;
		xy[2 * n] = to_px(x, t / 1e9);
		xy[2 * n + 1] = to_px(y, bin->sum / bin->n);
		idx[n++] = b;
	}
	snprintf(line, sizeof(line),
		 "fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\" stroke-linejoin=\"round\"",
		 arm_stroke[a]);
	snprintf(dot, sizeof(dot), "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1\"",
		 arm_stroke[a]);
	gap = break_gap(idx, n);
	for (from = 0, i = 0; i < n; i++) {
		if (i + 1 < n && idx[i + 1] - idx[i] <= gap)
			continue;
		/* Points from..i are one stretch; a stretch of one point is a dot. */
		if (i > from)
			svg_polyline(s, xy + 2 * from, i - from + 1, line);
		else if (n > EFF_DOTS_MAX)
			svg_circle(s, xy[2 * i], xy[2 * i + 1], 2.5, dot);
		from = i + 1;
	}
	if (n > EFF_DOTS_MAX)
		return;
	for (i = 0; i < n; i++)
		svg_circle(s, xy[2 * i], xy[2 * i + 1], 3.5, dot);
}

/* The mean advance of a character of 12 px DejaVu Sans, to place the legend's entries. */
#define LEGEND_CHAR_W 6.9

static void draw_legend(struct svg *s, const struct eff_chart *ch, unsigned modes_shown)
{
	double lx = PLOT_LEFT, ly = EFF_HEIGHT - 34;
	char attrs[64], text[64];
	unsigned a, m;

	for (a = ARMS; a-- > 0;) {
		snprintf(attrs, sizeof(attrs), "stroke=\"%s\" stroke-width=\"3\"", arm_stroke[a]);
		svg_line(s, lx, ly - 4, lx + 22, ly - 4, attrs);
		if (ch->reports[a])
			snprintf(text, sizeof(text), "%s (mean %.4g)", arm_label[a],
				 ch->sum[a] / ch->reports[a]);
		else
			snprintf(text, sizeof(text), "%s (no reports)", arm_label[a]);
		svg_text(s, lx + 28, ly, "fill=\"#222222\"", "%s", text);
		lx += 28 + LEGEND_CHAR_W * strlen(text) + 24;
	}
	/* The modes on a line of their own, below the arms. */
	lx = PLOT_LEFT;
	ly += 22;
	if (modes_shown)
		svg_text(s, lx, ly, "fill=\"#555555\"", "mode:");
	lx += 44;
	for (m = 0; m < MLFS_MODE_MAX; m++) {
		if (!(modes_shown & (1u << m)))
			continue;
		snprintf(attrs, sizeof(attrs), "fill=\"%s\" stroke=\"#999999\"", mode_fill[m]);
		svg_rect(s, lx, ly - 11, 14, 14, attrs);
		svg_text(s, lx + 19, ly, "fill=\"#222222\"", "%s", mlfs_mode_name(m));
		lx += 19 + LEGEND_CHAR_W * strlen(mlfs_mode_name(m)) + 18;
	}
}

static void draw_chart(struct svg *s, const char *name, const struct eff_chart *ch,
		       const struct fs_efficiency *eff, double *xy)
{
	struct axis x, y;
	struct svg_ticks ticks;
	double t0 = (double)ch->t0 / 1e9, t1 = (double)ch->t1 / 1e9, pad, lo = ch->lo, hi = ch->hi;
	unsigned modes_shown;

	/*
	 * A little room at the ends, and 4 s at least, so that a lone point has a place
	 * and a burst of reports is not squeezed into a vertical stroke.
	 */
	pad = fmax((t1 - t0) * 0.03, fmax(0, (4 - (t1 - t0)) / 2));
	x = (struct axis){ .lo = t0 - pad, .hi = t1 + pad, .from = PLOT_LEFT, .to = PLOT_RIGHT };
	if (hi - lo < 1e-9 * fmax(fabs(hi), 1)) {
		double half = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1;

		lo -= half;
		hi += half;
	}
	/* Some air above and below, so that a line along the top is not drawn on the frame. */
	pad = (hi - lo) * 0.04;
	svg_ticks_nice(lo - pad, hi + pad, 6, &ticks);
	y = (struct axis){ .lo = ticks.first, .hi = ticks.first + (ticks.n - 1) * ticks.step,
			   .from = PLOT_BOTTOM, .to = PLOT_TOP };

	svg_text(s, 24, 30, "font-size=\"18\" font-weight=\"bold\" fill=\"#222222\"",
		 "%s: efficiency, ML against the default", name);
	svg_text(s, 24, 52, "font-size=\"12\" fill=\"#555555\"",
		 "%s %s%s: %llu of the ML arm, %llu of the default arm%s", ch->metric,
		 ch->windows ? "per efficiency window of the kernel" : "as reported to feedback",
		 !ch->windows || !eff->windows ? ""
		 : eff->lower_is_better ? " (lower is better)" : " (higher is better)",
		 (unsigned long long)ch->reports[ARM_ML],
		 (unsigned long long)ch->reports[ARM_DEFAULT],
		 ch->truncated ? " (the newest reports only)" : "");
	svg_rect(s, PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP,
		 "fill=\"#fcfcfc\"");
	modes_shown = draw_modes(s, ch, &x);
	draw_value_axis(s, &y, &ticks, ch->metric);
	draw_time_axis(s, &x);
	draw_arm(s, ch, ARM_DEFAULT, &x, &y, xy);
	draw_arm(s, ch, ARM_ML, &x, &y, xy);
	svg_rect(s, PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP,
		 "fill=\"none\" stroke=\"#666666\"");
	draw_legend(s, ch, modes_shown);
}

static int efficiency_svg_show(struct fs_file *f)
{
	const char *name = mlfs_subsys_name(f->ss);
	struct eff_chart *ch = calloc(1, sizeof(*ch));
	double *xy = malloc(2 * EFF_BINS * sizeof(*xy));
	struct fs_efficiency eff;
	struct svg s = { 0 };
	char title[128];
	int r;

	if (!ch || !xy) {
		r = -ENOMEM;
		goto out_free;
	}
	r = load(f, ch);
	if (r < 0)
		goto out_free;
	fs_models_efficiency(f->fs->models, f->ss, &eff);
	snprintf(title, sizeof(title), "%s: efficiency of the ML and default arms", name);
	svg_begin(&s, EFF_WIDTH, EFF_HEIGHT, title);
	if (ch->total == 0)
		draw_empty(&s, name, "no feedback yet");
	else if (!ch->metric[0])
		draw_empty(&s, name, "no feedback with an arm (ml or default) yet");
	else if (ch->reports[ARM_ML] + ch->reports[ARM_DEFAULT] == 0)
		draw_empty(&s, name, "no finite values in the feedback yet");
	else
		draw_chart(&s, name, ch, &eff, xy);
	r = svg_finish(&s, &f->text, &f->text_len, &f->text_cap);
out_free:
	free(xy);
	free(ch);
	return r;
}

const struct fs_file_ops fs_efficiency_svg_ops = {
	.name = "efficiency.svg",
	.mode = 0444,
	.blocking = true,
	.show = efficiency_svg_show,
};
