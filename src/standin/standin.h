/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The stand-in's kernel half: the demo subsystem as mlproxy_demo.ko runs it,
 * with the module's policy and workload code, producing and taking the records
 * of /dev/mlproxy. No I/O here: mlproxy_standin.c carries the records over a
 * socket, and the benchmarks call it directly.
 */
#ifndef MLFS_STANDIN_H
#define MLFS_STANDIN_H

#include <stddef.h>
#include <stdint.h>

#include "demo_workload.h"
#include "mlproxy_record.h"
#include "policy.h"

#define STANDIN_DEMO_ID 1
#define STANDIN_QUEUE_RECORDS 512 /* like the module's per-subsystem buffer */

struct standin {
	struct mlfs_policy policy;
	struct demo_workload work;
	bool reader;  /* someone has the "device" open */
	uint64_t seq; /* records produced, dropped ones included */
	uint64_t drops, malformed, recommendations;
	uint64_t samples_sent; /* samples handed to a reader */
	uint64_t decided[MLFS_POLICY_ARMS]; /* decisions of each arm, ever */
	/* Records waiting for the reader: a ring of fixed slots. */
	unsigned head, count;
	unsigned char queue[STANDIN_QUEUE_RECORDS][MLPROXY_RECORD_MAX];
};

/* The demo subsystem in learning mode, with no reader yet (so: emergency). */
void standin_init(struct standin *s, const struct mlfs_policy_config *cfg, uint64_t seed);

/* Queue a sample of the demo's columns for the reader; dropped and counted when full. */
void standin_publish(struct standin *s, const s64 row[DEMO_COLUMNS]);

/* One tick of the demo subsystem: publish, decide, measure, report the outcome. */
void standin_tick(struct standin *s);

/* @n more samples of the workload, without decisions: a subsystem that samples faster. */
void standin_samples(struct standin *s, unsigned n);

/* A reader opened (@up) or closed the device. */
void standin_reader(struct standin *s, bool up);

/*
 * standin_input() - records a reader wrote: all are checked first, then applied
 * (MODE, RECOMMEND). Returns 0, or -EINVAL and nothing applied.
 */
int standin_input(struct standin *s, const void *buf, size_t len);

/*
 * standin_output() - copy queued records, whole, into @buf of @cap bytes, as one
 * read() of the device would. Returns the bytes; *ret_records says how many
 * records they hold, for standin_consume() once they are delivered.
 */
size_t standin_output(const struct standin *s, void *buf, size_t cap, unsigned *ret_records);
void standin_consume(struct standin *s, unsigned records);

/* What /sys/kernel/mlproxy/demo/stats shows, written to @path (atomically). */
void standin_write_stats(const struct standin *s, const char *path);

#endif
