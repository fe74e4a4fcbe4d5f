// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead collector's user side: loads readahead.bpf.c, gathers its
 * records per device into windows (ra_window.c), and at the end of each window
 * gives one row per device that was busy: what its page cache took in and gave
 * out, and the read_ahead_kb it ran with, which is the target and never a
 * feature (a model would learn to repeat it). Rows come only for devices with a
 * request queue (a read_ahead_kb to tune); the pseudo devices of tmpfs,
 * overlayfs or btrfs subvolumes are left out.
 *
 * With an actuator (-o readahead_dev=), each window of that device also goes to
 * the mode gate (ra_gate.c), which decides the value of the next window.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "collector_i.h"
#include "readahead.h"
#include "readahead.skel.h"

/* Devices followed at once; beyond, a new one is ignored until the window ends. */
#define RA_DEVICES_MAX 64

enum {
	COL_DEV,
	COL_INSERTIONS,
	COL_ACCESSES,
	COL_OFFSET_STDDEV,
	COL_DELTA_MEAN,
	COL_HIT_RATIO,
	COL_BYTES,
	COL_READ_AHEAD_KB, /* the target: the value in force during the window */
	COL_MAX,
};

static const char *const col_names[COL_MAX] = {
	[COL_DEV] = "dev",
	[COL_INSERTIONS] = "insertions",
	[COL_ACCESSES] = "accesses",
	[COL_OFFSET_STDDEV] = "offset_stddev",
	[COL_DELTA_MEAN] = "delta_mean",
	[COL_HIT_RATIO] = "hit_ratio",
	[COL_BYTES] = "bytes",
	[COL_READ_AHEAD_KB] = "read_ahead_kb",
};

static const enum mlfs_value_type col_types[COL_MAX] = {
	[COL_DEV] = MLFS_VALUE_INT,	    [COL_INSERTIONS] = MLFS_VALUE_INT,
	[COL_ACCESSES] = MLFS_VALUE_INT,    [COL_OFFSET_STDDEV] = MLFS_VALUE_REAL,
	[COL_DELTA_MEAN] = MLFS_VALUE_REAL, [COL_HIT_RATIO] = MLFS_VALUE_REAL,
	[COL_BYTES] = MLFS_VALUE_INT,	    [COL_READ_AHEAD_KB] = MLFS_VALUE_INT,
};

struct ra_device {
	uint32_t dev;	  /* the kernel's encoding */
	long ra_kb_start; /* read_ahead_kb when the device's window began; -1: none */
	struct ra_window w;
};

/* Where a kernel's page-cache reads are seen from (readahead.bpf.c says why each). */
enum ra_reads {
	RA_READS_FEXIT,
	RA_READS_GET_PAGES,
};

struct ra_state {
	struct readahead_bpf *skel;
	enum ra_reads reads;
	unsigned page_size, page_shift;
	int64_t window_ns;
	int64_t window_end_ns; /* 0 until the first tick */
	struct ra_device devs[RA_DEVICES_MAX];
	unsigned ndevs;
	struct ra_gate *gate; /* with an actuator: its device's windows decide its value */
};

/*
 * The device's read_ahead_kb, or -1 when it has none. A partition has no queue of
 * its own: its disk's, one directory up, is the one in force.
 */
static long read_ahead_kb(uint32_t dev)
{
	static const char *const up[] = { "", "../" };
	char path[96], text[32];
	unsigned i;
	ssize_t n;
	long kb;
	int fd;

	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%squeue/read_ahead_kb",
			 dev >> 20, dev & 0xfffff, up[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n <= 0)
			continue;
		text[n] = '\0';
		kb = strtol(text, NULL, 10);
		return kb >= 0 ? kb : -1;
	}
	return -1;
}

static struct ra_device *device(struct ra_state *s, uint32_t dev)
{
	struct ra_device *d;
	unsigned i;

	for (i = 0; i < s->ndevs; i++)
		if (s->devs[i].dev == dev)
			return &s->devs[i];
	if (s->ndevs == RA_DEVICES_MAX)
		return NULL;
	d = &s->devs[s->ndevs++];
	*d = (struct ra_device){ .dev = dev, .ra_kb_start = read_ahead_kb(dev) };
	return d;
}

/*
 * Load and attach the kernel side, with its reads seen by @reads and page faults
 * when @faults. Returns 0 or -errno, with nothing left loaded.
 */
static int open_and_attach(enum ra_reads reads, bool faults, unsigned page_shift,
			   struct readahead_bpf **ret_skel)
{
	struct readahead_bpf *skel = readahead_bpf__open();
	int r;

	if (!skel)
		return errno ? -errno : -ENOMEM;
	skel->rodata->nr_read = SYS_read;
	skel->rodata->nr_pread64 = SYS_pread64;
	skel->rodata->nr_readv = SYS_readv;
	skel->rodata->nr_preadv = SYS_preadv;
	skel->rodata->nr_preadv2 = SYS_preadv2;
	skel->rodata->o_direct = O_DIRECT;
	skel->rodata->page_shift = page_shift;
	bpf_program__set_autoload(skel->progs.on_filemap_read, reads == RA_READS_FEXIT);
	bpf_program__set_autoload(skel->progs.on_get_pages, reads == RA_READS_GET_PAGES);
	bpf_map__set_autocreate(skel->maps.counted, reads == RA_READS_GET_PAGES);
	bpf_program__set_autoload(skel->progs.on_fault, faults);
	r = readahead_bpf__load(skel);
	if (r == 0)
		r = readahead_bpf__attach(skel);
	if (r < 0) {
		readahead_bpf__destroy(skel);
		return r;
	}
	*ret_skel = skel;
	return 0;
}

/* Whether the kernel whose BTF is @vmlinux (NULL: unknown) has the tracepoint @name. */
static bool has_tracepoint(const struct btf *vmlinux, const char *name)
{
	char type[128];

	/* What a raw tracepoint program's BTF attachment is found by (libbpf does the same). */
	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return vmlinux && btf__find_by_name_kind(vmlinux, type, BTF_KIND_TYPEDEF) >= 0;
}

static int ra_load(const struct mlfs_bpf_options *opts, void **ret_state, struct bpf_maps *ret_maps)
{
	struct ra_state *s = calloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);
	bool faults, get_pages;
	struct btf *vmlinux;
	int r;

	if (!s)
		return -ENOMEM;
	s->page_size = page > 0 ? (unsigned)page : 4096;
	s->page_shift = (unsigned)__builtin_ctz(s->page_size);
	s->window_ns = (int64_t)opts->window_ms * 1000000;
	/*
	 * Which tracepoints the kernel has (6.10 and later), from its BTF, parsed once
	 * for both: page faults are seen where it has mm_filemap_fault.
	 */
	vmlinux = btf__load_vmlinux_btf();
	faults = has_tracepoint(vmlinux, "mm_filemap_fault");
	get_pages = has_tracepoint(vmlinux, "mm_filemap_get_pages");
	btf__free(vmlinux);
	/* fexit on filemap_read() where the kernel has BPF trampolines, else the tracepoint. */
	s->reads = RA_READS_FEXIT;
	r = open_and_attach(s->reads, faults, s->page_shift, &s->skel);
	if (r < 0 && get_pages) {
		s->reads = RA_READS_GET_PAGES;
		r = open_and_attach(s->reads, faults, s->page_shift, &s->skel);
	}
	if (r < 0) {
		free(s);
		return r;
	}
	ret_maps->ring_fd = bpf_map__fd(s->skel->maps.events);
	ret_maps->lost_fd = bpf_map__fd(s->skel->maps.lost);
	*ret_state = s;
	return 0;
}

static const char *ra_observed_by(void *state)
{
	const struct ra_state *s = state;

	return s->reads == RA_READS_FEXIT ? "fexit/filemap_read" : "tp_btf/mm_filemap_get_pages";
}

static void ra_unload(void *state)
{
	struct ra_state *s = state;

	ra_gate_free(s->gate);
	readahead_bpf__destroy(s->skel);
	free(s);
}

static int ra_act(void *state, const struct bpf_env *env)
{
	struct ra_state *s = state;

	return env->opts->ra_actuator ? ra_gate_new(env, &s->gate) : 0;
}

static int ra_event(void *state, const void *data, size_t size, struct bpf_sink *sink)
{
	const struct ra_event *e = data;
	struct ra_state *s = state;
	struct ra_device *d;

	if (size < sizeof(*e))
		return -EINVAL;
	d = device(s, e->dev);
	if (!d)
		return 0;
	if (e->kind == RA_EVENT_INSERT)
		ra_window_insert(&d->w, e->count);
	else if (e->kind == RA_EVENT_PAGES)
		ra_window_read(&d->w, e->offset * s->page_size, e->count * s->page_size,
			       s->page_size);
	else if (e->count > 0)
		ra_window_read(&d->w, e->offset, e->count, s->page_size);
	return 0;
}

static void set_int(struct mlfs_value *cell, int64_t v)
{
	cell->type = MLFS_VALUE_INT;
	cell->i = v;
}

static void set_real(struct mlfs_value *cell, double v)
{
	cell->type = MLFS_VALUE_REAL;
	cell->r = v;
}

/*
 * A device's row for the window that ended, its features also in @x (every column
 * but the target). Without a read_ahead_kb there is nothing to learn; when it
 * changed during the window, no one value was in force: no row, and false.
 */
static bool emit(struct ra_device *d, struct bpf_sink *sink, double x[COL_READ_AHEAD_KB],
		 struct ra_features *f)
{
	long kb = read_ahead_kb(d->dev);
	struct mlfs_value *row;
	unsigned i;

	if (kb < 0 || kb != d->ra_kb_start)
		return false;
	ra_window_features(&d->w, f);
	x[COL_DEV] = (double)makedev(d->dev >> 20, d->dev & 0xfffff);
	x[COL_INSERTIONS] = (double)f->insertions;
	x[COL_ACCESSES] = (double)f->accesses;
	x[COL_OFFSET_STDDEV] = f->offset_stddev;
	x[COL_DELTA_MEAN] = f->delta_mean;
	x[COL_HIT_RATIO] = f->hit_ratio;
	x[COL_BYTES] = (double)f->bytes;
	row = bpf_sink_row(sink);
	if (!row)
		return true;
	/* Counts below 2^53 are exact as doubles. */
	for (i = 0; i < COL_READ_AHEAD_KB; i++)
		if (col_types[i] == MLFS_VALUE_REAL)
			set_real(&row[i], x[i]);
		else
			set_int(&row[i], (int64_t)x[i]);
	set_int(&row[COL_READ_AHEAD_KB], kb);
	return true;
}

/* A window ends: a row per busy device; idle ones are forgotten, to make room. */
static void ra_tick(void *state, int64_t now_ns, struct bpf_sink *sink)
{
	double x[COL_READ_AHEAD_KB];
	struct ra_state *s = state;
	struct ra_features f;
	unsigned i = 0;

	if (s->window_end_ns == 0)
		s->window_end_ns = now_ns + s->window_ns;
	if (now_ns < s->window_end_ns)
		return;
	s->window_end_ns += s->window_ns;
	/* A reader that fell far behind starts afresh rather than catching up. */
	if (s->window_end_ns <= now_ns)
		s->window_end_ns = now_ns + s->window_ns;
	while (i < s->ndevs) {
		struct ra_device *d = &s->devs[i];

		if (!ra_window_active(&d->w)) {
			*d = s->devs[--s->ndevs];
			continue;
		}
		if (emit(d, sink, x, &f) && s->gate && d->dev == ra_gate_dev(s->gate))
			/* Decides the next window's value: before its start value is read. */
			ra_gate_window(s->gate, x, COL_READ_AHEAD_KB, f.bytes, s->window_ns);
		ra_window_next(&d->w);
		d->ra_kb_start = read_ahead_kb(d->dev);
		i++;
	}
}

const struct bpf_collector bpf_readahead_collector = {
	.kind = MLFS_BPF_READAHEAD,
	.ncols = COL_MAX,
	.col_names = col_names,
	.col_types = col_types,
	.load = ra_load,
	.unload = ra_unload,
	.event = ra_event,
	.tick = ra_tick,
	.observed_by = ra_observed_by,
	.act = ra_act,
};
