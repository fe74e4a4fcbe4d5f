// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The eBPF collectors' runtime: loads each collector asked for, gives it its
 * subsystem in the store, and runs one thread that drains every collector's
 * ring buffer into batches of rows.
 *
 * Rows never wait: like the kernel proxy's samples, a batch that finds the
 * store's queue full is dropped and counted in the subsystem's drops, so the
 * ring keeps draining; what the ring itself could not take is counted by the
 * kernel side and shown as lost_events.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collector_i.h"

#define BPF_BATCH_ROWS 1024
#define BPF_TICK_MS 100
#define BTF_PATH "/sys/kernel/btf/vmlinux"

static const struct bpf_collector *const collectors[MLFS_BPF_MAX] = {
	[MLFS_BPF_BLK] = &bpf_blk_collector,
	[MLFS_BPF_READAHEAD] = &bpf_readahead_collector,
};

struct bpf_sink {
	struct mlfs_store *store;
	struct mlfs_subsys *ss;
	unsigned ncols;
	struct mlfs_batch *batch; /* rows made and not queued yet */
};

/* A collector that loaded. Set up by mlfs_bpf_start(), then read-only but for the sink. */
struct bpf_source {
	const struct bpf_collector *c;
	void *state;
	struct bpf_maps maps;
	struct bpf_sink sink; /* the reader thread's only */
};

struct mlfs_bpf {
	struct mlfs_bpf_options opts;
	struct mlfs_store *store;
	mlfs_collector_log_fn log;
	struct bpf_source sources[MLFS_BPF_MAX];
	unsigned nsources;
	struct ring_buffer *rb;
	int ncpus;
	int epoll_fd, stop_fd, timer_fd;
	pthread_t thread;
	bool running;
};

bool mlfs_bpf_built(void)
{
	return true;
}

int mlfs_bpf_new(const struct mlfs_bpf_options *opts, struct mlfs_store *store,
		 mlfs_collector_log_fn log, struct mlfs_bpf **ret_bpf)
{
	struct mlfs_bpf *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->opts = *opts;
	if (b->opts.window_ms == 0)
		b->opts.window_ms = MLFS_BPF_WINDOW_MS_DEFAULT;
	b->store = store;
	b->log = log;
	b->epoll_fd = b->stop_fd = b->timer_fd = -1;
	*ret_bpf = b;
	return 0;
}

struct mlfs_value *bpf_sink_row(struct bpf_sink *sink)
{
	if (sink->batch && mlfs_batch_rows(sink->batch) == BPF_BATCH_ROWS) {
		mlfs_store_ingest(sink->store, sink->batch, 0, NULL);
		sink->batch = NULL;
	}
	if (!sink->batch) {
		sink->batch = mlfs_batch_new(sink->ss, sink->ncols, BPF_BATCH_ROWS);
		if (!sink->batch)
			return NULL;
	}
	return mlfs_batch_append(sink->batch);
}

/* Queue what was made; a full queue counts the rows as drops in the subsystem's status. */
static void sink_flush(struct bpf_sink *sink)
{
	if (sink->batch)
		mlfs_store_ingest(sink->store, sink->batch, 0, NULL);
	sink->batch = NULL;
}

/*
 * libbpf explains a failure over many lines (the verifier's log among them); the
 * daemon says it in one. The last line libbpf printed is kept for that line.
 */
static char libbpf_last[160];

__attribute__((format(printf, 2, 0)))
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
	n = strcspn(libbpf_last, "\n");
	libbpf_last[n] = '\0';
	return 0;
}

/* Why a collector cannot run, in words a user can act on. */
static const char *load_hint(int err)
{
	if (access(BTF_PATH, R_OK) < 0)
		return "the kernel has no BTF (" BTF_PATH " is missing; CONFIG_DEBUG_INFO_BTF)";
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "not permitted: it needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
	case -ENOENT:
	case -ESRCH:
		return "a tracepoint or kernel function it uses is missing in this kernel";
	default:
		return libbpf_last[0] ? libbpf_last : "see libbpf";
	}
}

/* The subsystem named after the collector, found or created, with its columns. */
static int subsys_of(struct mlfs_bpf *b, const struct bpf_collector *c, struct mlfs_subsys **ret_ss)
{
	const char *name = mlfs_bpf_name(c->kind);
	struct mlfs_columns *cols = calloc(1, sizeof(*cols));
	struct mlfs_subsys *ss = NULL;
	unsigned i;
	int r;

	if (!cols)
		return -ENOMEM;
	cols->n = c->ncols;
	cols->target = c->ncols - 1;
	for (i = 0; i < c->ncols; i++) {
		snprintf(cols->names[i], sizeof(cols->names[i]), "%s", c->col_names[i]);
		cols->types[i] = c->col_types[i];
	}
	ss = mlfs_store_subsys_get(b->store, name);
	if (!ss) {
		r = mlfs_store_subsys_create_defined(b->store, name, MLFS_ORIGIN_BPF, cols, &ss);
		if (r < 0) {
			b->log(LOG_ERR,
			       "%s: eBPF collector not started: cannot create its "
			       "subsystem: %s",
			       name, strerror(-r));
			goto out;
		}
	}
	if (mlfs_subsys_origin(ss) != MLFS_ORIGIN_BPF) {
		b->log(LOG_ERR, "%s: eBPF collector not started: a %s subsystem has that name",
		       name, mlfs_origin_name(mlfs_subsys_origin(ss)));
		r = -EEXIST;
		goto out;
	}
	r = mlfs_store_subsys_define(b->store, ss, cols);
	if (r == -EEXIST) {
		/*
		 * Columns of another mlfs version (readahead's read_ahead_kb was a feature
		 * before it became the target): the rows were observations of this
		 * machine, and the next ones take their place.
		 */
		struct mlfs_subsys_status st;

		mlfs_subsys_status(ss, &st);
		r = mlfs_store_subsys_remove(b->store, ss);
		mlfs_subsys_unref(ss);
		ss = NULL;
		if (r == 0)
			r = mlfs_store_subsys_create(b->store, name, MLFS_ORIGIN_BPF, &ss);
		if (r == 0)
			r = mlfs_store_subsys_define(b->store, ss, cols);
		if (r == 0)
			b->log(LOG_WARNING,
			       "%s: the dataset had the columns of another mlfs version; "
			       "made anew (%llu rows dropped)",
			       name, (unsigned long long)st.rows);
	}
	if (r < 0) {
		b->log(LOG_ERR,
		       "%s: eBPF collector not started: its columns differ from the "
		       "stored ones (%s)",
		       name, strerror(-r));
		goto out;
	}
	*ret_ss = ss;
	ss = NULL;
out:
	mlfs_subsys_unref(ss);
	free(cols);
	return r;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_source *src = ctx;

	/* A record of another size is a build mismatch: skipped, the ring goes on. */
	src->c->event(src->state, data, size, &src->sink);
	return 0;
}

static int add_ring(struct mlfs_bpf *b, struct bpf_source *src)
{
	if (!b->rb) {
		b->rb = ring_buffer__new(src->maps.ring_fd, on_record, src, NULL);
		return b->rb ? 0 : -errno;
	}
	return ring_buffer__add(b->rb, src->maps.ring_fd, on_record, src);
}

/* Load @c and make it a source. Returns 0, or -errno after saying why, once. */
static int start_one(struct mlfs_bpf *b, const struct bpf_collector *c)
{
	const char *name = mlfs_bpf_name(c->kind);
	struct bpf_source *src = &b->sources[b->nsources];
	int r;

	*src = (struct bpf_source){ .c = c };
	libbpf_last[0] = '\0';
	r = c->load(&b->opts, &src->state, &src->maps);
	if (r < 0) {
		b->log(LOG_WARNING, "%s: eBPF collector cannot load (%s): %s; running without it",
		       name, strerror(-r), load_hint(r));
		return r;
	}
	r = subsys_of(b, c, &src->sink.ss);
	if (r < 0)
		goto out_unload;
	src->sink.store = b->store;
	src->sink.ncols = c->ncols;
	if (c->act) {
		const struct bpf_env env = { .store = b->store,
					     .ss = src->sink.ss,
					     .log = b->log,
					     .opts = &b->opts };

		r = c->act(src->state, &env);
		if (r < 0) {
			b->log(LOG_ERR, "%s: eBPF collector not started: %s", name, strerror(-r));
			goto out_unref;
		}
	}
	r = add_ring(b, src);
	if (r < 0) {
		b->log(LOG_ERR, "%s: eBPF collector not started: its ring buffer: %s", name,
		       strerror(-r));
		goto out_unref;
	}
	b->nsources++;
	b->log(LOG_INFO, "%s: eBPF collector running", name);
	return 0;

out_unref:
	mlfs_subsys_unref(src->sink.ss);
out_unload:
	c->unload(src->state);
	return r;
}

int64_t bpf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Drain every ring, let the collectors close their windows, queue the rows. */
static void drain(struct mlfs_bpf *b, bool tick)
{
	int64_t now = bpf_now_ns();
	unsigned i;

	ring_buffer__consume(b->rb);
	for (i = 0; i < b->nsources; i++) {
		struct bpf_source *src = &b->sources[i];

		if (tick && src->c->tick)
			src->c->tick(src->state, now, &src->sink);
		sink_flush(&src->sink);
	}
}

static void *reader_main(void *arg)
{
	struct mlfs_bpf *b = arg;
	struct epoll_event ev[4];
	uint64_t ticks;
	int i, n;

	for (;;) {
		bool tick = false, stop = false;

		n = epoll_wait(b->epoll_fd, ev, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			b->log(LOG_ERR, "eBPF collectors: epoll_wait: %s; collectors stop",
			       strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == b->stop_fd)
				stop = true;
			else if (ev[i].data.fd == b->timer_fd)
				tick = read(b->timer_fd, &ticks, sizeof(ticks)) > 0;
		}
		/* What the rings hold at the stop is still queued for the store. */
		drain(b, tick);
		if (stop)
			break;
	}
	return NULL;
}

static int watch(int epoll_fd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int start_thread(struct mlfs_bpf *b)
{
	struct itimerspec every = {
		.it_interval = { .tv_nsec = BPF_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = BPF_TICK_MS * 1000000L },
	};
	int r;

	b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	b->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (b->epoll_fd < 0 || b->stop_fd < 0 || b->timer_fd < 0)
		return -errno;
	if (timerfd_settime(b->timer_fd, 0, &every, NULL) < 0)
		return -errno;
	r = watch(b->epoll_fd, b->stop_fd);
	if (r == 0)
		r = watch(b->epoll_fd, b->timer_fd);
	if (r == 0)
		r = watch(b->epoll_fd, ring_buffer__epoll_fd(b->rb));
	if (r < 0)
		return r;
	r = -pthread_create(&b->thread, NULL, reader_main, b);
	b->running = r == 0;
	return r;
}

void mlfs_bpf_load(struct mlfs_bpf *b)
{
	libbpf_print_fn_t old = libbpf_set_print(libbpf_print);
	unsigned kind;

	b->ncpus = libbpf_num_possible_cpus();
	for (kind = 0; kind < MLFS_BPF_MAX; kind++)
		if (b->opts.mask & (1u << kind))
			start_one(b, collectors[kind]);
	libbpf_set_print(old);
}

int mlfs_bpf_start(struct mlfs_bpf *b)
{
	return b->nsources > 0 ? start_thread(b) : 0;
}

/* The sum over CPUs of a collector's lost records; 0 when the map cannot be read. */
static uint64_t lost_sum(struct mlfs_bpf *b, const struct bpf_source *src)
{
	uint64_t *per_cpu = calloc((size_t)b->ncpus, sizeof(*per_cpu)), sum = 0;
	uint32_t zero = 0;
	int c;

	if (per_cpu && bpf_map_lookup_elem(src->maps.lost_fd, &zero, per_cpu) == 0)
		for (c = 0; c < b->ncpus; c++)
			sum += per_cpu[c];
	free(per_cpu);
	return sum;
}

static const struct bpf_source *source_of(const struct mlfs_bpf *b, const struct mlfs_subsys *ss)
{
	unsigned i;

	for (i = 0; b && i < b->nsources; i++)
		if (b->sources[i].sink.ss == ss)
			return &b->sources[i];
	return NULL;
}

bool mlfs_bpf_lost_events(struct mlfs_bpf *b, struct mlfs_subsys *ss, uint64_t *ret_lost)
{
	const struct bpf_source *src = source_of(b, ss);

	if (!src || b->ncpus <= 0)
		return false;
	*ret_lost = lost_sum(b, src);
	return true;
}

bool mlfs_bpf_observed(struct mlfs_bpf *b, struct mlfs_subsys *ss, const char **ret_name,
		       uint64_t *ret_n)
{
	const struct bpf_source *src = source_of(b, ss);

	if (!src || !src->c->observed)
		return false;
	*ret_name = src->c->observed_name;
	*ret_n = src->c->observed(src->state);
	return true;
}

const char *mlfs_bpf_observed_by(struct mlfs_bpf *b, struct mlfs_subsys *ss)
{
	const struct bpf_source *src = source_of(b, ss);

	return src && src->c->observed_by ? src->c->observed_by(src->state) : NULL;
}

void mlfs_bpf_free(struct mlfs_bpf *b)
{
	uint64_t one = 1;
	unsigned i;

	if (!b)
		return;
	if (b->running) {
		if (write(b->stop_fd, &one, sizeof(one)) < 0)
			b->log(LOG_ERR, "eBPF collectors: cannot stop the reader: %s",
			       strerror(errno));
		pthread_join(b->thread, NULL);
	}
	ring_buffer__free(b->rb);
	for (i = 0; i < b->nsources; i++) {
		struct bpf_source *src = &b->sources[i];

		mlfs_batch_free(src->sink.batch);
		mlfs_subsys_unref(src->sink.ss);
		src->c->unload(src->state);
	}
	if (b->epoll_fd >= 0)
		close(b->epoll_fd);
	if (b->stop_fd >= 0)
		close(b->stop_fd);
	if (b->timer_fd >= 0)
		close(b->timer_fd);
	free(b);
}
