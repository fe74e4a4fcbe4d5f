// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/control: verbs, one per line. train: train a model on the dataset in
 * the background (status shows the progress; EINVAL with too few rows, EBUSY
 * while a job runs); retrain: the same on the dataset and what feedback taught;
 * cancel: stop that (ESRCH when none runs); rollback: make the previous model
 * version active again (ENODATA when there is none); autoretrain on|off: whether
 * a window where the model did worse than the default starts a retrain.
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "control_verb_i.h"
#include "fs_i.h"

/* Cross-validation needs rows in every fold: fewer than this cannot train. */
#define TRAIN_ROWS_MIN 10

static int train(struct fs_file *f, bool with_labels, enum mlfs_model_kind kind)
{
	const char *name = mlfs_subsys_name(f->ss);
	const char *verb = with_labels ? "retrain" : "train";
	struct mlfs_subsys_status st;
	int r;

	/* What can be known now fails now; the rest shows in status and the log. */
	mlfs_subsys_status(f->ss, &st);
	if (st.rows < TRAIN_ROWS_MIN) {
		mlfs_log(LOG_WARNING, "%s/control: %s: %llu rows; at least %d are needed", name,
			 verb, (unsigned long long)st.rows, TRAIN_ROWS_MIN);
		return -EINVAL;
	}
	/* One target value: nothing to tell apart, nothing to regress. */
	if (mlfs_store_distinct_targets(f->fs->store, f->ss, 2) == 1) {
		mlfs_log(LOG_WARNING, "%s/control: %s: every row has the same target value", name,
			 verb);
		return -EINVAL;
	}
	r = fs_models_train(f->fs->models, f->ss, with_labels, kind);
	if (r == -EBUSY)
		mlfs_log(LOG_WARNING, "%s/control: %s: a training job is running already", name,
			 verb);
	else if (r == 0)
		mlfs_log(LOG_INFO, "%s: %s started", name, with_labels ? "retraining" : "training");
	return r;
}

static int run_verb(struct fs_file *f, const char *line, size_t len)
{
	struct fs_models *m = f->fs->models;
	const char *name = mlfs_subsys_name(f->ss);
	struct fs_control_verb verb;
	char quoted[MLFS_QUOTE_BUF];
	int r;

	if (fs_control_verb_parse(line, len, &verb) < 0) {
		mlfs_log(LOG_WARNING, "%s/control: unknown verb \"%s\"; use train "
				      "[classify|regress], retrain, cancel, rollback, autoretrain on "
				      "or autoretrain off",
			 name, mlfs_quote(line, len, quoted));
		return -EINVAL;
	}
	switch (verb.action) {
	case FS_CONTROL_TRAIN:
	case FS_CONTROL_RETRAIN:
		/* The kind follows the target (a class or a number) unless the verb names it. */
		return train(f, verb.action == FS_CONTROL_RETRAIN, verb.kind);
	case FS_CONTROL_AUTORETRAIN:
		r = mlfs_store_set_autoretrain(f->fs->store, f->ss, verb.on);
		if (r == 0)
			mlfs_log(LOG_INFO, "%s: autoretrain %s", name, verb.on ? "on" : "off");
		return r;
	case FS_CONTROL_CANCEL:
		r = fs_models_cancel(m, f->ss);
		if (r == -ENOENT)
			mlfs_log(LOG_WARNING, "%s/control: cancel: no training job is running", name);
		return r == -ENOENT ? -ESRCH : r;
	case FS_CONTROL_ROLLBACK:
		r = fs_models_rollback(m, f->ss);
		if (r == -ENOENT)
			mlfs_log(LOG_WARNING, "%s/control: rollback: no older model version", name);
		return r == -ENOENT ? -ENODATA : r;
	default:
		return -EINVAL;
	}
}

static int control_write(struct fs_file *f, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int r = 0;

	if (memchr(buf, '\0', len)) {
		mlfs_log(LOG_WARNING, "%s/control: NUL byte in a verb", mlfs_subsys_name(f->ss));
		return -EINVAL;
	}
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n > 0)
			r = run_verb(f, p, n);
		p = nl ? nl + 1 : end;
	}
	return r;
}

const struct fs_file_ops fs_control_ops = {
	.name = "control",
	.mode = 0200,
	.blocking = true,
	.write = control_write,
};
