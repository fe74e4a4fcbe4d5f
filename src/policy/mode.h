/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The four modes of the ML_LIB proposal and their words, shared by the kernel
 * module's sysfs files and the daemon's /mlfs/<subsys>/mode files.
 */
#ifndef MLFS_MODE_H
#define MLFS_MODE_H

#include "policy_types.h"

enum mlfs_mode {
	MLFS_MODE_EMERGENCY,      /* default algorithm only */
	MLFS_MODE_LEARNING,       /* ML for a small share of decisions */
	MLFS_MODE_COLLABORATION,  /* ML for half of the decisions, randomised */
	MLFS_MODE_RECOMMENDATION, /* ML for every decision */
	MLFS_MODE_MAX,
};

/* The longest mode word, without terminator. */
#define MLFS_MODE_NAME_MAX 14

/*
 * mlfs_mode_parse() - parse one mode word as written to a mode file.
 * The word may be followed by one newline; nothing else is accepted.
 * Returns 0 and sets *ret_mode, or -EINVAL.
 */
int mlfs_mode_parse(const char *buf, size_t len, enum mlfs_mode *ret_mode);

/* The word for @mode, or NULL when @mode is out of range. */
const char *mlfs_mode_name(enum mlfs_mode mode);

#endif
