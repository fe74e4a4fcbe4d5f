/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * A BTF pointer's address as a plain number, for the collectors' kernel sides.
 * Included by the .bpf.c files only, after vmlinux.h.
 *
 * The verifier allows no arithmetic on a pointer it knows the type of (hashing
 * a request's address, indexing a table of files), and a copy of the pointer in
 * a register or on the stack keeps the type. A copy read back from a map value
 * is untyped memory, so it is a number; the number is only hashed, or read
 * through a helper that checks the address.
 */
#ifndef MLFS_BPF_ADDR_I_H
#define MLFS_BPF_ADDR_I_H

#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} addr_scratch SEC(".maps");

/* @ptr's address, or 0 when the scratch word cannot be had. */
static __always_inline __u64 addr_of(const void *ptr)
{
	__u32 zero = 0;
	__u64 *word = bpf_map_lookup_elem(&addr_scratch, &zero);

	if (!word)
		return 0;
	/* volatile: else the compiler hands the pointer straight back. */
	*(volatile __u64 *)word = (__u64)ptr;
	return *(volatile __u64 *)word;
}

#endif
