// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/model and model.scale: the active model in libsvm's text format (what
 * svm-predict reads) and its scaling in svm-scale's. Writing model uploads one
 * trained elsewhere: it is checked when the file is closed and, if it is good,
 * becomes the next version, atomically; a bad one fails the close with EINVAL
 * and changes nothing. A scaling written to model.scale goes with the next upload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"
#include "model.h"

struct upload {
	char *buf;
	size_t len, cap;
	bool too_big;
};

static int show_record(struct fs_file *f, bool scale)
{
	struct mlfs_model_record rec;
	int r;

	r = mlfs_store_model_load(f->fs->store, f->ss, 0, &rec);
	if (r == -ENOENT)
		return 0; /* no model: an empty file */
	if (r < 0)
		return r;
	r = fs_file_printf(f, "%.*s", (int)(scale ? rec.scale_len : rec.model_len),
			   scale ? rec.scale_text : rec.model_text);
	mlfs_model_record_fini(&rec);
	return r;
}

static int model_show(struct fs_file *f)
{
	return show_record(f, false);
}

static int scale_show(struct fs_file *f)
{
	return show_record(f, true);
}

static int upload_open(struct fs_file *f, int flags)
{
	if ((flags & O_ACCMODE) == O_RDONLY)
		return 0;
	f->priv = calloc(1, sizeof(struct upload));
	return f->priv ? 0 : -ENOMEM;
}

static int upload_write(struct fs_file *f, const char *buf, size_t len)
{
	struct upload *u = f->priv;

	if (u->too_big || u->len + len > MLFS_MODEL_TEXT_MAX) {
		if (!u->too_big)
			mlfs_log(LOG_WARNING, "%s: upload larger than %u MiB refused",
				 mlfs_subsys_name(f->ss), MLFS_MODEL_TEXT_MAX >> 20);
		u->too_big = true;
		return -EFBIG;
	}
	if (u->len + len > u->cap) {
		size_t cap = (u->len + len) * 2;
		char *b = realloc(u->buf, cap > MLFS_MODEL_TEXT_MAX ? MLFS_MODEL_TEXT_MAX : cap);

		if (!b)
			return -ENOMEM;
		u->buf = b;
		u->cap = cap > MLFS_MODEL_TEXT_MAX ? MLFS_MODEL_TEXT_MAX : cap;
	}
	memcpy(u->buf + u->len, buf, len);
	u->len += len;
	return 0;
}

/* The upload is taken at close: every close, as FUSE cannot tell the last one. */
static int model_flush(struct fs_file *f)
{
	struct upload *u = f->priv;
	struct mlfs_subsys_status st;
	struct mlfs_model *model;
	size_t scale_len;
	char err[200], *scale;
	int r;

	if (!u || u->len == 0 || u->too_big)
		return u && u->too_big ? -EFBIG : 0;
	mlfs_subsys_status(f->ss, &st);
	scale = fs_models_take_pending_scale(f->fs->models, f->ss, &scale_len);
	r = mlfs_model_from_text(u->buf, u->len, scale, scale_len, st.ncols ? st.ncols - 1 : 0,
				 &model, err, sizeof(err));
	free(scale);
	u->len = 0;
	if (r < 0) {
		mlfs_log(LOG_WARNING, "%s/model: upload refused, the active model stays: %s",
			 mlfs_subsys_name(f->ss), err);
		return r == -E2BIG ? -EFBIG : -EINVAL;
	}
	r = fs_models_install(f->fs->models, f->ss, model, "uploaded");
	if (r < 0)
		mlfs_log(LOG_ERR, "%s/model: upload not stored: %s", mlfs_subsys_name(f->ss),
			 strerror(-r));
	return r;
}

static int scale_flush(struct fs_file *f)
{
	struct upload *u = f->priv;
	struct mlfs_subsys_status st;
	char err[200];
	int r;

	if (!u || u->len == 0 || u->too_big)
		return u && u->too_big ? -EFBIG : 0;
	mlfs_subsys_status(f->ss, &st);
	r = mlfs_model_scale_check(u->buf, u->len, st.ncols ? st.ncols - 1 : 0, err, sizeof(err));
	if (r < 0) {
		u->len = 0;
		if (r == -ENOMEM)
			return r;
		mlfs_log(LOG_WARNING, "%s/model.scale: scaling refused: %s", mlfs_subsys_name(f->ss),
			 err);
		return r == -E2BIG ? -EFBIG : -EINVAL;
	}
	r = fs_models_set_pending_scale(f->fs->models, f->ss, u->buf, u->len);
	u->buf = NULL;
	u->len = u->cap = 0;
	if (r == 0)
		mlfs_log(LOG_INFO, "%s: scaling kept for the next model upload",
			 mlfs_subsys_name(f->ss));
	return r;
}

static void upload_release(struct fs_file *f)
{
	struct upload *u = f->priv;

	if (u)
		free(u->buf);
	free(u);
}

const struct fs_file_ops fs_model_ops = {
	.name = "model",
	.category = "models",
	.mode = 0644,
	.blocking = true,
	.open = upload_open,
	.show = model_show,
	.write = upload_write,
	.flush = model_flush,
	.release = upload_release,
};

const struct fs_file_ops fs_model_scale_ops = {
	.name = "model.scale",
	.mode = 0644,
	.blocking = true,
	.open = upload_open,
	.show = scale_show,
	.write = upload_write,
	.flush = scale_flush,
	.release = upload_release,
};
