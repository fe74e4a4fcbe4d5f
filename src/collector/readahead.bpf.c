// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead collector's kernel side: what the page cache takes in, and what
 * buffered reads take out of it, per device. Observation only.
 *
 * Insertions come from the mm_filemap_add_to_page_cache tracepoint (tp_btf: the
 * raw folio, no tracefs needed). Page faults on a file's mapping, which is how
 * mmap(2) readers read and where read-around, sized by read_ahead_kb, happens,
 * come from the mm_filemap_fault tracepoint where the kernel has it (6.10 and
 * later; the loader leaves the program out elsewhere).
 *
 * Buffered reads come from fexit on filemap_read(), the page cache's read path,
 * where the kernel has BPF trampolines (Debian's kernels do): every buffered
 * read, and nothing else runs a program. Where it has not (this project's own
 * test machine refuses fentry and fexit with EPERM, and has no kprobe PMU
 * either), the loader takes the raw syscall tracepoints instead: each read(2) and
 * pread64(2) of a regular file or a block device, without O_DIRECT, with its
 * position and the bytes it returned. Their price: every system call of every
 * process runs the two programs at the end of this file, and the kernel's slower
 * traced path (getppid(2) measured 150 ns instead of 96 here). The entry lets go
 * at once of anything but a buffered read of a device's pages; the exit finds the
 * thread's pending read in task storage, a pointer the kernel keeps in the task.
 *
 * Not the mm_filemap_get_pages tracepoint (6.10): it fires only when
 * filemap_get_pages() returns a whole batch, not when the batch's last folio is
 * still under readahead I/O, which is just when a cold sequential read is going
 * on (measured: whole 8 MiB reads unseen on a busy machine).
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf_addr_i.h"
#include "bpf_ring_i.h"
#include "readahead.h"

char LICENSE[] SEC("license") = "GPL";

#define S_IFMT 00170000
#define S_IFBLK 0060000
#define S_IFREG 0100000
/* Set by the loader: these differ between architectures. */
const volatile long nr_read = -1;
const volatile long nr_pread64 = -1;
const volatile unsigned int o_direct = 0;

/* A buffered read(2) or pread64(2) of a device's pages, between its entry and its exit. */
struct pending_read {
	__u64 file; /* the open file (an address); 0: no read pending */
	__s64 pos;  /* pread64's offset; -1 for read(2) */
	__u32 dev;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_read);
} pending SEC(".maps");

/* Linux 6.2 to 6.5 kept a large folio's order in a field of its own. */
struct folio___order_field {
	unsigned char _folio_order;
} __attribute__((preserve_access_index));

/*
 * The block device a page-cache inode's pages come from, or 0 when none: a block
 * device's own inode lives in the bdev pseudo filesystem, so its i_rdev is used;
 * a file's is its filesystem's device, when that filesystem sits on one (tmpfs,
 * procfs or FUSE files have nothing to read ahead from).
 */
static __always_inline __u32 inode_dev(struct inode *inode)
{
	umode_t mode = BPF_CORE_READ(inode, i_mode);

	if ((mode & S_IFMT) == S_IFBLK)
		return BPF_CORE_READ(inode, i_rdev);
	if ((mode & S_IFMT) != S_IFREG || !BPF_CORE_READ(inode, i_sb, s_bdev))
		return 0;
	return BPF_CORE_READ(inode, i_sb, s_dev);
}

/*
 * Pages in a folio. Only a large folio (PG_head in the flags, the first word of
 * every struct page) has an order; where it is kept moved from the first tail
 * page (6.1, whose ext4 and block devices use single pages) to _folio_order
 * (6.2) to the low byte of _flags_1 (6.6).
 */
static __always_inline __u32 folio_pages(struct folio *folio)
{
	unsigned long flags = 0;
	unsigned int order = 0;

	bpf_probe_read_kernel(&flags, sizeof(flags), folio);
	if (!(flags & (1UL << bpf_core_enum_value(enum pageflags, PG_head))))
		return 1;
	if (bpf_core_field_exists(((struct folio___order_field *)folio)->_folio_order))
		order = BPF_CORE_READ((struct folio___order_field *)folio, _folio_order);
	else if (bpf_core_field_exists(folio->_flags_1))
		order = BPF_CORE_READ(folio, _flags_1) & 0xff;
	return 1u << (order & 31);
}

static __always_inline void send(__u8 kind, __u32 dev, __u64 offset, __u64 count)
{
	struct ra_event *e = ring_reserve(sizeof(*e));

	if (!e)
		return;
	e->offset = offset;
	e->count = count;
	e->dev = dev;
	e->kind = kind;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	ring_submit(e);
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(on_insert, struct folio *folio)
{
	struct inode *host = BPF_CORE_READ(folio, mapping, host);
	__u32 dev;

	if (!host)
		return 0;
	dev = inode_dev(host);
	if (dev)
		send(RA_EVENT_INSERT, dev, BPF_CORE_READ(folio, index), folio_pages(folio));
	return 0;
}

SEC("tp_btf/mm_filemap_fault")
int BPF_PROG(on_fault, struct address_space *mapping, unsigned long index)
{
	struct inode *host = mapping->host;
	__u32 dev;

	if (!host)
		return 0;
	dev = inode_dev(host);
	if (dev)
		send(RA_EVENT_PAGES, dev, index, 1);
	return 0;
}

/* The device whose pages @file reads, or 0: a direct or unrelated read. */
static __always_inline __u32 file_dev(struct file *file)
{
	struct inode *host;

	/* Direct I/O bypasses the page cache: readahead has no part in it. */
	if (!file || (BPF_CORE_READ(file, f_flags) & o_direct))
		return 0;
	host = BPF_CORE_READ(file, f_mapping, host);
	return host ? inode_dev(host) : 0;
}

SEC("fexit/filemap_read")
int BPF_PROG(on_filemap_read, struct kiocb *iocb, struct iov_iter *iter, ssize_t already_read,
	     ssize_t ret)
{
	__s64 bytes = ret - already_read;
	__u32 dev;

	if (bytes <= 0)
		return 0;
	dev = file_dev(iocb->ki_filp);
	/* The position has moved past what this call read. */
	if (dev)
		send(RA_EVENT_READ, dev, (__u64)(iocb->ki_pos - bytes), (__u64)bytes);
	return 0;
}

/*
 * The open file behind @fd in the current task, or NULL. This runs for every
 * read(2), direct ones included, so the walk to the table uses plain loads (the
 * task's BTF pointer) instead of a helper call per field; the table is indexed
 * as a number (bpf_addr_i.h), and one helper reads the entry.
 */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct files_struct *files = task->files;
	struct file *file = NULL;
	struct fdtable *fdt;
	__u64 table;

	if (!files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	table = addr_of(fdt->fd);
	if (!table)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), (void *)(table + (__u64)fd * sizeof(file)));
	return file;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct pending_read *p;
	struct file *file;
	__u32 dev;

	if (id != nr_read && id != nr_pread64)
		return 0;
	file = fd_file((int)PT_REGS_PARM1_CORE_SYSCALL(regs));
	dev = file_dev(file);
	if (!dev)
		return 0;
	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->file = (__u64)file;
	p->dev = dev;
	p->pos = id == nr_pread64 ? (__s64)PT_REGS_PARM4_CORE_SYSCALL(regs) : -1;
	return 0;
}

/* A thread's system calls do not nest: the next exit is the pending read's. */
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct pending_read *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	struct file *file;
	__s64 pos;

	if (!p || !p->file)
		return 0;
	file = (struct file *)p->file;
	p->file = 0;
	if (ret <= 0)
		return 0;
	/* read(2) has moved the file's position past what it read. */
	pos = p->pos >= 0 ? p->pos : BPF_CORE_READ(file, f_pos) - ret;
	send(RA_EVENT_READ, p->dev, (__u64)pos, (__u64)ret);
	return 0;
}
