/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy code is compiled into the kernel module and into user space, so it
 * uses no libc: this header maps the few types and error numbers it needs.
 */
#ifndef MLFS_POLICY_TYPES_H
#define MLFS_POLICY_TYPES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#endif
