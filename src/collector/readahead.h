/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead collector's record, as readahead.bpf.c writes it to the ring
 * buffer and readahead.c reads it: a folio added to the page cache, a read
 * served by the page cache (a buffered read(2) of a file or a block device, in
 * bytes), or pages a page fault on a file's mapping took from it.
 */
#ifndef MLFS_READAHEAD_H
#define MLFS_READAHEAD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum ra_event_kind {
	RA_EVENT_INSERT = 0, /* pages added to the page cache */
	RA_EVENT_READ = 1,   /* a read(2) served from the page cache, in bytes */
	RA_EVENT_PAGES = 2,  /* pages a page fault on a file's mapping took from the page cache */
};

/*
 * Reads are in bytes, as the kernel side does not know the page size; user space
 * turns them into pages.
 */
struct ra_event {
	__u64 offset; /* INSERT, PAGES: the first page's index; READ: the byte where it began */
	__u64 count;  /* INSERT: pages added; READ: bytes read; PAGES: pages read */
	__u32 dev;    /* the device, the kernel's encoding (major << 20 | minor) */
	__u8 kind;    /* enum ra_event_kind */
	__u8 pad[3];
};

#endif
