// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The blk collector's user side: loads blk.bpf.c and turns each sampled block
 * request into a row of the "blk" subsystem, a dataset in the manner of LinnOS
 * for predicting slow I/O from what the device was doing when it was issued.
 *
 * Which requests: every one of a disk slower than the budget (-o blk_rows_per_s),
 * a uniform sample of the budget's size from a faster one; the kernel side sets
 * the odds (blk.bpf.c says why, and what a row costs).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <time.h>

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

static int blk_load(const struct mlfs_bpf_options *opts, void **ret_state,
		    struct bpf_maps *ret_maps)
{
	struct blk_bpf *skel = blk_bpf__open();
	struct timespec now;
	int r;

	if (!skel)
		return errno ? -errno : -ENOMEM;
	skel->rodata->rows_per_s = opts->blk_rows_per_s;
	r = libbpf_num_possible_cpus();
	if (r > 0) {
		skel->rodata->nr_cpus = (uint32_t)r;
		r = blk_bpf__load(skel);
	}
	if (r == 0)
		r = blk_bpf__attach(skel);
	if (r < 0) {
		blk_bpf__destroy(skel);
		return r;
	}
	/* bpf_ktime_get_ns()'s clock; from here on, the programs count. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	skel->bss->counting_since_ns = (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec;
	ret_maps->ring_fd = bpf_map__fd(skel->maps.events);
	ret_maps->lost_fd = bpf_map__fd(skel->maps.lost);
	*ret_state = skel;
	return 0;
}

static void blk_unload(void *state)
{
	blk_bpf__destroy(state);
}

/* Requests the kernel side saw issued, sampled or not: its counts, summed. */
static uint64_t blk_observed(void *state)
{
	struct blk_bpf *skel = state;
	int ncpus = libbpf_num_possible_cpus();
	struct blk_cpu *per_cpu;
	uint64_t sum = 0;
	uint32_t i;
	int cpu;

	if (ncpus <= 0)
		return 0;
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return 0;
	for (i = 0; i < BLK_DISKS; i++) {
		if (!__atomic_load_n(&skel->bss->disks[i].dev, __ATOMIC_RELAXED) ||
		    bpf_map__lookup_elem(skel->maps.cpus, &i, sizeof(i), per_cpu,
					 (size_t)ncpus * sizeof(*per_cpu), 0) < 0)
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			sum += per_cpu[cpu].issued;
	}
	free(per_cpu);
	return sum;
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
	.observed_name = "requests_seen",
	.observed = blk_observed,
};
