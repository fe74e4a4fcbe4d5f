// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The blk collector's kernel side: follows each block request from insertion in
 * a queue, through issue to the driver, to completion, and sends one record per
 * request. Observation only: it reads the requests and changes nothing.
 *
 * tp_btf programs see the tracepoints' raw arguments (the struct request) with
 * BTF types, so CO-RE finds the fields on any kernel that has BTF, and no tracefs
 * mount is needed.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "blk.h"
#include "bpf_ring_i.h"

char LICENSE[] SEC("license") = "GPL";

/* The operation's bits of cmd_flags (REQ_OP_BITS has been 8 since Linux 4.10). */
#define OP_MASK 0xff
#define REQUESTS_MAX 16384
#define DISKS_MAX 1024

/* A request seen in flight. */
struct req_state {
	__u64 insert_ns; /* 0: issued without being inserted */
	__u64 issue_ns;	 /* 0: not issued yet */
	__u64 sector_distance;
	__u32 in_flight;
	__u32 bytes;
};

/*
 * Keyed by the request's address. LRU: a request whose completion is never seen
 * (it was in flight when the collector started) ages out instead of filling the map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, REQUESTS_MAX);
	__type(key, __u64);
	__type(value, struct req_state);
} requests SEC(".maps");

struct disk_state {
	__u64 in_flight;   /* issued and not completed, changed atomically */
	__u64 next_sector; /* where the last issued request ended */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DISKS_MAX);
	__type(key, __u32);
	__type(value, struct disk_state);
} disks SEC(".maps");

static __always_inline __u32 disk_dev(struct request *rq)
{
	struct gendisk *disk = BPF_CORE_READ(rq, q, disk);

	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

static __always_inline struct disk_state *disk_get(__u32 dev)
{
	struct disk_state *d = bpf_map_lookup_elem(&disks, &dev);
	struct disk_state zero = {};

	if (d)
		return d;
	bpf_map_update_elem(&disks, &dev, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&disks, &dev);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(on_insert, struct request *rq)
{
	struct req_state s = { .insert_ns = bpf_ktime_get_ns() };
	__u64 key = (__u64)rq;

	bpf_map_update_elem(&requests, &key, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(on_issue, struct request *rq)
{
	__u64 key = (__u64)rq, sector = BPF_CORE_READ(rq, __sector);
	__u32 bytes = BPF_CORE_READ(rq, __data_len);
	struct req_state *s, fresh = {};
	struct disk_state *d;
	__u32 dev = disk_dev(rq);

	s = bpf_map_lookup_elem(&requests, &key);
	if (!s) {
		bpf_map_update_elem(&requests, &key, &fresh, BPF_ANY);
		s = bpf_map_lookup_elem(&requests, &key);
		if (!s)
			return 0;
	}
	d = disk_get(dev);
	/* A requeued request is issued again: it is still one request in flight. */
	if (d && !s->issue_ns) {
		s->in_flight = (__u32)__sync_fetch_and_add(&d->in_flight, 1);
		s->sector_distance = sector > d->next_sector ? sector - d->next_sector :
							       d->next_sector - sector;
		d->next_sector = sector + (bytes >> 9);
	}
	s->bytes = bytes;
	s->issue_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(on_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct req_state *s = bpf_map_lookup_elem(&requests, &key);
	struct disk_state *d;
	struct blk_event *e;
	__u32 dev, op;

	if (!s)
		return 0;
	if (!s->issue_ns)
		goto out;
	dev = disk_dev(rq);
	d = bpf_map_lookup_elem(&disks, &dev);
	if (d)
		__sync_fetch_and_add(&d->in_flight, -1);
	e = ring_reserve(sizeof(*e));
	if (!e)
		goto out;
	op = BPF_CORE_READ(rq, cmd_flags) & OP_MASK;
	e->dev = dev;
	e->op = op == 0 ? BLK_OP_READ : op == 1 ? BLK_OP_WRITE : BLK_OP_OTHER;
	/* The whole request, as issued: a partial completion is the first of several calls. */
	e->bytes = s->bytes;
	e->in_flight = s->in_flight;
	e->sector_distance = s->sector_distance;
	e->queue_ns = s->insert_ns ? s->issue_ns - s->insert_ns : 0;
	e->latency_ns = now - s->issue_ns;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	ring_submit(e);
out:
	bpf_map_delete_elem(&requests, &key);
	return 0;
}
