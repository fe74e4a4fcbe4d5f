// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Record checks shared by every side of /dev/mlproxy, so the kernel and user
 * space agree on exactly what is malformed.
 */
#include "mlproxy_record.h"

static bool name_terminated(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0')
			return true;
	return false;
}

static bool register_ok(const struct mlproxy_register *r)
{
	u32 i;

	if ((r->flags & ~MLPROXY_F_ALL) ||
	    (r->flags & (MLPROXY_F_CLASSIFY | MLPROXY_F_REGRESS)) ==
		    (MLPROXY_F_CLASSIFY | MLPROXY_F_REGRESS))
		return false;
	if (r->ncols < 2 || r->ncols > MLPROXY_COLUMNS_MAX || r->mode >= MLPROXY_MODE_MAX ||
	    r->rec_min > r->rec_max || r->rec_default < r->rec_min ||
	    r->rec_default > r->rec_max || !name_terminated(r->name, sizeof(r->name)) ||
	    r->name[0] == '\0' || !name_terminated(r->metric, sizeof(r->metric)))
		return false;
	for (i = 0; i < r->ncols; i++)
		if (r->cols[i].name[0] == '\0' ||
		    !name_terminated(r->cols[i].name, sizeof(r->cols[i].name)) ||
		    r->cols[i].scale == 0)
			return false;
	return true;
}

int mlproxy_record_check(const void *buf, size_t len)
{
	const struct mlproxy_hdr *hdr = buf;
	u32 want;

	if (len < sizeof(*hdr) || hdr->magic != MLPROXY_MAGIC ||
	    hdr->version != MLPROXY_VERSION || hdr->size > len || hdr->size > MLPROXY_RECORD_MAX)
		return -EINVAL;
	switch (hdr->type) {
	case MLPROXY_REGISTER:
		want = sizeof(struct mlproxy_register);
		break;
	case MLPROXY_UNREGISTER:
		want = sizeof(struct mlproxy_hdr);
		break;
	case MLPROXY_SAMPLE: {
		const struct mlproxy_sample *s = buf;

		if (hdr->size < MLPROXY_SAMPLE_SIZE(0) || s->ncols == 0 ||
		    s->ncols > MLPROXY_COLUMNS_MAX)
			return -EINVAL;
		want = MLPROXY_SAMPLE_SIZE(s->ncols);
		break;
	}
	case MLPROXY_WINDOW:
		want = sizeof(struct mlproxy_window);
		break;
	case MLPROXY_OUTCOME:
		want = sizeof(struct mlproxy_outcome);
		break;
	case MLPROXY_MODE:
		want = sizeof(struct mlproxy_mode_change);
		break;
	case MLPROXY_RECOMMEND:
		want = sizeof(struct mlproxy_recommend);
		break;
	default:
		return -EINVAL;
	}
	if (hdr->size != want)
		return -EINVAL;
	if (hdr->type == MLPROXY_REGISTER && !register_ok(buf))
		return -EINVAL;
	if (hdr->type == MLPROXY_MODE) {
		const struct mlproxy_mode_change *m = buf;

		if (m->mode >= MLPROXY_MODE_MAX || !name_terminated(m->text, sizeof(m->text)))
			return -EINVAL;
	}
	if (hdr->type == MLPROXY_RECOMMEND && ((const struct mlproxy_recommend *)buf)->id == 0)
		return -EINVAL;
	return (int)want;
}

void mlproxy_record_init(struct mlproxy_hdr *hdr, enum mlproxy_type type, u32 size, u32 subsys)
{
	hdr->magic = MLPROXY_MAGIC;
	hdr->version = MLPROXY_VERSION;
	hdr->type = (u16)type;
	hdr->size = size;
	hdr->subsys = subsys;
	hdr->seq = 0;
	hdr->time_ns = 0;
}
