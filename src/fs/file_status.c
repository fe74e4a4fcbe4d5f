// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/status: one "key: value" per line, for people and for scripts (awk,
 * grep). Keys are only ever added, never renamed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#include "fs_i.h"

/* The active model and the training job. */
static int show_model(struct fs_file *f)
{
	struct fs_model_ref *ref = fs_models_get(f->fs->models, f->ss);
	struct fs_train_state job;
	struct fs_efficiency eff;
	struct mlfs_model_info info;
	int r;

	r = fs_file_printf(f, "model_version: %lld\n", (long long)mlfs_subsys_model_version(f->ss));
	if (ref) {
		fs_model_info(ref, &info);
		char c[32] = "";

		/* libsvm's model text does not carry C: known only for models trained here. */
		if (info.trained)
			snprintf(c, sizeof(c), " C=%g", info.c);
		r |= fs_file_printf(f, "model: %s %s%s gamma=%g, %u features%s\n",
				    info.kind == MLFS_MODEL_CLASSIFY ? "classify" : "regress",
				    info.kernel_type == 0 ? "linear" : "rbf", c, info.gamma,
				    info.nfeatures, info.scaled ? ", scaled" : "");
		if (info.trained && info.kind == MLFS_MODEL_CLASSIFY)
			r |= fs_file_printf(f, "model_cv: accuracy %.2f%% on %zu rows in %.1f s\n",
					    info.cv_accuracy, info.rows_used, info.seconds);
		else if (info.trained)
			r |= fs_file_printf(f, "model_cv: mse %g on %zu rows in %.1f s\n",
					    info.cv_mse, info.rows_used, info.seconds);
		fs_model_ref_put(ref);
	}
	fs_models_efficiency(f->fs->models, f->ss, &eff);
	if (eff.windows > 0) {
		r |= fs_file_printf(f, "efficiency_default: %g over %llu decisions\n", eff.means[0],
				    (unsigned long long)eff.decisions[0]);
		r |= fs_file_printf(f, "efficiency_ml: %g over %llu decisions\n", eff.means[1],
				    (unsigned long long)eff.decisions[1]);
		r |= fs_file_printf(f, "maturity: ML as good as the default or better in %llu of "
				       "%llu judged windows (%llu reported)\n",
				    (unsigned long long)eff.ml_not_worse,
				    (unsigned long long)eff.judged, (unsigned long long)eff.windows);
	}
	r |= fs_file_printf(f, "autoretrain: %s\n", eff.autoretrain ? "on" : "off");
	fs_models_state(f->fs->models, f->ss, &job);
	if (job.running)
		r |= fs_file_printf(f, "training: %s, grid point %u of %u, fold %u of %u\n",
				    job.stage, job.point, job.points, job.fold, job.folds);
	else if (job.stage[0])
		r |= fs_file_printf(f, "training: %s%s%s\n", job.stage,
				    strcmp(job.last, "ok") ? ": " : "",
				    strcmp(job.last, "ok") ? job.last : "");
	else
		r |= fs_file_printf(f, "training: idle\n");
	return r;
}

/*
 * For an eBPF collector's subsystem: whether it runs, what its kernel side lost,
 * and what it saw, sampled or not, when it counts that.
 */
static int show_collector(struct fs_file *f)
{
	uint64_t lost, observed;
	const char *name, *by;
	int r;

	if (mlfs_subsys_origin(f->ss) != MLFS_ORIGIN_BPF)
		return 0;
	if (!mlfs_bpf_lost_events(f->fs->bpf, f->ss, &lost))
		return fs_file_printf(f, "collector: not running\n");
	r = fs_file_printf(f, "collector: running\nlost_events: %" PRIu64 "\n", lost);
	if (r == 0 && mlfs_bpf_observed(f->fs->bpf, f->ss, &name, &observed))
		r = fs_file_printf(f, "%s: %" PRIu64 "\n", name, observed);
	by = mlfs_bpf_observed_by(f->fs->bpf, f->ss);
	if (r == 0 && by)
		r = fs_file_printf(f, "observed_by: %s\n", by);
	return r;
}

static int status_show(struct fs_file *f)
{
	struct mlfs_subsys_status st;
	struct mlfs_columns *cols = malloc(sizeof(*cols));
	char changed[40], ingested[40];
	unsigned i;
	int r = 0;

	if (!cols)
		return -ENOMEM;
	mlfs_subsys_status(f->ss, &st);
	mlfs_subsys_columns(f->ss, cols);
	fs_format_time(st.mode_changed_ns, changed, sizeof(changed));
	fs_format_time(st.last_ingest_ns, ingested, sizeof(ingested));

	r |= fs_file_printf(f, "name: %s\norigin: %s\ncolumns: ", mlfs_subsys_name(f->ss),
			    mlfs_origin_name(st.origin));
	for (i = 0; i < cols->n; i++)
		r |= fs_file_printf(f, "%s%s", i ? "," : "", cols->names[i]);
	r |= fs_file_printf(f, "\ntarget: %s\n", cols->n ? cols->names[cols->target] : "-");
	r |= fs_file_printf(f,
			    "rows: %" PRIu64 "\nrows_total: %" PRIu64 "\nrows_max: %" PRIu64
			    "\nbytes: %" PRIu64 "\ndrops: %" PRIu64 "\nqueued: %" PRIu64
			    "\nlast_ingest: %s\n",
			    st.rows, st.rows_total, st.rows_max, st.bytes, st.drops, st.queued,
			    ingested);
	r |= fs_file_printf(f,
			    "mode: %s\nmode_reason: %s\nmode_changed: %s\nmode_changes: %" PRIu64
			    "\nfeedback: %" PRIu64 "\n",
			    mlfs_mode_name(st.mode), st.mode_reason, changed, st.mode_changes,
			    st.feedback);
	r |= show_collector(f);
	r |= show_model(f);
	free(cols);
	return r ? -ENOMEM : 0;
}

const struct fs_file_ops fs_status_ops = {
	.name = "status",
	.mode = 0444,
	.show = status_show,
};
