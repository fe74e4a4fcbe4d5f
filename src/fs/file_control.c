// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * <subsys>/control: verbs, one per line. train: train a model on the dataset in
 * the background (status shows the progress; EINVAL with too few rows, EBUSY
 * while a job runs); cancel: stop that (ESRCH when none runs); rollback: make
 * the previous model version active again (ENODATA when there is none).
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"

/* Cross-validation needs rows in every fold: fewer than this cannot train. */
#define TRAIN_ROWS_MIN 10

static int run_verb(struct fs_file *f, const char *verb, size_t len)
{
	struct fs_models *m = f->fs->models;
	const char *name = mlfs_subsys_name(f->ss);
	int r;

	if (len == 5 && memcmp(verb, "train", 5) == 0) {
		struct mlfs_subsys_status st;

		/* What can be known now fails now; the rest shows in status and the log. */
		mlfs_subsys_status(f->ss, &st);
		if (st.rows < TRAIN_ROWS_MIN) {
			mlfs_log(LOG_WARNING, "%s/control: train: %llu rows; at least %d are needed",
				 name, (unsigned long long)st.rows, TRAIN_ROWS_MIN);
			return -EINVAL;
		}
		r = fs_models_train(m, f->ss);
		if (r == -EBUSY)
			mlfs_log(LOG_WARNING, "%s/control: train: a training job is running already",
				 name);
		else if (r == 0)
			mlfs_log(LOG_INFO, "%s: training started", name);
		return r;
	}
	if (len == 6 && memcmp(verb, "cancel", 6) == 0) {
		r = fs_models_cancel(m, f->ss);
		if (r == -ENOENT)
			mlfs_log(LOG_WARNING, "%s/control: cancel: no training job is running", name);
		return r == -ENOENT ? -ESRCH : r;
	}
	if (len == 8 && memcmp(verb, "rollback", 8) == 0) {
		r = fs_models_rollback(m, f->ss);
		if (r == -ENOENT)
			mlfs_log(LOG_WARNING, "%s/control: rollback: no older model version", name);
		return r == -ENOENT ? -ENODATA : r;
	}
	mlfs_log(LOG_WARNING, "%s/control: unknown verb \"%.*s\"; use train, cancel or rollback",
		 name, (int)(len < 32 ? len : 32), verb);
	return -EINVAL;
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
	.write = control_write,
};
