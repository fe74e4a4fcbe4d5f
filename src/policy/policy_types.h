/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The policy code is compiled into the kernel module and into user space, so it
 * uses no libc: this header maps the few types and error numbers it needs.
 */
#ifndef MLFS_POLICY_TYPES_H
#define MLFS_POLICY_TYPES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/types.h>
#define mlfs_div_s64(a, b) div64_s64((a), (b))
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef int64_t s64;
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
#define mlfs_div_s64(a, b) ((a) / (b))
#endif

#endif
