// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Mode words. No libc: this file is also built into the kernel module.
 */
#include "mode.h"

static const char *const mode_names[MLFS_MODE_MAX] = {
	[MLFS_MODE_EMERGENCY] = "emergency",
	[MLFS_MODE_LEARNING] = "learning",
	[MLFS_MODE_COLLABORATION] = "collaboration",
	[MLFS_MODE_RECOMMENDATION] = "recommendation",
};

const char *mlfs_mode_name(enum mlfs_mode mode)
{
	if ((unsigned int)mode >= MLFS_MODE_MAX)
		return NULL;
	return mode_names[mode];
}

static bool word_equals(const char *buf, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || buf[i] != word[i])
			return false;
	return word[len] == '\0';
}

int mlfs_mode_parse(const char *buf, size_t len, enum mlfs_mode *ret_mode)
{
	int m;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > MLFS_MODE_NAME_MAX)
		return -EINVAL;
	for (m = 0; m < MLFS_MODE_MAX; m++) {
		if (word_equals(buf, len, mode_names[m])) {
			*ret_mode = (enum mlfs_mode)m;
			return 0;
		}
	}
	return -EINVAL;
}
