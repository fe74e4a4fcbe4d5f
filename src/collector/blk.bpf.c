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
 *  - every request adds 1 to a count of its disk's on its CPU (struct blk_cpu):
 *    issued, completed or requeued, and the issuing CPU notes where the request
 *    ends. Nothing that every request writes is shared between CPUs: a shared
 *    line went back and forth between the CPU that issues and the one that
 *    completes (or a thread that moves between CPUs), at 20-40 ns each time
 *    here. Only for a sampled request are the counts summed over the CPUs (the
 *    requests in flight), and the request issued last found (its distance);
 *  - a request is sampled with odds each disk sets itself every 100 ms from its
 *    rate: every request while a disk is slower than the budget of rows
 *    (attached_rows_per_s), a uniform sample of the budget's size when it is
 *    faster, and never more than the budget since the window began. No user
 *    space in that loop: a daemon short of CPU cannot let it run away (user
 *    space only attaches the programs a share of the time, blk.c says why);
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
/*
 * The budget for the time the programs are attached, set by user space: while it
 * attaches them a share of the time only (blk.c says when), the budget over that
 * share, so that the rows over all the time keep to rows_per_s. At most 2^31,
 * which keeps the arithmetic with RATE_WINDOW_MAX_NS in 64 bits.
 */
__u64 attached_rows_per_s;
/*
 * Set by user space at each attachment: a slot taken before is free, its request
 * never to be seen completing.
 */
__u32 generation;
/* Set by the loader: the CPUs the per-CPU counts are kept for. */
const volatile __u32 nr_cpus = 1;
/*
 * Set by user space once the programs are attached (bpf_ktime_get_ns()'s clock):
 * a request the kernel stamped before is left out of the counts, at its issue and
 * at its completion alike, or one in flight at the start would count as completed
 * and never issued. Until set, nothing is counted.
 */
__u64 counting_since_ns;

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
	__u32 disk;	  /* its disk's index in disks[] */
	__u32 generation; /* the attachment it was taken in */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct req_slot);
} requests SEC(".maps");

/* The disks, in global data: the programs index it directly, user space maps it. */
struct blk_disk disks[BLK_DISKS];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BLK_DISKS);
	__type(key, __u32);
	__type(value, struct blk_cpu);
} cpus SEC(".maps");

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
static __always_inline bool sampled(__u32 idx, struct blk_cpu *c)
{
	struct blk_disk *d = &disks[idx % BLK_DISKS];
	__u64 elapsed, allowed, x = c->random;

	/*
	 * A draw from xorshift64, its state this CPU's: a fraction of the cost of a
	 * helper call, and random enough to pick one request in N.
	 */
	if (!x)
		x = bpf_get_prandom_u32() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->random = x;
	if ((__u32)(x >> 32) < d->unsampled)
		return false;
	if (!rows_per_s)
		return true;
	elapsed = bpf_ktime_get_ns() - d->window_start_ns;
	if (elapsed > RATE_WINDOW_MAX_NS)
		elapsed = RATE_WINDOW_MAX_NS;
	allowed = attached_rows_per_s * (elapsed + RATE_WINDOW_NS) / 1000000000ULL + 1;
	return __sync_fetch_and_add(&d->window_sampled, 1) < allowed;
}

/* A disk's counts summed over the CPUs, and the request last issued to it. */
struct disk_sum {
	__u32 idx;
	__u64 issued;
	__u64 done; /* completed or requeued */
	__u64 last_end;
	__u64 last_stamp;
};

static long add_cpu(__u32 cpu, void *data)
{
	struct disk_sum *sum = data;
	struct blk_cpu *c = bpf_map_lookup_percpu_elem(&cpus, &sum->idx, cpu);

	if (!c)
		return 0;
	sum->issued += c->issued;
	sum->done += c->completed + c->requeued;
	if (c->last_stamp > sum->last_stamp) {
		sum->last_stamp = c->last_stamp;
		sum->last_end = c->last_end;
	}
	return 0;
}

/*
 * Disk @idx's counts, and the request issued last, by the kernel's stamps: @c's
 * (this CPU's) unless another CPU's is later. Where the kernel stamps none (no
 * I/O accounting), this CPU's.
 */
static __always_inline void disk_sum(__u32 idx, const struct blk_cpu *c, struct disk_sum *sum)
{
	sum->idx = idx;
	sum->issued = sum->done = 0;
	sum->last_end = c->last_end;
	sum->last_stamp = c->last_stamp;
	bpf_loop(nr_cpus, add_cpu, sum, 0);
}

/*
 * When the rate window of disk @idx is over, the odds for the next one set from
 * the window's rate, by the one CPU that ends the window. Each CPU reads the
 * clock at every 64th request it issues (by @c, its counts): enough to follow a
 * rate that matters, which is hundreds of requests a window.
 */
static __always_inline void window_tick(__u32 idx, const struct blk_cpu *c)
{
	struct blk_disk *d = &disks[idx % BLK_DISKS];
	__u64 n, now, start, allowed, elapsed;
	struct disk_sum sum;

	if (!rows_per_s || (c->issued & 63))
		return;
	now = bpf_ktime_get_ns();
	start = d->window_start_ns;
	if (now - start < RATE_WINDOW_NS ||
	    __sync_val_compare_and_swap(&d->window_start_ns, start, now) != start)
		return;
	disk_sum(idx, c, &sum);
	n = sum.issued - d->window_first;
	d->window_first = sum.issued;
	d->window_sampled = 0;
	elapsed = now - start;
	if (!start || elapsed > RATE_WINDOW_MAX_NS)
		elapsed = RATE_WINDOW_MAX_NS;
	allowed = attached_rows_per_s * elapsed / 1000000000ULL;
	/* A share (n - allowed) / n of the requests goes unsampled, in 32-bit fixed point. */
	d->unsampled = n <= allowed ? 0 : (__u32)(((n - allowed) << 32) / n);
}

/* Whether @rq is one the counts follow: stamped by the kernel after they began, if at all. */
static __always_inline bool counted(struct request *rq)
{
	__u64 since = counting_since_ns, start = rq->start_time_ns;

	return since && !(start && start < since);
}

/* The request's slot, or NULL. */
static __always_inline struct req_slot *req_find(__u64 rq)
{
	__u32 start = hash(rq, SLOT_BITS), i, idx;
	struct req_slot *s;

	for (i = 0; i < PROBES; i++) {
		idx = (start + i) % SLOTS;
		s = bpf_map_lookup_elem(&requests, &idx);
		if (s && s->rq == rq && s->generation == generation)
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
	bool current;
	__u64 old;

	for (i = 0; i < PROBES; i++) {
		slot = (start + i) % SLOTS;
		s = bpf_map_lookup_elem(&requests, &slot);
		if (!s)
			break;
		old = s->rq;
		current = s->generation == generation;
		if (old && current && now - s->since_ns < STALE_NS)
			continue;
		if (__sync_val_compare_and_swap(&s->rq, old, rq) != old)
			continue;
		if (old && current)
			__sync_fetch_and_add(&disks[s->disk % BLK_DISKS].sampled_in_flight, -1);
		s->generation = generation;
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

/*
 * @rq's slot if it is sampled, and NULL at once while none of disk @idx's is in
 * flight, which is nearly always; its address in *@addr when it was needed.
 */
static __always_inline struct req_slot *req_of_disk(struct request *rq, __u32 idx, __u64 *addr)
{
	if (!disks[idx % BLK_DISKS].sampled_in_flight)
		return NULL;
	*addr = addr_of(rq);
	return *addr ? req_find(*addr) : NULL;
}

/* Disk @idx as this CPU sees it, or NULL. */
static __always_inline struct blk_cpu *cpu_of(__u32 idx)
{
	return bpf_map_lookup_elem(&cpus, &idx);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(on_insert, struct request *rq)
{
	__u32 idx = disk_index(disk_dev(rq), true);
	__u64 addr = 0, now;
	struct req_slot *s;
	struct blk_cpu *c;

	if (idx >= BLK_DISKS || !counted(rq))
		return 0;
	c = cpu_of(idx);
	/* Inserted again after a requeue: the first insertion counts. */
	if (!c || req_of_disk(rq, idx, &addr) || !sampled(idx, c))
		return 0;
	addr = addr ?: addr_of(rq);
	if (!addr)
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
	__u64 sector = rq->__sector, addr = 0;
	__u32 bytes = rq->__data_len, idx;
	struct disk_sum sum;
	struct req_slot *s;
	struct blk_cpu *c;
	__s64 in_flight;

	idx = disk_index(disk_dev(rq), true);
	if (idx >= BLK_DISKS) {
		count_lost();
		return 0;
	}
	c = cpu_of(idx);
	if (!c || !counted(rq))
		return 0;
	c->issued++;
	window_tick(idx, c);

	/* Sampled at insertion, or issued again after a requeue. */
	s = req_of_disk(rq, idx, &addr);
	if (!s && sampled(idx, c)) {
		addr = addr ?: addr_of(rq);
		if (addr)
			s = req_take(addr, idx, bpf_ktime_get_ns());
	}
	if (s) {
		disk_sum(idx, c, &sum);
		/* Not itself; racing with other CPUs' counts, the sum can come out below. */
		in_flight = (__s64)(sum.issued - sum.done) - 1;
		s->in_flight = in_flight > 0 ? (__u32)in_flight : 0;
		s->sector_distance = sector > sum.last_end ? sector - sum.last_end :
							     sum.last_end - sector;
		s->bytes = bytes;
		s->issue_ns = bpf_ktime_get_ns();
	}
	c->last_end = sector + (bytes >> 9);
	c->last_stamp = rq->start_time_ns;
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
	struct blk_cpu *c;
	struct req_slot *s;
	__u64 addr;

	if (idx >= BLK_DISKS || rq->state == MQ_RQ_IDLE || !counted(rq))
		return 0;
	c = cpu_of(idx);
	if (c)
		c->requeued++;
	s = req_of_disk(rq, idx, &addr);
	if (s)
		s->issue_ns = 0;
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(on_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	__u32 dev = disk_dev(rq), idx, op;
	struct blk_cpu *c;
	struct blk_event *e;
	struct req_slot *s;
	__u64 now, addr;

	/* A partial completion: the request stays in flight until its last part. */
	if (nr_bytes < rq->__data_len)
		return 0;
	idx = disk_index(dev, false);
	if (idx >= BLK_DISKS || !counted(rq))
		return 0;
	c = cpu_of(idx);
	if (c)
		c->completed++;
	s = req_of_disk(rq, idx, &addr);
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
