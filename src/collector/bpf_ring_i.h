/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What every collector's kernel side shares: the ring buffer its records go
 * through, the count of records it had to lose, and when to wake the reader.
 * Included by the .bpf.c files only, after vmlinux.h.
 *
 * A probe must never wait for user space: when the ring is full, the record is
 * lost and counted, and the daemon shows the count in the subsystem's status.
 */
#ifndef MLFS_BPF_RING_I_H
#define MLFS_BPF_RING_I_H

#include <bpf/bpf_helpers.h>

#define RING_BYTES (4 << 20)

/*
 * Waking the reader for every record would cost a context switch per block
 * request; it is woken once a quarter of the ring is filled, and reads the
 * rest on its own timer (every 100 ms).
 */
#define RING_WAKEUP_BYTES (RING_BYTES / 4)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} events SEC(".maps");

/* Records lost to a full ring, per CPU so that counting never contends. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void *ring_reserve(__u64 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);
	__u32 zero = 0;
	__u64 *n;

	if (!rec) {
		n = bpf_map_lookup_elem(&lost, &zero);
		if (n)
			(*n)++;
	}
	return rec;
}

static __always_inline void ring_submit(void *rec)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= RING_WAKEUP_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

#endif
