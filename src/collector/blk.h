/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The blk collector's record, as blk.bpf.c writes it to the ring buffer and blk.c
 * reads it: one per completed block request. Fixed-size fields, explicit padding,
 * so both sides agree whatever the compiler.
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

#endif
