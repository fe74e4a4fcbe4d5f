// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The blk collector's user side: loads blk.bpf.c and turns each sampled block
 * request into a row of the "blk" subsystem, a dataset in the manner of LinnOS
 * for predicting slow I/O from what the device was doing when it was issued.
 *
 * Which requests: every one of a disk slower than the budget (-o blk_rows_per_s),
 * a sample of the budget's size from a faster one: this side attaches the
 * programs a share of the time (blk_tick() says why), the kernel side samples
 * what they see (blk.bpf.c says how, and what a row costs).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <syslog.h>

#include "blk.h"
#include "blk.skel.h"
#include "collector_i.h"

enum {
	COL_DEV,
	COL_OP,
	COL_BYTES,
	COL_SECTOR_DISTANCE,
	COL_IN_FLIGHT,
	COL_QUEUE_NS,
	COL_LATENCY_NS, /* the target */
	COL_MAX,
};

static const char *const col_names[COL_MAX] = {
	[COL_DEV] = "dev",
	[COL_OP] = "op",
	[COL_BYTES] = "bytes",
	[COL_SECTOR_DISTANCE] = "sector_distance",
	[COL_IN_FLIGHT] = "in_flight",
	[COL_QUEUE_NS] = "queue_ns",
	[COL_LATENCY_NS] = "latency_ns",
};

static const enum mlfs_value_type col_types[COL_MAX] = {
	MLFS_VALUE_INT, MLFS_VALUE_INT, MLFS_VALUE_INT, MLFS_VALUE_INT,
	MLFS_VALUE_INT, MLFS_VALUE_INT, MLFS_VALUE_INT,
};

/*
 * The share of the time the programs are attached never goes below this: a
 * tenth of a second every five, enough to see a disk's rate change.
 */
#define DUTY_MIN 0.02

struct blk_state {
	struct blk_bpf *skel;
	uint32_t rows_per_s; /* 0: every request, the programs attached all the time */
	int ncpus;
	struct blk_cpu *per_cpu; /* the reader's scratch for one disk's per-CPU counts */
	_Atomic bool attached;
	int64_t tick_ns;		    /* the last tick while attached, or the attachment */
	uint64_t issued_at_tick[BLK_DISKS]; /* each disk's requests by then */
	double duty;			    /* the share of the ticks they are attached for */
	double credit;			    /* ticks owed to the duty: attached at each whole one */
	/* Requests issued in earlier attachments (observed() reads it from any thread). */
	_Atomic uint64_t seen_before;
	mlfs_collector_log_fn log; /* from blk_act(); NULL before */
	bool attach_failed;	   /* logged once, until an attachment works again */
};

/*
 * Requests issued since the programs were attached, in all, and to each disk in
 * @per_disk unless NULL. Every CPU's counts are read through a map lookup of the
 * disk's slot, into @per_cpu.
 */
static uint64_t issued_since_attached(struct blk_state *st, struct blk_cpu *per_cpu,
				      uint64_t per_disk[BLK_DISKS])
{
	uint64_t disk, total = 0;
	uint32_t i;
	int cpu;

	for (i = 0; i < BLK_DISKS; i++) {
		if (!__atomic_load_n(&st->skel->bss->disks[i].dev, __ATOMIC_RELAXED) ||
		    bpf_map__lookup_elem(st->skel->maps.cpus, &i, sizeof(i), per_cpu,
					 (size_t)st->ncpus * sizeof(*per_cpu), 0) < 0)
			continue;
		disk = 0;
		for (cpu = 0; cpu < st->ncpus; cpu++)
			disk += per_cpu[cpu].issued;
		total += disk;
		if (per_disk)
			per_disk[i] = disk;
	}
	return total;
}

/*
 * Attach the programs with every count at zero: the counts of the disks seen,
 * their sampled requests in flight and rate windows, and (by a new generation)
 * the slots of requests whose completion came while they were detached. Until
 * counting_since_ns is set, after the attachment, the programs count nothing.
 */
static int attach(struct blk_state *st)
{
	struct blk_bpf *skel = st->skel;
	double rows;
	uint32_t i;
	int r;

	skel->bss->counting_since_ns = 0;
	memset(st->per_cpu, 0, (size_t)st->ncpus * sizeof(*st->per_cpu));
	for (i = 0; i < BLK_DISKS; i++) {
		struct blk_disk *d = &skel->bss->disks[i];

		if (!d->dev)
			continue;
		d->sampled_in_flight = 0;
		d->unsampled = 0;
		d->window_start_ns = d->window_first = d->window_sampled = 0;
		r = bpf_map__update_elem(skel->maps.cpus, &i, sizeof(i), st->per_cpu,
					 (size_t)st->ncpus * sizeof(*st->per_cpu), 0);
		if (r < 0)
			return r;
	}
	skel->bss->generation++;
	/* blk.bpf.c's arithmetic stays in 64 bits up to 2^31 rows a second. */
	rows = st->rows_per_s / st->duty;
	skel->bss->attached_rows_per_s = rows < 2147483648.0 ? (uint64_t)rows : 2147483648ULL;
	r = blk_bpf__attach(skel);
	if (r < 0)
		return r;
	st->tick_ns = bpf_now_ns();
	memset(st->issued_at_tick, 0, sizeof(st->issued_at_tick));
	atomic_store(&st->attached, true);
	skel->bss->counting_since_ns = (uint64_t)st->tick_ns;
	return 0;
}

static void detach(struct blk_state *st)
{
	uint64_t total;

	blk_bpf__detach(st->skel);
	total = issued_since_attached(st, st->per_cpu, NULL);
	atomic_store(&st->attached, false);
	st->seen_before += total;
}

static void blk_state_free(struct blk_state *st)
{
	blk_bpf__destroy(st->skel);
	free(st->per_cpu);
	free(st);
}

static int blk_load(const struct mlfs_bpf_options *opts, void **ret_state,
		    struct bpf_maps *ret_maps)
{
	struct blk_state *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return -ENOMEM;
	st->rows_per_s = opts->blk_rows_per_s;
	st->duty = 1;
	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0) {
		r = st->ncpus < 0 ? st->ncpus : -EINVAL;
		free(st);
		return r;
	}
	st->per_cpu = calloc((size_t)st->ncpus, sizeof(*st->per_cpu));
	st->skel = blk_bpf__open();
	if (!st->per_cpu || !st->skel) {
		r = st->skel ? -ENOMEM : errno ? -errno : -ENOMEM;
		blk_state_free(st);
		return r;
	}
	st->skel->rodata->rows_per_s = st->rows_per_s;
	st->skel->rodata->nr_cpus = (uint32_t)st->ncpus;
	r = blk_bpf__load(st->skel);
	if (r == 0)
		r = attach(st);
	if (r < 0) {
		blk_state_free(st);
		return r;
	}
	ret_maps->ring_fd = bpf_map__fd(st->skel->maps.events);
	ret_maps->lost_fd = bpf_map__fd(st->skel->maps.lost);
	*ret_state = st;
	return 0;
}

static void blk_unload(void *state)
{
	blk_state_free(state);
}

/* Attach again after a detached spell; a failure is logged once, and tried again later. */
static void reattach(struct blk_state *st)
{
	int r = attach(st);

	if (r < 0) {
		blk_bpf__detach(st->skel);
		if (!st->attach_failed && st->log)
			st->log(LOG_ERR,
				"blk: cannot attach its programs again: %s; no rows until then",
				strerror(-r));
	} else if (st->attach_failed && st->log) {
		st->log(LOG_INFO, "blk: programs attached again");
	}
	st->attach_failed = r < 0;
}

/*
 * Whether the programs are attached for the next tick. Two programs on every
 * request cost a fast device some of its rate even when they do nothing (about
 * 3% of an in-memory device's 50,000 reads a second on the test machine, empty
 * programs included), and a sample needs only some of the requests: so while the
 * busiest disk is faster than the budget of rows, the programs are attached for
 * whole ticks, a share of them the budget over its rate (never below DUTY_MIN),
 * and the kernel side's budget is raised to match. A disk slower than the budget,
 * or no budget, keeps them attached all the time.
 */
static void blk_tick(void *state, int64_t now_ns, struct bpf_sink *sink)
{
	struct blk_state *st = state;
	uint64_t issued[BLK_DISKS], busiest = 0;
	double rate;
	unsigned i;

	(void)sink;
	if (!st->rows_per_s)
		return;
	if (st->attached && now_ns > st->tick_ns) {
		/* The busiest disk's rate over the last tick: a disk turning fast counts at once. */
		memset(issued, 0, sizeof(issued));
		issued_since_attached(st, st->per_cpu, issued);
		for (i = 0; i < BLK_DISKS; i++)
			if (issued[i] > st->issued_at_tick[i] &&
			    issued[i] - st->issued_at_tick[i] > busiest)
				busiest = issued[i] - st->issued_at_tick[i];
		rate = (double)busiest * 1e9 / (double)(now_ns - st->tick_ns);
		memcpy(st->issued_at_tick, issued, sizeof(issued));
		st->tick_ns = now_ns;
		st->duty = rate > st->rows_per_s ? st->rows_per_s / rate : 1;
		if (st->duty < DUTY_MIN)
			st->duty = DUTY_MIN;
	}
	st->credit += st->duty;
	if (st->credit >= 1) {
		st->credit -= 1;
		if (!st->attached)
			reattach(st);
	} else if (st->attached) {
		detach(st);
	}
}

/* blk acts on nothing in the kernel: it takes the log, for reattach(). */
static int blk_act(void *state, const struct bpf_env *env)
{
	struct blk_state *st = state;

	st->log = env->log;
	return 0;
}

/* Requests the kernel side saw issued while attached, sampled or not. */
static uint64_t blk_observed(void *state)
{
	struct blk_state *st = state;
	struct blk_cpu *per_cpu = calloc((size_t)st->ncpus, sizeof(*per_cpu));
	uint64_t total = 0;

	/* Read while the reader may detach them: a sum can be off by that span's requests. */
	if (per_cpu && atomic_load(&st->attached))
		total = issued_since_attached(st, per_cpu, NULL);
	free(per_cpu);
	return st->seen_before + total;
}

static void set_int(struct mlfs_value *cell, int64_t v)
{
	cell->type = MLFS_VALUE_INT;
	cell->i = v;
}

/* Counts beyond INT64_MAX cannot happen for these; clamping keeps the column INTEGER. */
static int64_t clamp(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int blk_event(void *state, const void *data, size_t size, struct bpf_sink *sink)
{
	const struct blk_event *e = data;
	struct mlfs_value *row;

	if (size < sizeof(*e))
		return -EINVAL;
	row = bpf_sink_row(sink);
	if (!row)
		return 0;
	/* dev as stat(2) gives it in st_rdev, which is what users compare it with. */
	set_int(&row[COL_DEV], (int64_t)makedev(e->dev >> 20, e->dev & 0xfffff));
	set_int(&row[COL_OP], e->op);
	set_int(&row[COL_BYTES], e->bytes);
	set_int(&row[COL_SECTOR_DISTANCE], clamp(e->sector_distance));
	set_int(&row[COL_IN_FLIGHT], e->in_flight);
	set_int(&row[COL_QUEUE_NS], clamp(e->queue_ns));
	set_int(&row[COL_LATENCY_NS], clamp(e->latency_ns));
	return 0;
}

const struct bpf_collector bpf_blk_collector = {
	.kind = MLFS_BPF_BLK,
	.ncols = COL_MAX,
	.col_names = col_names,
	.col_types = col_types,
	.load = blk_load,
	.unload = blk_unload,
	.event = blk_event,
	.tick = blk_tick,
	.act = blk_act,
	.observed_name = "requests_seen",
	.observed = blk_observed,
};
