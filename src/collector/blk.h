/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What blk.bpf.c and blk.c share: the record the kernel side writes to the ring
 * buffer, one per sampled block request, and the counts it keeps per disk, which
 * user space reads. Fixed-size fields, explicit padding, so both sides agree
 * whatever the compiler.
 */
#ifndef MLFS_BLK_H
#define MLFS_BLK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum blk_op {
	BLK_OP_READ = 0,
	BLK_OP_WRITE = 1,
	BLK_OP_OTHER = 2, /* flush, discard, zone commands, ... */
};

struct blk_event {
	__u64 queue_ns;	       /* insert to issue; 0 when the request was never inserted */
	__u64 latency_ns;      /* issue to completion: the service time */
	__u64 sector_distance; /* sectors between its start and the previous request's end */
	__u32 dev;	       /* the disk's dev_t, the kernel's encoding (major << 20 | minor) */
	__u32 bytes;
	__u32 in_flight; /* other requests issued to the disk and not completed */
	__u8 op;	 /* enum blk_op */
	__u8 pad[3];
};

/* Disks a collector follows at once (slots of disks[]). */
#define BLK_DISKS 256

/*
 * A disk, as the kernel side keeps it in global data, for what the CPUs must
 * share. What every request reads comes first, on a line of its own.
 */
struct blk_disk {
	__u64 dev;		 /* as in blk_event; 0 while the slot is free */
	__u64 sampled_in_flight; /* sampled requests in flight (slots taken) */
	/* A request is sampled when a random 32-bit number is at least this. */
	__u32 unsampled;
	__u32 pad;
	/* Written by the CPU that ends a rate window, or samples a request. */
	__u64 window_start_ns __attribute__((aligned(64))); /* bpf_ktime_get_ns() */
	__u64 window_first;				    /* requests issued at its start */
	__u64 window_sampled; /* sampled in it, or at least asked to be */
} __attribute__((aligned(64)));

/*
 * A disk as one CPU sees it: the kernel side keeps one per CPU and disk (a per-CPU
 * array indexed like its disks), each field written by one program only, so
 * without atomics and without sharing a cache line between CPUs. User space sums
 * the counts.
 */
struct blk_cpu {
	__u64 issued;
	__u64 completed;
	__u64 requeued;	  /* started, then sent back to be issued again */
	__u64 last_end;	  /* where the last request this CPU issued ends (a sector) */
	__u64 last_stamp; /* and when the kernel stamped it (its start_time_ns) */
	__u64 random;	  /* the state of this CPU's sampling draws */
};

#endif
