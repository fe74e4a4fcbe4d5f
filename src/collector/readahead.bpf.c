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
 * where the kernel has BPF trampolines (Debian's kernels do). Where it has not
 * (this project's own test machine refuses fentry and fexit with EPERM, and has
 * no kprobes), they come from the mm_filemap_get_pages tracepoint (6.10 and
 * later), which needs more care (on_get_pages says why). Either way, only a read
 * of the page cache runs a program: not direct I/O, not other system calls.
 *
 * Not the raw sys_enter and sys_exit tracepoints, which an earlier version took
 * where trampolines were missing: every system call of every process then takes
 * the kernel's slower traced path (getppid(2) went from 96 to 150 ns here), and
 * runs two programs.
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
const volatile long nr_readv = -1;
const volatile long nr_preadv = -1;
const volatile long nr_preadv2 = -1;
const volatile unsigned int o_direct = 0;
const volatile unsigned int page_shift = 12;

/* What the thread's last page-cache read was counted as (on_get_pages). */
struct counted_read {
	__u64 syscall; /* which of its read system calls, when in one (read_syscall) */
	__u64 mapping; /* else the file's pages (an address) */
	__u64 index;   /* and the first and last page its first call asked for */
	__u64 last_index;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct counted_read);
} counted SEC(".maps");

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
 * The open file behind @fd in the current task, or NULL. The walk to the table
 * uses plain loads (the task's BTF pointer) instead of a helper call per field;
 * the table is indexed as a number (bpf_addr_i.h), and one helper reads the entry.
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

#define PF_IO_WORKER 0x00000010
#define PF_KTHREAD 0x00200000

/* The most iovecs of a readv(2) whose bytes are added up; more are counted as any other read. */
#define IOVECS_ADDED_UP 16

/* The bytes @n iovecs at @uiov ask for, or -1 when they are too many or cannot be read. */
static __always_inline __s64 iovec_bytes(const struct iovec *uiov, unsigned long n)
{
	struct iovec v;
	__u64 bytes = 0;
	unsigned int i;

	if (n > IOVECS_ADDED_UP)
		return -1;
	for (i = 0; i < IOVECS_ADDED_UP && i < n; i++) {
		if (bpf_probe_read_user(&v, sizeof(v), &uiov[i]))
			return -1;
		bytes += v.iov_len;
	}
	return (__s64)bytes;
}

/*
 * The read system call of @mapping the current thread is in (read, pread64, readv,
 * preadv, preadv2): its position and the bytes it asked for, from the registers it
 * entered the kernel with, and which of the thread's calls it is (its count of
 * read system calls, which moves when each returns, plus one). False for any other
 * way in (io_uring, splice, a kernel thread such as a loop device's worker), or on
 * an architecture whose registers this does not know.
 */
static __always_inline bool read_syscall(struct task_struct *task, struct address_space *mapping,
					 __s64 *pos, __u64 *count, __u64 *call)
{
#ifdef __TARGET_ARCH_x86
	bool positioned;
	struct pt_regs *regs;
	struct file *file;
	__s64 bytes;
	long nr;

	if (!bpf_core_field_exists(task->ioac.syscr) || (task->flags & (PF_KTHREAD | PF_IO_WORKER)))
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = regs->orig_ax;
	if (nr == nr_read || nr == nr_pread64)
		bytes = (__s64)regs->dx;
	else if (nr == nr_readv || nr == nr_preadv || nr == nr_preadv2)
		bytes = iovec_bytes((const struct iovec *)regs->si, regs->dx);
	else
		return false;
	if (bytes < 0)
		return false;
	file = fd_file((int)regs->di);
	if (!file || (__u64)BPF_CORE_READ(file, f_mapping) != addr_of(mapping))
		return false;
	*count = (__u64)bytes;
	*call = task->ioac.syscr + 1;
	/* preadv2(2) at -1 reads at the file's position, as read(2) and readv(2) do... */
	positioned = nr == nr_pread64 || nr == nr_preadv ||
		     (nr == nr_preadv2 && (__s64)regs->r10 != -1);
	/* ...which moves only when the call returns. */
	*pos = positioned ? (__s64)regs->r10 : BPF_CORE_READ(file, f_pos);
	return true;
#else
	return false;
#endif
}

/*
 * A read from the page cache, where the kernel has no BPF trampolines: the
 * tracepoint at the end of filemap_get_pages(), which filemap_read() calls once
 * per batch of folios. Each call reports what is left of the read (from the
 * position to its last page), and a call whose batch ends on a folio still under
 * readahead I/O reports nothing, so neither the first call nor the sum is the
 * read. A read system call is counted whole, from its own arguments, at the
 * first call seen, and once: the thread's count of read system calls tells its
 * calls apart. Any other read is counted from
 * the range its first call seen reports; a later call of the same read reports
 * the same last page, further on.
 */
SEC("tp_btf/mm_filemap_get_pages")
int BPF_PROG(on_get_pages, struct address_space *mapping, unsigned long index,
	     unsigned long last_index)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *host = mapping->host;
	struct counted_read *c;
	__u64 count, size, m, call;
	__s64 pos;
	__u32 dev;

	if (!host)
		return 0;
	dev = inode_dev(host);
	if (!dev)
		return 0;
	c = bpf_task_storage_get(&counted, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	if (read_syscall(task, mapping, &pos, &count, &call)) {
		if (c->syscall == call)
			return 0;
		c->syscall = call;
	} else {
		m = addr_of(mapping);
		if (c->mapping == m && c->last_index == last_index && index > c->index)
			return 0;
		c->mapping = m;
		c->index = index;
		c->last_index = last_index;
		pos = (__s64)(index << page_shift);
		count = (last_index - index + 1) << page_shift;
	}
	/* What a read returns ends at the end of the file. */
	size = host->i_size;
	if (pos < 0 || (__u64)pos >= size)
		return 0;
	if (count > size - pos)
		count = size - pos;
	send(RA_EVENT_READ, dev, (__u64)pos, count);
	return 0;
}
