// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * /metrics: every subsystem's figures in Prometheus's text exposition format
 * (version 0.0.4), for node_exporter's textfile collector or any scraper that
 * can read a file: rows, drops, the queue, the mode, each arm's efficiency,
 * prediction latency, the model and its training. Rendered whole at open, from
 * a snapshot of each subsystem taken first, so one read is consistent; every
 * family's samples sit together, as the format requires.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "fs_i.h"

struct subsys_figures {
	const char *name;
	struct mlfs_subsys_status st;
	enum mlfs_mode mode;
	int64_t model_version;
	struct fs_efficiency eff;
	struct fs_latency latency;
	struct fs_train_state job;
	bool has_lost;
	uint64_t lost;
};

/* A family's header; @type is counter, gauge or histogram. */
static int family(struct fs_file *f, const char *name, const char *type, const char *help)
{
	return fs_file_printf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

typedef double (*figure_fn)(const struct subsys_figures *s);

/* One sample per subsystem of a family with the label subsys only. */
static int per_subsys(struct fs_file *f, const struct subsys_figures *all, int n, const char *name,
		      const char *type, const char *help, figure_fn value)
{
	int i, r = family(f, name, type, help);

	for (i = 0; i < n && r == 0; i++)
		r = fs_file_printf(f, "%s{subsys=\"%s\"} %.17g\n", name, all[i].name, value(&all[i]));
	return r;
}

static double rows(const struct subsys_figures *s)
{
	return (double)s->st.rows;
}

static double rows_total(const struct subsys_figures *s)
{
	return (double)s->st.rows_total;
}

static double bytes(const struct subsys_figures *s)
{
	return (double)s->st.bytes;
}

static double drops(const struct subsys_figures *s)
{
	return (double)s->st.drops;
}

static double queued(const struct subsys_figures *s)
{
	return (double)s->st.queued;
}

static double windows(const struct subsys_figures *s)
{
	return (double)s->eff.windows;
}

static double windows_ml_not_worse(const struct subsys_figures *s)
{
	return (double)s->eff.ml_not_worse;
}

static double model_version(const struct subsys_figures *s)
{
	return (double)s->model_version;
}

static double training(const struct subsys_figures *s)
{
	return s->job.running;
}

static const char *const arm_names[2] = { "default", "ml" };

static int arms(struct fs_file *f, const struct subsys_figures *all, int n)
{
	int i, a, r;

	r = family(f, "mlfs_arm_decisions", "gauge",
		   "Decisions each arm made in the subsystem's last efficiency window.");
	for (i = 0; i < n && r == 0; i++)
		for (a = 0; a < 2 && r == 0; a++)
			r = fs_file_printf(f, "mlfs_arm_decisions{subsys=\"%s\",arm=\"%s\"} %" PRIu64
					   "\n", all[i].name, arm_names[a], all[i].eff.decisions[a]);
	if (r == 0)
		r = family(f, "mlfs_arm_efficiency", "gauge",
			   "Mean metric of each arm's decisions in the last window, in the "
			   "subsystem's unit (see mlfs_lower_is_better); absent without outcomes.");
	for (i = 0; i < n && r == 0; i++)
		for (a = 0; a < 2 && r == 0; a++)
			if (all[i].eff.windows > 0 && !isnan(all[i].eff.means[a]))
				r = fs_file_printf(f,
						   "mlfs_arm_efficiency{subsys=\"%s\",arm=\"%s\"} "
						   "%.17g\n",
						   all[i].name, arm_names[a], all[i].eff.means[a]);
	if (r == 0)
		r = family(f, "mlfs_lower_is_better", "gauge",
			   "1 when the subsystem's metric is a cost, 0 when more is better.");
	for (i = 0; i < n && r == 0; i++)
		r = fs_file_printf(f, "mlfs_lower_is_better{subsys=\"%s\"} %d\n", all[i].name,
				   all[i].eff.lower_is_better);
	return r;
}

static int modes(struct fs_file *f, const struct subsys_figures *all, int n)
{
	int i, m, r = family(f, "mlfs_mode", "gauge",
			     "1 for the subsystem's current mode, 0 for the others.");

	for (i = 0; i < n && r == 0; i++)
		for (m = 0; m < MLFS_MODE_MAX && r == 0; m++)
			r = fs_file_printf(f, "mlfs_mode{subsys=\"%s\",mode=\"%s\"} %d\n",
					   all[i].name, mlfs_mode_name((enum mlfs_mode)m),
					   all[i].mode == (enum mlfs_mode)m);
	return r;
}

static int latency(struct fs_file *f, const struct subsys_figures *all, int n)
{
	const char *name = "mlfs_prediction_duration_seconds";
	int i, b, r = family(f, name, "histogram",
			     "Time one prediction took, for the kernel or a query.");

	for (i = 0; i < n && r == 0; i++) {
		const struct fs_latency *l = &all[i].latency;

		for (b = 0; b < FS_LATENCY_BUCKETS && r == 0; b++)
			r = fs_file_printf(f, "%s_bucket{subsys=\"%s\",le=\"%g\"} %" PRIu64 "\n",
					   name, all[i].name, fs_latency_bounds[b], l->bucket[b]);
		if (r == 0)
			r = fs_file_printf(f,
					   "%s_bucket{subsys=\"%s\",le=\"+Inf\"} %" PRIu64 "\n"
					   "%s_sum{subsys=\"%s\"} %.17g\n"
					   "%s_count{subsys=\"%s\"} %" PRIu64 "\n",
					   name, all[i].name, l->count, name, all[i].name,
					   l->sum_seconds, name, all[i].name, l->count);
	}
	return r;
}

static int training_progress(struct fs_file *f, const struct subsys_figures *all, int n)
{
	int i, r = family(f, "mlfs_training_progress_ratio", "gauge",
			  "Grid points done of all, while a training runs.");

	for (i = 0; i < n && r == 0; i++)
		if (all[i].job.running && all[i].job.points > 0)
			r = fs_file_printf(f, "mlfs_training_progress_ratio{subsys=\"%s\"} %.6g\n",
					   all[i].name,
					   (double)all[i].job.point / all[i].job.points);
	return r;
}

static int lost_events(struct fs_file *f, const struct subsys_figures *all, int n)
{
	int i, r = family(f, "mlfs_lost_events_total", "counter",
			  "Events an eBPF collector's ring buffer had no room for.");

	for (i = 0; i < n && r == 0; i++)
		if (all[i].has_lost)
			r = fs_file_printf(f, "mlfs_lost_events_total{subsys=\"%s\"} %" PRIu64 "\n",
					   all[i].name, all[i].lost);
	return r;
}

static void take_figures(struct mlfs_fs *fs, struct mlfs_subsys *ss, struct subsys_figures *s)
{
	s->name = mlfs_subsys_name(ss);
	mlfs_subsys_status(ss, &s->st);
	s->mode = mlfs_subsys_mode(ss);
	s->model_version = mlfs_subsys_model_version(ss);
	fs_models_efficiency(fs->models, ss, &s->eff);
	fs_models_latency(fs->models, ss, &s->latency);
	fs_models_state(fs->models, ss, &s->job);
	s->has_lost = fs->bpf && mlfs_bpf_lost_events(fs->bpf, ss, &s->lost);
}

static int metrics_show(struct fs_file *f)
{
	struct mlfs_fs *fs = f->fs;
	struct subsys_figures *all;
	struct mlfs_subsys **list;
	int n, i, r;

	n = mlfs_store_subsys_list(fs->store, &list);
	if (n < 0)
		return n;
	all = calloc(n ? (size_t)n : 1, sizeof(*all));
	if (!all) {
		mlfs_subsys_list_free(list, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		take_figures(fs, list[i], &all[i]);

	r = family(f, "mlfs_start_time_seconds", "gauge",
		   "When the daemon started, in seconds since the epoch.");
	if (r == 0)
		r = fs_file_printf(f, "mlfs_start_time_seconds %lld\n", (long long)fs->started);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_rows", "gauge",
			       "Rows the subsystem's dataset keeps.", rows);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_rows_ingested_total", "counter",
			       "Rows ever committed, with those retention dropped since.",
			       rows_total);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_ingested_bytes_total", "counter",
			       "Bytes of rows accepted.", bytes);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_rows_dropped_total", "counter",
			       "Rows dropped for want of room in the queue or the disk.", drops);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_rows_queued", "gauge",
			       "Rows waiting for the writer.", queued);
	if (r == 0)
		r = modes(f, all, n);
	if (r == 0)
		r = arms(f, all, n);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_windows_total", "counter",
			       "Efficiency windows reported for the subsystem.", windows);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_windows_ml_not_worse_total", "counter",
			       "Windows with both arms' outcomes where ML did at least as well.",
			       windows_ml_not_worse);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_model_version", "gauge",
			       "The active model's version, 0 for none.", model_version);
	if (r == 0)
		r = per_subsys(f, all, n, "mlfs_training", "gauge",
			       "1 while a training runs.", training);
	if (r == 0)
		r = training_progress(f, all, n);
	if (r == 0)
		r = latency(f, all, n);
	if (r == 0)
		r = lost_events(f, all, n);
	free(all);
	mlfs_subsys_list_free(list, n);
	return r;
}

const struct fs_file_ops fs_metrics_ops = {
	.name = "metrics",
	.mode = 0444,
	.show = metrics_show,
};
