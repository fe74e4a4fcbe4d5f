/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Checking and building /dev/mlproxy records. No libc: the kernel module, the
 * daemon and the user-space stand-in all compile this file.
 */
#ifndef MLPROXY_RECORD_H
#define MLPROXY_RECORD_H

#include "policy_types.h"
#include "uapi/mlproxy.h"

/*
 * mlproxy_record_check() - is @buf (@len bytes available) one whole, well-formed
 * record? Checks magic, version, type, and that the size is the one its type
 * defines (samples: for their column count) and fits in @len. Names must be
 * NUL-terminated. Returns the record's size, or -EINVAL.
 */
int mlproxy_record_check(const void *buf, size_t len);

/* Fill @hdr for a record of @type and @size about subsystem @subsys. */
void mlproxy_record_init(struct mlproxy_hdr *hdr, enum mlproxy_type type, u32 size, u32 subsys);

#endif
