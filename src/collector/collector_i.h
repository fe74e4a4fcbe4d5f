/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What the eBPF collectors share with their runtime (bpf_run.c): the description
 * each collector gives of itself, the sink its rows go to, and the readahead
 * window's statistics, which are plain arithmetic and tested on their own.
 */
#ifndef MLFS_COLLECTOR_I_H
#define MLFS_COLLECTOR_I_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector.h"

/* ---- a collector, as the runtime drives it ---- */

/* Where a collector's rows go: the runtime batches them for the store. */
struct bpf_sink;

/*
 * bpf_sink_row() - the cells of a new row to fill, as many as the collector has
 * columns, or NULL when out of memory (the row is then lost).
 */
struct mlfs_value *bpf_sink_row(struct bpf_sink *sink);

/* The maps of a loaded collector that the runtime reads. */
struct bpf_maps {
	int ring_fd; /* BPF_MAP_TYPE_RINGBUF of the collector's records */
	int lost_fd; /* per-CPU __u64 at key 0: records lost to a full ring */
};

/* What a collector that acts on the kernel works with, besides its rows. */
struct bpf_env {
	struct mlfs_store *store;
	struct mlfs_subsys *ss; /* its subsystem; the runtime holds the reference */
	mlfs_collector_log_fn log;
	const struct mlfs_bpf_options *opts;
};

struct bpf_collector {
	enum mlfs_bpf_kind kind;
	/* The subsystem's columns, the target last: name and type of each. */
	unsigned ncols;
	const char *const *col_names;
	const enum mlfs_value_type *col_types;

	/* Open, load and attach the kernel side. Returns 0 or -errno. */
	int (*load)(const struct mlfs_bpf_options *opts, void **ret_state,
		    struct bpf_maps *ret_maps);
	/* Detach and unload. */
	void (*unload)(void *state);
	/* One record from the ring. Returns 0, or -EINVAL for a record of the wrong size. */
	int (*event)(void *state, const void *data, size_t size, struct bpf_sink *sink);
	/* Called by the reader every 100 ms or so, after the ring is drained; may be NULL. */
	void (*tick)(void *state, int64_t now_ns, struct bpf_sink *sink);
	/*
	 * What the kernel side saw, sampled or not, for status as "observed_name: N";
	 * may be NULL. Called from any thread while the collector runs.
	 */
	const char *observed_name;
	uint64_t (*observed)(void *state);
	/*
	 * Where the kernel side takes its events from, when that depends on the kernel
	 * (status's "observed_by"); may be NULL.
	 */
	const char *(*observed_by)(void *state);
	/*
	 * The collector's subsystem is ready: start what acts on it (readahead's
	 * mode gate), or keep the log for what goes wrong later (blk). Called before
	 * the first tick. May be NULL. Returns 0 or -errno; unload() undoes it.
	 */
	int (*act)(void *state, const struct bpf_env *env);
};

/* CLOCK_MONOTONIC in ns: bpf_ktime_get_ns()'s clock, and the one tick() is given. */
int64_t bpf_now_ns(void);

extern const struct bpf_collector bpf_blk_collector;
extern const struct bpf_collector bpf_readahead_collector;

/* ---- the readahead window (ra_window.c) ---- */

/* What a device's page cache saw in one window. */
struct ra_window {
	uint64_t insertions; /* pages added to the page cache */
	uint64_t accesses;   /* pages the reads touched */
	uint64_t bytes;	     /* bytes the reads returned */
	uint64_t reads;	     /* reads, the samples of the offset statistics */
	double mean, m2;     /* of the reads' first page offsets (Welford's running sums) */
	double delta_sum;    /* of |first page - previous read's first page| */
	uint64_t deltas;
	uint64_t last_page; /* first page of the latest read, kept across windows */
	bool have_last;
};

/* The row a window gives. */
struct ra_features {
	uint64_t insertions;
	uint64_t accesses;
	uint64_t bytes;
	double offset_stddev; /* population standard deviation of the first page offsets */
	double delta_mean;    /* mean absolute delta between consecutive reads' first pages */
	double hit_ratio;     /* share of the accessed pages not inserted in the window */
};

/* Pages added to the page cache. */
void ra_window_insert(struct ra_window *w, uint64_t pages);

/* A read of @bytes (> 0) at byte @pos, with pages of @page_size bytes. */
void ra_window_read(struct ra_window *w, uint64_t pos, uint64_t bytes, unsigned page_size);

/* Whether anything happened in the window. */
bool ra_window_active(const struct ra_window *w);

void ra_window_features(const struct ra_window *w, struct ra_features *ret);

/*
 * Start the next window: every count starts again, but the latest read's offset
 * stays, so that the next window's first delta measures from it.
 */
void ra_window_next(struct ra_window *w);

/* ---- the readahead actuator (ra_actuator.c) and mode gate (ra_gate.c) ---- */

/* mlfs_ra_actuator_open() with every path under @root (tests use a fake sysfs). */
int ra_actuator_open_at(const char *root, const char *name, mlfs_collector_log_fn log,
			struct mlfs_ra_actuator **ret, char *errbuf, size_t errlen);
const char *ra_actuator_name(const struct mlfs_ra_actuator *a);
uint32_t ra_actuator_dev(const struct mlfs_ra_actuator *a); /* major << 20 | minor */
long ra_actuator_default(const struct mlfs_ra_actuator *a);
/* Someone else changed the setting: mlfs no longer touches it. */
bool ra_actuator_hands_off(const struct mlfs_ra_actuator *a);
/*
 * ra_actuator_apply() - make @kb the device's read_ahead_kb. Returns 0 (also when
 * it already was), -EBUSY when the setting is no longer mlfs's, or -errno.
 */
int ra_actuator_apply(struct mlfs_ra_actuator *a, long kb);
/* Put the default back (nothing when the setting is no longer mlfs's). 0 or -errno. */
int ra_actuator_restore(struct mlfs_ra_actuator *a);

struct ra_gate;

/* Decisions in one of the policy's efficiency windows (each readahead window is one). */
#define RA_GATE_WINDOW 32
/* The largest read_ahead_kb the gate applies; the model's answers are clamped to it. */
#define RA_GATE_KB_MAX 65536

/*
 * ra_gate_new() - the mode gate of @env->ss, acting on @env->opts->ra_actuator in
 * the subsystem's mode, with the shared policy (src/policy); it becomes the
 * subsystem's mode owner, so users' mode changes reach it. Returns 0 or -ENOMEM.
 */
int ra_gate_new(const struct bpf_env *env, struct ra_gate **ret);

/*
 * ra_gate_window() - a window of the actuated device ended with these features
 * (every column but the target) and @bytes taken from its page cache in @window_ns:
 * the throughput is the outcome of the value in force; then the next value is
 * decided and applied. Reader thread only.
 */
void ra_gate_window(struct ra_gate *g, const double *x, unsigned n, uint64_t bytes,
		    int64_t window_ns);

/* The device the gate acts on, in the kernel's encoding. */
uint32_t ra_gate_dev(const struct ra_gate *g);

/* Stop being the mode owner, and free. The actuator is the daemon's. Accepts NULL. */
void ra_gate_free(struct ra_gate *g);

#endif
