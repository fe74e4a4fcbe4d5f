/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Sources of samples for the store. kdev: the mlproxy kernel module's device
 * (/dev/mlproxy), or a UNIX socket where the user-space stand-in speaks the same
 * records. Each kernel subsystem becomes a subsystem of the store; its samples,
 * efficiency windows, outcomes and mode changes flow in, and mode changes and
 * recommendations flow back. The eBPF collectors (blk, readahead): programs in
 * a stock kernel observe a subsystem, and each collector fills a subsystem of
 * its own.
 */
#ifndef MLFS_COLLECTOR_H
#define MLFS_COLLECTOR_H

#include <stdint.h>

#include "store.h"

struct mlfs_kdev;

/* How the collector reports, once per event; the daemon passes its logger. */
typedef void (*mlfs_collector_log_fn)(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * mlfs_kdev_new() - a source for the device or socket at @path, feeding @store.
 * Nothing is opened until mlfs_kdev_start(). Returns 0 or -ENOMEM.
 */
int mlfs_kdev_new(const char *path, struct mlfs_store *store, mlfs_collector_log_fn log,
		  struct mlfs_kdev **ret_kdev);

/* What kind of model a kernel subsystem's target wants, as it declared. */
enum mlfs_kdev_target {
	MLFS_KDEV_TARGET_ANY,    /* undeclared: decide from the data */
	MLFS_KDEV_TARGET_CLASS,  /* a class: classification */
	MLFS_KDEV_TARGET_NUMBER, /* a number: regression */
};

/*
 * What the daemon does with a source's traffic beyond storing it: a recommendation
 * for each sample, the outcomes of recommendations, the windows. The kernel proxy's
 * device and the eBPF collectors' mode gate call the same listener, from their
 * reader threads; any callback may be NULL.
 */
struct mlfs_source_listener {
	/* A kernel subsystem registered (again). */
	void (*registered)(void *ctx, struct mlfs_subsys *ss, enum mlfs_kdev_target target);
	/*
	 * A sample's features (every column but the target, in the target's units):
	 * return 0 and a value to recommend, in the target's units, or -errno for none
	 * (no model). @id identifies the recommendation in outcomes.
	 */
	int (*recommend)(void *ctx, struct mlfs_subsys *ss, const double *features, unsigned n,
			 uint64_t id, double *ret_value, uint64_t *ret_model_version);
	/*
	 * A decision's outcome: which arm chose, the recommendation it used (0: none),
	 * the default algorithm's value for it (in the target's units), the metric.
	 */
	void (*outcome)(void *ctx, struct mlfs_subsys *ss, uint64_t recommendation, bool ml,
			double default_value, double metric);
	/*
	 * A window closed: each arm's decisions and mean metric (NaN without outcomes),
	 * the mode it ran in, and whether the metric is a cost (lower is better).
	 */
	void (*window)(void *ctx, struct mlfs_subsys *ss, enum mlfs_mode mode,
		       const uint64_t decisions[2], const double means[2], bool lower_is_better);
	void *ctx;
};

/* Set before mlfs_kdev_start(). */
void mlfs_kdev_set_listener(struct mlfs_kdev *kdev, const struct mlfs_source_listener *listener);

/*
 * mlfs_kdev_start() - start the reader thread. It opens @path, and opens it again
 * whenever it goes away; while it is missing the daemon runs on without it and
 * says so once. Returns 0 or -errno.
 */
int mlfs_kdev_start(struct mlfs_kdev *kdev);

/* True while the device is open. */
bool mlfs_kdev_connected(struct mlfs_kdev *kdev);

/*
 * mlfs_kdev_recommend() - send a recommendation for kernel subsystem @ss.
 * Returns 0, -ENODEV without the device, -ENOENT when @ss is not the kernel's,
 * or the write's -errno.
 */
int mlfs_kdev_recommend(struct mlfs_kdev *kdev, struct mlfs_subsys *ss, uint64_t id,
			int64_t value, uint64_t model_version);

/* Stop the reader, queue what it read, and close. Accepts NULL. */
void mlfs_kdev_free(struct mlfs_kdev *kdev);

/* ---- eBPF collectors ---- */

enum mlfs_bpf_kind {
	MLFS_BPF_BLK,       /* one row per block request; target: its service latency */
	MLFS_BPF_READAHEAD, /* one row per device and window; target: read_ahead_kb */
	MLFS_BPF_MAX,
};

/* The collector's name, which is also its subsystem's; NULL when out of range. */
const char *mlfs_bpf_name(enum mlfs_bpf_kind kind);

/*
 * mlfs_bpf_parse() - the collectors a comma-separated @list names ("blk,readahead"),
 * as a mask of 1 << enum mlfs_bpf_kind. Returns 0, or -EINVAL with the reason in
 * @errbuf (an unknown or empty name).
 */
int mlfs_bpf_parse(const char *list, unsigned *ret_mask, char *errbuf, size_t errlen);

/* Whether this build has the eBPF collectors (-Dbpf found what it needs). */
bool mlfs_bpf_built(void);

#define MLFS_BPF_WINDOW_MS_DEFAULT 1000u
#define MLFS_BPF_BLK_ROWS_DEFAULT 1000u

/* ---- the readahead actuator (-o readahead_dev=) ---- */

struct mlfs_ra_actuator;

/*
 * mlfs_ra_actuator_open() - take charge of the read_ahead_kb of block device @name
 * ("loop0" or "/dev/loop0"), a whole disk: remember its value, the default that
 * comes back at the end, and check that it may be written. Changes nothing.
 * Returns 0, or -ENOENT (no such block device), -ENOTBLK (not a block device),
 * -EINVAL (a partition, or not a name), -errno (sysfs), with the reason in @errbuf.
 */
int mlfs_ra_actuator_open(const char *name, mlfs_collector_log_fn log,
			  struct mlfs_ra_actuator **ret, char *errbuf, size_t errlen);

/*
 * mlfs_ra_actuator_free() - put the default back, unless someone else changed the
 * setting since mlfs last wrote it (then it stays theirs), and free. Accepts NULL.
 */
void mlfs_ra_actuator_free(struct mlfs_ra_actuator *a);

struct mlfs_bpf_options {
	unsigned mask;      /* the collectors to run, from mlfs_bpf_parse() */
	unsigned window_ms; /* readahead's window */
	unsigned blk_rows_per_s; /* blk's rows per second and disk at most; 0: no limit */
	/* The device readahead's gate acts on, or NULL to observe only; not owned. */
	struct mlfs_ra_actuator *ra_actuator;
	struct mlfs_source_listener listener; /* for the gate; it never calls registered */
};

struct mlfs_bpf;

/*
 * mlfs_bpf_new() - the collectors of @opts, feeding @store. Nothing is loaded
 * until mlfs_bpf_load(). Returns 0 or -ENOMEM.
 */
int mlfs_bpf_new(const struct mlfs_bpf_options *opts, struct mlfs_store *store,
		 mlfs_collector_log_fn log, struct mlfs_bpf **ret_bpf);

/*
 * mlfs_bpf_load() - load and attach each collector and give it its subsystem
 * (origin bpf, created or found): the part that needs privileges, done before
 * the daemon drops them. A collector that cannot run (no BTF, no privilege, a
 * missing tracepoint, a name taken by another kind of subsystem) is logged once
 * and left out; the others run.
 */
void mlfs_bpf_load(struct mlfs_bpf *bpf);

/* mlfs_bpf_start() - start one reader thread for what loaded. Returns 0 or -errno. */
int mlfs_bpf_start(struct mlfs_bpf *bpf);

/*
 * mlfs_bpf_lost_events() - when @ss is a running collector's subsystem: true, and
 * in *ret_lost the records its kernel side lost to a full ring buffer. Callable
 * from any thread between start and free.
 */
bool mlfs_bpf_lost_events(struct mlfs_bpf *bpf, struct mlfs_subsys *ss, uint64_t *ret_lost);

/*
 * mlfs_bpf_observed() - when @ss is a running collector's subsystem that counts
 * what its kernel side saw, sampled or not (blk's requests): true, the count's
 * name for status in *ret_name, and the count in *ret_n. Callable from any
 * thread between start and free.
 */
bool mlfs_bpf_observed(struct mlfs_bpf *bpf, struct mlfs_subsys *ss, const char **ret_name,
		       uint64_t *ret_n);

/*
 * mlfs_bpf_observed_by() - when @ss is a running collector's subsystem whose
 * kernel side takes its events where the kernel allows (readahead's reads): what
 * it takes them from ("fexit/filemap_read"); else NULL.
 */
const char *mlfs_bpf_observed_by(struct mlfs_bpf *bpf, struct mlfs_subsys *ss);

/* Stop the reader, queue the rows it made, detach and unload. Accepts NULL. */
void mlfs_bpf_free(struct mlfs_bpf *bpf);

#endif
