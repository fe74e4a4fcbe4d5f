/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * xorshift64*: a cheap generator, good enough to split decisions between arms and
 * to drive the demo workload; the same in the kernel and in user space.
 */
#ifndef MLFS_RANDOM_H
#define MLFS_RANDOM_H

#include "policy_types.h"

/* The next number from *@state, which must not be 0. */
static inline u64 mlfs_random_next(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif
