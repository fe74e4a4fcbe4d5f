/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What the parts of mlproxy.ko share: the per-subsystem state, its record
 * queues and the proxy-wide state behind /dev/mlproxy.
 *
 * Locking: mlproxy.mutex serialises what changes the set of subsystems or the
 * reader (register, unregister, open, release) and the reader itself (read,
 * write). Each subsystem's lock, a spinlock taken with interrupts off because
 * decisions and samples may come from any context, protects its policy,
 * queues and counters. The mutex is always taken first.
 */
#ifndef MLPROXY_I_H
#define MLPROXY_I_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "mlproxy.h"
#include "mlproxy_record.h"
#include "policy.h"

/* Control records (MODE, WINDOW) queued per subsystem. */
#define MLPROXY_CTL_SLOTS 24
/* Of those, kept for MODE records: windows never take the last few. */
#define MLPROXY_CTL_MODE_RESERVE 6
/* The largest control record: a mode change. */
#define MLPROXY_CTL_SLOT_SIZE sizeof(struct mlproxy_mode_change)
/* UNREGISTER records waiting for the reader. */
#define MLPROXY_GONE_MAX 32
/* What one read() stages at a time, between a subsystem's lock and the user. */
#define MLPROXY_BOUNCE_SIZE 4096

/**
 * struct mlproxy_ring - a bounded FIFO of records in fixed-size slots
 * @slots: @nslots slots of @slot_size bytes
 * @slot_size: room for the largest record the ring takes
 * @nslots: capacity, in records
 * @first: slot of the oldest record
 * @count: records queued
 *
 * Producers only append; the single reader only removes. A full ring refuses
 * the record: old records are never overwritten, so what the reader has seen
 * of a ring is still there when it pops it.
 */
struct mlproxy_ring {
	u8 *slots;
	u32 slot_size;
	u32 nslots;
	u32 first;
	u32 count;
};

/**
 * struct mlproxy_stats - totals since registration, for sysfs
 * @decisions: decisions taken by each arm
 * @outcomes: outcomes reported for each arm
 * @samples: samples queued for the reader
 * @drops: samples and outcomes dropped because the data ring was full
 * @ctl_drops: WINDOW and MODE records dropped because the control ring was
 *	full
 * @unread: samples and outcomes not produced because no daemon was there
 */
struct mlproxy_stats {
	u64 decisions[MLPROXY_ARM_MAX];
	u64 outcomes[MLPROXY_ARM_MAX];
	u64 samples;
	u64 drops;
	u64 ctl_drops;
	u64 unread;
};

/**
 * struct mlproxy_subsys - a registered subsystem
 * @kobj: /sys/kernel/mlproxy/<name>; its release frees the whole struct
 * @node: in mlproxy.subsystems, under mlproxy.mutex
 * @id: the id in record headers, never reused; constant
 * @name: constant, like the other fields up to @lock
 * @metric: name of the outcome metric
 * @cols: the columns, ready for REGISTER records
 * @ncols: number of @cols
 * @flags: MLPROXY_F_*
 * @rec_min: range of the decided value
 * @rec_max: range of the decided value
 * @rec_default: what the default algorithm usually picks
 * @lock: protects everything below it
 * @policy: the mode policy
 * @attached: a daemon has /dev/mlproxy open: records are produced
 * @register_pending: a REGISTER record awaits the reader
 * @register_mode: the mode it carries
 * @register_seq: its sequence number
 * @register_time: when it was produced
 * @seq: records produced for the reader, dropped ones included
 * @rec_model_version: model version of the latest recommendation
 * @data: SAMPLE and OUTCOME records
 * @ctl: WINDOW and MODE records
 * @stats: totals
 * @ctl_slots: the memory of @ctl
 */
struct mlproxy_subsys {
	struct kobject kobj;
	struct list_head node;
	u32 id;
	char name[MLPROXY_NAME_LEN];
	char metric[MLPROXY_NAME_LEN];
	struct mlproxy_column cols[MLPROXY_COLUMNS_MAX];
	u32 ncols;
	u32 flags;
	s64 rec_min;
	s64 rec_max;
	s64 rec_default;

	spinlock_t lock; /* see above: protects the fields below */
	struct mlfs_policy policy;
	bool attached;
	bool register_pending;
	u32 register_mode;
	u64 register_seq;
	u64 register_time;
	u64 seq;
	u64 rec_model_version;
	struct mlproxy_ring data;
	struct mlproxy_ring ctl;
	struct mlproxy_stats stats;
	u8 ctl_slots[MLPROXY_CTL_SLOTS][MLPROXY_CTL_SLOT_SIZE];
};

/**
 * struct mlproxy_gone - an UNREGISTER record waiting for the reader
 * @id: the subsystem that went
 * @seq: its sequence number
 * @time: when it was produced
 */
struct mlproxy_gone {
	u32 id;
	u64 seq;
	u64 time;
};

/**
 * struct mlproxy - the proxy's state
 * @mutex: see the top of this file
 * @subsystems: registered subsystems, by ascending id; under @mutex
 * @next_id: the id the next subsystem gets; under @mutex
 * @attached: a daemon has /dev/mlproxy open; under @mutex
 * @daemon_left: a daemon had it open and closed it; under @mutex
 * @rr_id: read() starts at the subsystem with this id or the next; under
 *	@mutex
 * @gone: UNREGISTER records for the reader; under @mutex
 * @ngone: number of @gone
 * @gone_drops: UNREGISTER records lost because @gone was full; under @mutex
 * @bounce: %MLPROXY_BOUNCE_SIZE bytes of staging while the device is open;
 *	under @mutex
 * @queued: records ready for the reader, in all subsystems
 * @wq: where the reader waits for @queued
 * @kobj: /sys/kernel/mlproxy
 * @cfg: policy configuration for new subsystems, from the module parameters
 * @ring_records: slots in each new subsystem's data ring
 */
struct mlproxy {
	struct mutex mutex; /* see the top of this file */
	struct list_head subsystems;
	u32 next_id;
	bool attached;
	bool daemon_left;
	u32 rr_id;
	struct mlproxy_gone gone[MLPROXY_GONE_MAX];
	unsigned int ngone;
	u64 gone_drops;
	u8 *bounce;
	atomic_long_t queued;
	wait_queue_head_t wq;
	struct kobject *kobj;
	struct mlfs_policy_config cfg;
	u32 ring_records;
};

extern struct mlproxy mlproxy;

/* mlproxy_queue.c: records; all but mlproxy_wake() under ss->lock. */
void mlproxy_ring_init(struct mlproxy_ring *r, u8 *slots, u32 slot_size,
		       u32 nslots);
const struct mlproxy_hdr *mlproxy_ring_peek(const struct mlproxy_ring *r,
					    u32 i);
void mlproxy_ring_pop(struct mlproxy_ring *r, u32 n);
int mlproxy_emit_sample(struct mlproxy_subsys *ss, const s64 *values);
void mlproxy_emit_outcome(struct mlproxy_subsys *ss,
			  const struct mlproxy_decision *d, s64 metric);
void mlproxy_emit_event(struct mlproxy_subsys *ss,
			const struct mlfs_policy_event *ev);
void mlproxy_queue_attach(struct mlproxy_subsys *ss);
void mlproxy_queue_detach(struct mlproxy_subsys *ss);
void mlproxy_fill_register(const struct mlproxy_subsys *ss,
			   struct mlproxy_register *r);
void mlproxy_wake(void);

/* mlproxy_core.c: changes on behalf of a user; take ss->lock themselves. */
void mlproxy_set_mode(struct mlproxy_subsys *ss, enum mlfs_mode mode);
void mlproxy_recommend(struct mlproxy_subsys *ss,
		       const struct mlproxy_recommend *rec);

/* mlproxy_sysfs.c */
int mlproxy_sysfs_init(void);
void mlproxy_sysfs_fini(void);
void mlproxy_sysfs_init_subsys(struct mlproxy_subsys *ss);
int mlproxy_sysfs_add(struct mlproxy_subsys *ss);
void mlproxy_sysfs_del(struct mlproxy_subsys *ss);

/* mlproxy_dev.c */
int mlproxy_dev_init(void);
void mlproxy_dev_fini(void);

#endif /* MLPROXY_I_H */
