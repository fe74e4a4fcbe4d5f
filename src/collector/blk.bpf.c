// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The blk collector's kernel side: follows block requests from insertion in a
 * queue, through issue to the driver, to completion, and sends one record per
 * request it samples. Observation only: it reads the requests and changes nothing.
 *
 * tp_btf programs see the tracepoints' raw arguments (the struct request) with
 * BTF types, so CO-RE finds the fields on any kernel that has BTF, fields are
 * read with plain loads, and no tracefs mount is needed.
 *
 * What it costs is what decides the design. Every request of every disk runs
 * these programs, and a record costs far more than the programs: the ring, then
 * user space making a row and SQLite storing it, about 2 us of CPU per request on
 * the 2-CPU machine this was measured on, a tenth of a fast device's request. So:
 *  - every request updates its disk's counts (requests in flight, where the last
 *    one ended, requests seen) in a slot of disks[], which user space reads;
 *  - a request is sampled with odds each disk sets itself every 100 ms from its
 *    rate: every request while a disk is slower than the budget of rows
 *    (-o blk_rows_per_s), a uniform sample of the budget's size when it is
 *    faster, and never more than the budget since the window began. No user
 *    space in that loop: a daemon short of CPU cannot let it run away;
 *  - only sampled requests take a slot of requests[] from insertion or issue to
 *    completion, and only they are sent.
 * No hash map either: a lookup or update in one took about 100 ns here (buckets
 * and elements scattered over vmalloc'd pages, a TLB miss in a virtual machine),
 * against a few ns for an array slot found from the request's address. Slots are
 * taken and freed with compare-and-swap, so CPUs that issue and complete at once
 * never share one.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "blk.h"
#include "bpf_addr_i.h"
#include "bpf_ring_i.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader: the budget of rows per second and disk; 0 samples every request. */
const volatile __u32 rows_per_s = 0;

/* The operation's bits of cmd_flags (REQ_OP_BITS has been 8 since Linux 4.10). */
#define OP_MASK 0xff

/*
 * Sampled requests between insertion and completion, in open addressing: a
 * request takes the first free slot of PROBES from its hash. With fewer than a
 * quarter of the slots in use, a request finds none once in more than 200
 * (0.25^4); its record is counted as lost.
 */
#define SLOT_BITS 12
#define SLOTS (1u << SLOT_BITS)
#define PROBES 4
/*
 * A slot whose request was never seen completing (merged into another after
 * insertion, or freed on a path without the tracepoint) is taken back after this.
 */
#define STALE_NS (60ULL * 1000000000ULL)
/* How often a disk's odds are set again. */
#define RATE_WINDOW_NS 100000000ULL
/* A longer window is as slow a disk as this long (which keeps the arithmetic in 64 bits). */
#define RATE_WINDOW_MAX_NS (1ULL << 32)

struct req_slot {
	__u64 rq;	 /* the request's address; 0 when the slot is free */
	__u64 since_ns;	 /* when the slot was taken */
	__u64 insert_ns; /* 0: issued without being inserted */
	__u64 issue_ns;	 /* 0: not issued yet */
	__u64 sector_distance;
	__u32 in_flight;
	__u32 bytes;
	__u32 disk; /* its disk's index in disks[] */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct req_slot);
} requests SEC(".maps");

/* The disks, in global data: the programs index it directly, user space maps it. */
struct blk_disk disks[BLK_DISKS];

static __always_inline __u32 hash(__u64 v, unsigned int bits)
{
	return (__u32)((v * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

static __always_inline __u32 disk_dev(struct request *rq)
{
	struct gendisk *disk = rq->q->disk;

	if (!disk)
		return 0;
	return ((__u32)disk->major << 20) | (__u32)disk->first_minor;
}

/*
 * The index of the disk's slot in disks[], taken on its first request when
 * @take; BLK_DISKS when there is none.
 */
static __always_inline __u32 disk_index(__u32 dev, bool take)
{
	__u32 start = hash(dev, 8), i, idx;

	if (!dev)
		return BLK_DISKS;
	for (i = 0; i < PROBES; i++) {
		idx = (start + i) % BLK_DISKS;
		if (disks[idx].dev == dev)
			return idx;
		if (!take || disks[idx].dev)
			continue;
		/* Another CPU may take it at the same time, perhaps for the same disk. */
		if (__sync_val_compare_and_swap(&disks[idx].dev, 0, dev) == 0 ||
		    disks[idx].dev == dev)
			return idx;
	}
	return BLK_DISKS;
}

/*
 * Whether to follow this request, by its disk's odds, and never beyond the budget
 * since its window began (and a tenth of a second's share): the odds come from the
 * window before, and a disk that just became fast (its first window, above all)
 * would otherwise send every request.
 */
static __always_inline bool sampled(__u32 idx)
{
	struct blk_disk *d = &disks[idx % BLK_DISKS];
	__u64 elapsed, allowed;

	if (bpf_get_prandom_u32() < d->unsampled)
		return false;
	if (!rows_per_s)
		return true;
	elapsed = bpf_ktime_get_ns() - d->window_start_ns;
	if (elapsed > RATE_WINDOW_MAX_NS)
		elapsed = RATE_WINDOW_MAX_NS;
	allowed = (rows_per_s * elapsed + rows_per_s * RATE_WINDOW_NS) / 1000000000ULL + 1;
	return __sync_fetch_and_add(&d->window_sampled, 1) < allowed;
}

/*
 * A request issued to @d: counted, and when its rate window is over, the odds for
 * the next one set from the window's rate, by the one CPU that ends the window.
 * The clock is read at every 64th request only: enough to follow a rate that
 * matters, which is hundreds of requests a window.
 */
static __always_inline void disk_count(struct blk_disk *d)
{
	__u64 n = __sync_fetch_and_add(&d->requests, 1), now, start, allowed, elapsed;

	if (!rows_per_s || (n & 63))
		return;
	now = bpf_ktime_get_ns();
	start = d->window_start_ns;
	if (now - start < RATE_WINDOW_NS ||
	    __sync_val_compare_and_swap(&d->window_start_ns, start, now) != start)
		return;
	n -= __sync_lock_test_and_set(&d->window_first, n);
	d->window_sampled = 0;
	elapsed = now - start;
	if (!start || elapsed > RATE_WINDOW_MAX_NS)
		elapsed = RATE_WINDOW_MAX_NS;
	allowed = rows_per_s * elapsed / 1000000000ULL;
	/* A share (n - allowed) / n of the requests goes unsampled, in 32-bit fixed point. */
	d->unsampled = n <= allowed ? 0 : (__u32)(((n - allowed) << 32) / n);
}

/* The request's slot, or NULL. */
static __always_inline struct req_slot *req_find(__u64 rq)
{
	__u32 start = hash(rq, SLOT_BITS), i, idx;
	struct req_slot *s;

	for (i = 0; i < PROBES; i++) {
		idx = (start + i) % SLOTS;
		s = bpf_map_lookup_elem(&requests, &idx);
		if (s && s->rq == rq)
			return s;
	}
	return NULL;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++;
}

/* A slot taken for a request of disk @idx, or NULL (counted as lost) when none is free. */
static __always_inline struct req_slot *req_take(__u64 rq, __u32 idx, __u64 now)
{
	__u32 start = hash(rq, SLOT_BITS), i, slot;
	struct req_slot *s;
	__u64 old;

	for (i = 0; i < PROBES; i++) {
		slot = (start + i) % SLOTS;
		s = bpf_map_lookup_elem(&requests, &slot);
		if (!s)
			break;
		old = s->rq;
		if (old && now - s->since_ns < STALE_NS)
			continue;
		if (__sync_val_compare_and_swap(&s->rq, old, rq) != old)
			continue;
		if (old)
			__sync_fetch_and_add(&disks[s->disk % BLK_DISKS].sampled_in_flight, -1);
		__sync_fetch_and_add(&disks[idx % BLK_DISKS].sampled_in_flight, 1);
		s->since_ns = now;
		s->insert_ns = 0;
		s->issue_ns = 0;
		s->disk = idx;
		return s;
	}
	count_lost();
	return NULL;
}

/* The request's slot if it is sampled and one of disk @idx's sampled requests is in flight. */
static __always_inline struct req_slot *req_of_disk(__u64 rq, __u32 idx)
{
	return disks[idx % BLK_DISKS].sampled_in_flight ? req_find(rq) : NULL;
}

/* A request no longer in flight; never below zero, for those issued before the start. */
static __always_inline void disk_done(__u32 idx)
{
	struct blk_disk *d = &disks[idx % BLK_DISKS];

	if ((__s64)__sync_fetch_and_add(&d->in_flight, -1) <= 0)
		__sync_fetch_and_add(&d->in_flight, 1);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(on_insert, struct request *rq)
{
	__u32 idx = disk_index(disk_dev(rq), true);
	__u64 addr, now;
	struct req_slot *s;

	if (idx >= BLK_DISKS)
		return 0;
	addr = addr_of(rq);
	/* Inserted again after a requeue: the first insertion counts. */
	if (!addr || req_of_disk(addr, idx) || !sampled(idx))
		return 0;
	now = bpf_ktime_get_ns();
	s = req_take(addr, idx, now);
	if (s)
		s->insert_ns = now;
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(on_issue, struct request *rq)
{
	__u64 sector = rq->__sector, distance, addr;
	__u32 bytes = rq->__data_len, idx, in_flight;
	struct blk_disk *d;
	struct req_slot *s;

	idx = disk_index(disk_dev(rq), true);
	if (idx >= BLK_DISKS) {
		count_lost();
		return 0;
	}
	d = &disks[idx];
	disk_count(d);
	in_flight = (__u32)__sync_fetch_and_add(&d->in_flight, 1);
	distance = sector > d->next_sector ? sector - d->next_sector : d->next_sector - sector;
	d->next_sector = sector + (bytes >> 9);

	addr = addr_of(rq);
	if (!addr)
		return 0;
	/* Sampled at insertion, or issued again after a requeue. */
	s = req_of_disk(addr, idx);
	if (!s) {
		if (!sampled(idx))
			return 0;
		s = req_take(addr, idx, bpf_ktime_get_ns());
		if (!s)
			return 0;
	}
	s->in_flight = in_flight;
	s->sector_distance = distance;
	s->bytes = bytes;
	s->issue_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * The request goes back to be issued again: it is no longer in flight. One the
 * driver refused before starting it (MQ_RQ_IDLE) was never issued.
 */
SEC("tp_btf/block_rq_requeue")
int BPF_PROG(on_requeue, struct request *rq)
{
	__u32 idx = disk_index(disk_dev(rq), false);
	struct req_slot *s;

	if (idx >= BLK_DISKS || rq->state == MQ_RQ_IDLE)
		return 0;
	disk_done(idx);
	s = req_of_disk(addr_of(rq), idx);
	if (s)
		s->issue_ns = 0;
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(on_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	__u64 now, addr;
	__u32 dev = disk_dev(rq), idx, op;
	struct blk_event *e;
	struct req_slot *s;

	/* A partial completion: the request stays in flight until its last part. */
	if (nr_bytes < rq->__data_len)
		return 0;
	idx = disk_index(dev, false);
	if (idx >= BLK_DISKS)
		return 0;
	disk_done(idx);
	addr = addr_of(rq);
	s = req_of_disk(addr, idx);
	if (!s)
		return 0;
	if (!s->issue_ns)
		goto out;
	now = bpf_ktime_get_ns();
	e = ring_reserve(sizeof(*e));
	if (!e)
		goto out;
	op = rq->cmd_flags & OP_MASK;
	e->dev = dev;
	e->op = op == 0 ? BLK_OP_READ : op == 1 ? BLK_OP_WRITE : BLK_OP_OTHER;
	e->bytes = s->bytes;
	e->in_flight = s->in_flight;
	e->sector_distance = s->sector_distance;
	e->queue_ns = s->insert_ns ? s->issue_ns - s->insert_ns : 0;
	e->latency_ns = now - s->issue_ns;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	ring_submit(e);
out:
	/* Read before freed: the next request to take the slot rewrites it. */
	if (__sync_val_compare_and_swap(&s->rq, addr, 0) == addr)
		__sync_fetch_and_add(&disks[idx].sampled_in_flight, -1);
	return 0;
}
