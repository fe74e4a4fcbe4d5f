// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The kernel proxy's device as a source: one thread reads records, turns
 * kernel subsystems into store subsystems and their records into rows and
 * feedback; users' mode changes and recommendations are written back.
 *
 * Samples never wait: a kernel that publishes faster than the store commits
 * loses samples, counted as drops, rather than stalling the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "collector.h"
#include "kdev_decode_i.h"

#define KDEV_SUBSYS_MAX 64
#define KDEV_BATCH_ROWS 1024
#define KDEV_FEEDBACK_MAX 256
#define KDEV_RETRY_MS 1000

/* A kernel subsystem, as the device numbers it, and its store subsystem. */
struct kdev_subsys {
	uint32_t kid;
	struct mlfs_subsys *ss; /* a reference */
	unsigned ncols;
	uint32_t scale[MLPROXY_COLUMNS_MAX];
	char metric[MLPROXY_NAME_LEN];
	bool lower_is_better;     /* the metric is a cost */
	struct mlfs_batch *batch; /* samples read but not queued yet */
	struct mlfs_feedback fb[KDEV_FEEDBACK_MAX];
	unsigned nfb;
	int last_error; /* of the last recommendation sent, to log each failure once */
};

struct mlfs_kdev {
	struct mlfs_store *store;
	char *path;
	mlfs_collector_log_fn log;
	int stop_pipe[2];
	pthread_t thread;
	bool running;

	/*
	 * Protects fd and map[] from writers (mode changes, recommendations). Only the
	 * reader thread changes them, so it reads them without the lock; it never
	 * calls into the store while holding it, as writers come with the store's
	 * db_lock held.
	 */
	pthread_mutex_t lock;
	int fd; /* -1 while not connected */
	struct kdev_subsys map[KDEV_SUBSYS_MAX];
	unsigned nmap;
	bool said_missing;
	uint32_t unknown_kid; /* reader only: the last unregistered id logged, not to repeat */
	struct mlfs_source_listener listener;
};

void mlfs_kdev_set_listener(struct mlfs_kdev *k, const struct mlfs_source_listener *listener)
{
	k->listener = *listener;
}

int mlfs_kdev_new(const char *path, struct mlfs_store *store, mlfs_collector_log_fn log,
		  struct mlfs_kdev **ret_kdev)
{
	struct mlfs_kdev *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->path = strdup(path);
	if (!k->path || pipe2(k->stop_pipe, O_CLOEXEC) < 0) {
		free(k->path);
		free(k);
		return -ENOMEM;
	}
	k->store = store;
	k->log = log;
	k->fd = -1;
	k->unknown_kid = UINT32_MAX;
	pthread_mutex_init(&k->lock, NULL);
	*ret_kdev = k;
	return 0;
}

/*
 * A character device is opened; a UNIX socket (the stand-in) is connected to.
 * Non-blocking: the reader polls, and a user's mode change must never wait on a
 * peer that stopped reading while it holds the store.
 */
static int open_source(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode)) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		return fd < 0 ? -errno : fd;
	}
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static struct kdev_subsys *find_kid(struct mlfs_kdev *k, uint32_t kid)
{
	unsigned i;

	for (i = 0; i < k->nmap; i++)
		if (k->map[i].kid == kid)
			return &k->map[i];
	return NULL;
}

static struct kdev_subsys *find_ss(struct mlfs_kdev *k, const struct mlfs_subsys *ss)
{
	unsigned i;

	for (i = 0; i < k->nmap; i++)
		if (k->map[i].ss == ss)
			return &k->map[i];
	return NULL;
}

/* Write one record to the device; caller holds k->lock. */
static int write_record(struct mlfs_kdev *k, const void *rec, size_t size)
{
	ssize_t n;

	if (k->fd < 0)
		return -ENODEV;
	n = write(k->fd, rec, size);
	if (n < 0)
		return -errno;
	return (size_t)n == size ? 0 : -EIO;
}

static int kdev_set_mode(void *ctx, struct mlfs_subsys *ss, enum mlfs_mode mode)
{
	struct mlfs_kdev *k = ctx;
	struct mlproxy_mode_change rec = { 0 };
	struct kdev_subsys *ks;
	int r;

	pthread_mutex_lock(&k->lock);
	ks = find_ss(k, ss);
	if (!ks) {
		r = -ENODEV;
	} else {
		mlproxy_record_init(&rec.hdr, MLPROXY_MODE, sizeof(rec), ks->kid);
		rec.mode = (uint32_t)mode;
		r = write_record(k, &rec, sizeof(rec));
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

int mlfs_kdev_recommend(struct mlfs_kdev *k, struct mlfs_subsys *ss, uint64_t id, int64_t value,
			uint64_t model_version)
{
	struct mlproxy_recommend rec = { 0 };
	struct kdev_subsys *ks;
	int r;

	if (id == 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	ks = find_ss(k, ss);
	if (!ks) {
		r = k->fd < 0 ? -ENODEV : -ENOENT;
	} else {
		mlproxy_record_init(&rec.hdr, MLPROXY_RECOMMEND, sizeof(rec), ks->kid);
		rec.id = id;
		rec.value = value;
		rec.model_version = model_version;
		r = write_record(k, &rec, sizeof(rec));
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

bool mlfs_kdev_connected(struct mlfs_kdev *k)
{
	bool up;

	pthread_mutex_lock(&k->lock);
	up = k->fd >= 0;
	pthread_mutex_unlock(&k->lock);
	return up;
}

/* Queue what was read for @ks: samples (never waiting), then feedback. */
static void flush_subsys(struct mlfs_kdev *k, struct kdev_subsys *ks)
{
	int r;

	if (ks->batch) {
		/* A full queue counts the drops in the subsystem's status. */
		mlfs_store_ingest(k->store, ks->batch, 0, NULL);
		ks->batch = NULL;
	}
	if (ks->nfb > 0) {
		r = mlfs_store_feedback_add(k->store, ks->ss, "kernel", ks->fb, ks->nfb);
		if (r < 0)
			k->log(LOG_ERR, "%s: kernel feedback not stored: %s",
			       mlfs_subsys_name(ks->ss), strerror(-r));
		ks->nfb = 0;
	}
}

static void add_feedback(struct mlfs_kdev *k, struct kdev_subsys *ks, int64_t rec,
			 enum mlfs_arm arm, const char *metric, double value)
{
	size_t len = strnlen(metric, MLFS_COLUMN_NAME_MAX);
	struct mlfs_feedback *fb;

	if (ks->nfb == KDEV_FEEDBACK_MAX)
		flush_subsys(k, ks);
	fb = &ks->fb[ks->nfb++];
	fb->recommendation = rec;
	fb->arm = arm;
	memcpy(fb->metric, metric, len);
	fb->metric[len] = '\0';
	fb->value = value;
}

/* Reader thread only, without k->lock. */
static void forget_subsys(struct mlfs_kdev *k, struct kdev_subsys *ks)
{
	struct mlfs_subsys *ss = ks->ss;

	flush_subsys(k, ks);
	mlfs_subsys_set_mode_owner(ss, NULL);
	pthread_mutex_lock(&k->lock);
	*ks = k->map[--k->nmap];
	pthread_mutex_unlock(&k->lock);
	mlfs_subsys_unref(ss);
}

static void on_register(struct mlfs_kdev *k, const struct mlproxy_register *reg)
{
	static const struct mlfs_columns empty;
	struct mlfs_columns *cols = malloc(sizeof(*cols));
	struct mlfs_mode_owner owner = { .set_mode = kdev_set_mode, .ctx = k };
	struct mlfs_subsys *ss = NULL;
	struct kdev_subsys *ks;
	char reason[MLFS_REASON_MAX], quoted[MLFS_QUOTE_BUF];
	unsigned i;
	int r;

	if (!cols)
		return;
	*cols = empty;
	/* Until it is registered, its records are skipped without a line each: this one said why. */
	k->unknown_kid = reg->hdr.subsys;
	r = kdev_register_columns(reg, cols);
	if (r < 0) {
		k->log(LOG_ERR, "kernel subsystem \"%s\": its name or a column's is not valid; "
				"ignored", mlfs_quote(reg->name, strlen(reg->name), quoted));
		goto out;
	}
	ss = mlfs_store_subsys_get(k->store, reg->name);
	if (!ss) {
		r = mlfs_store_subsys_create_defined(k->store, reg->name, MLFS_ORIGIN_KERNEL,
						     cols, &ss);
		if (r < 0) {
			k->log(LOG_ERR, "kernel subsystem %s: cannot create it: %s", reg->name,
			       strerror(-r));
			goto out;
		}
	}
	if (mlfs_subsys_origin(ss) != MLFS_ORIGIN_KERNEL) {
		k->log(LOG_ERR, "kernel subsystem %s: a %s subsystem has that name; ignored",
		       reg->name, mlfs_origin_name(mlfs_subsys_origin(ss)));
		goto out;
	}
	r = mlfs_store_subsys_define(k->store, ss, cols);
	if (r < 0) {
		k->log(LOG_ERR, "kernel subsystem %s: columns differ from the stored ones (%s); "
				"ignored", reg->name, strerror(-r));
		goto out;
	}
	ks = find_kid(k, reg->hdr.subsys);
	if (ks)
		forget_subsys(k, ks);
	if (k->nmap == KDEV_SUBSYS_MAX) {
		k->log(LOG_ERR, "kernel subsystem %s: more than %d subsystems; ignored", reg->name,
		       KDEV_SUBSYS_MAX);
		goto out;
	}
	k->unknown_kid = UINT32_MAX;
	pthread_mutex_lock(&k->lock);
	ks = &k->map[k->nmap++];
	memset(ks, 0, sizeof(*ks));
	ks->kid = reg->hdr.subsys;
	ks->ss = mlfs_subsys_ref(ss);
	ks->ncols = reg->ncols;
	for (i = 0; i < reg->ncols; i++)
		ks->scale[i] = reg->cols[i].scale;
	snprintf(ks->metric, sizeof(ks->metric), "%s", reg->metric);
	ks->lower_is_better = reg->flags & MLPROXY_F_LOWER_IS_BETTER;
	pthread_mutex_unlock(&k->lock);
	mlfs_subsys_set_mode_owner(ss, &owner);
	if (k->listener.registered)
		k->listener.registered(k->listener.ctx, ss,
				       reg->flags & MLPROXY_F_CLASSIFY  ? MLFS_KDEV_TARGET_CLASS
				       : reg->flags & MLPROXY_F_REGRESS ? MLFS_KDEV_TARGET_NUMBER
									: MLFS_KDEV_TARGET_ANY);

	snprintf(reason, sizeof(reason), "kernel: registered in mode %s",
		 mlfs_mode_name((enum mlfs_mode)reg->mode));
	mlfs_store_mode_set(k->store, ss, (enum mlfs_mode)reg->mode, reason);
	k->log(LOG_INFO, "%s: kernel subsystem registered, %u columns", reg->name, reg->ncols);
out:
	mlfs_subsys_unref(ss);
	free(cols);
}

/*
 * Each sample gets its recommendation at once, clamped by the kernel to the range;
 * no model, no recommendation, and the kernel keeps its default.
 */
static void recommend(struct mlfs_kdev *k, struct kdev_subsys *ks, const struct mlproxy_sample *s)
{
	double x[MLPROXY_COLUMNS_MAX], value;
	unsigned target = ks->ncols - 1;
	uint64_t version;
	int r;

	kdev_sample_features(s, ks->scale, x);
	if (k->listener.recommend(k->listener.ctx, ks->ss, x, target, s->hdr.seq, &value,
				  &version) < 0)
		return;
	r = mlfs_kdev_recommend(k, ks->ss, s->hdr.seq, llround(value * ks->scale[target]),
				version);
	if (r < 0 && r != ks->last_error)
		k->log(LOG_WARNING, "%s: recommendation not sent: %s", mlfs_subsys_name(ks->ss),
		       strerror(-r));
	ks->last_error = r;
}

static void on_sample(struct mlfs_kdev *k, struct kdev_subsys *ks, const struct mlproxy_sample *s)
{
	if (s->ncols != ks->ncols) {
		k->log(LOG_WARNING, "%s: kernel sample of %u values for %u columns; skipped",
		       mlfs_subsys_name(ks->ss), s->ncols, ks->ncols);
		return;
	}
	if (ks->batch && mlfs_batch_rows(ks->batch) == KDEV_BATCH_ROWS)
		flush_subsys(k, ks);
	if (!ks->batch && !(ks->batch = mlfs_batch_new(ks->ss, ks->ncols, KDEV_BATCH_ROWS)))
		return;
	kdev_sample_row(s, ks->scale, mlfs_batch_append(ks->batch));
	if (k->listener.recommend)
		recommend(k, ks, s);
}

static const enum mlfs_arm arms[MLPROXY_ARM_MAX] = {
	[MLPROXY_ARM_DEFAULT] = MLFS_ARM_DEFAULT,
	[MLPROXY_ARM_ML] = MLFS_ARM_ML,
};

/* A window: for each arm, its decisions and its mean metric, as feedback. */
static void on_window(struct mlfs_kdev *k, struct kdev_subsys *ks, const struct mlproxy_window *w)
{
	char mean[MLPROXY_NAME_LEN + 8];
	uint64_t decisions[MLPROXY_ARM_MAX];
	double means[MLPROXY_ARM_MAX];
	int a;

	snprintf(mean, sizeof(mean), "%s_mean", ks->metric);
	add_feedback(k, ks, -1, MLFS_ARM_NONE, "window", (double)w->window);
	for (a = 0; a < MLPROXY_ARM_MAX; a++) {
		const struct mlproxy_arm_stats *st = &w->arms[a];

		decisions[a] = st->decisions;
		means[a] = st->outcomes ? (double)st->metric_sum / (double)st->outcomes : NAN;
		add_feedback(k, ks, -1, arms[a], "decisions", (double)st->decisions);
		if (st->outcomes > 0)
			add_feedback(k, ks, -1, arms[a], mean, means[a]);
	}
	if (k->listener.window && w->mode < MLPROXY_MODE_MAX)
		k->listener.window(k->listener.ctx, ks->ss, (enum mlfs_mode)w->mode, decisions, means,
				   ks->lower_is_better);
}

static void on_outcome(struct mlfs_kdev *k, struct kdev_subsys *ks,
		       const struct mlproxy_outcome *o)
{
	if (o->arm >= MLPROXY_ARM_MAX)
		return;
	add_feedback(k, ks, o->recommendation ? (int64_t)o->recommendation : -1, arms[o->arm],
		     ks->metric, (double)o->metric);
	if (k->listener.outcome)
		k->listener.outcome(k->listener.ctx, ks->ss, o->recommendation,
				    o->arm == MLPROXY_ARM_ML,
				    (double)o->default_value / ks->scale[ks->ncols - 1],
				    (double)o->metric);
}

static void on_mode(struct mlfs_kdev *k, struct kdev_subsys *ks,
		    const struct mlproxy_mode_change *m)
{
	char reason[MLFS_REASON_MAX];
	int r;

	/* The kernel echoes a user's change back: nothing new to say about it. */
	if (mlfs_subsys_mode(ks->ss) == (enum mlfs_mode)m->mode)
		return;
	snprintf(reason, sizeof(reason), "kernel: %s", m->text);
	r = mlfs_store_mode_set(k->store, ks->ss, (enum mlfs_mode)m->mode, reason);
	if (r < 0)
		k->log(LOG_ERR, "%s: kernel mode change not stored: %s", mlfs_subsys_name(ks->ss),
		       strerror(-r));
	else
		k->log(LOG_INFO, "%s: mode %s, %s", mlfs_subsys_name(ks->ss),
		       mlfs_mode_name((enum mlfs_mode)m->mode), reason);
}

static void dispatch(struct mlfs_kdev *k, const struct mlproxy_hdr *hdr)
{
	struct kdev_subsys *ks;

	if (hdr->type == MLPROXY_REGISTER) {
		on_register(k, (const void *)hdr);
		return;
	}
	ks = find_kid(k, hdr->subsys);
	if (ks && hdr->type == MLPROXY_UNREGISTER) {
		k->log(LOG_INFO, "%s: kernel subsystem unregistered", mlfs_subsys_name(ks->ss));
		forget_subsys(k, ks);
		return;
	}
	if (!ks) {
		/* One line per unknown id, not one per record: a peer may send thousands. */
		if (hdr->subsys != k->unknown_kid)
			k->log(LOG_WARNING, "%s: record of type %u for subsystem id %u, which is not "
					    "registered; skipped", k->path, hdr->type, hdr->subsys);
		k->unknown_kid = hdr->subsys;
		return;
	}
	switch (hdr->type) {
	case MLPROXY_SAMPLE:
		on_sample(k, ks, (const void *)hdr);
		break;
	case MLPROXY_WINDOW:
		on_window(k, ks, (const void *)hdr);
		break;
	case MLPROXY_OUTCOME:
		on_outcome(k, ks, (const void *)hdr);
		break;
	case MLPROXY_MODE:
		on_mode(k, ks, (const void *)hdr);
		break;
	default:
		break;
	}
}

static void flush_all(struct mlfs_kdev *k)
{
	unsigned i;

	for (i = 0; i < k->nmap; i++)
		flush_subsys(k, &k->map[i]);
}

static void disconnect(struct mlfs_kdev *k)
{
	while (k->nmap > 0)
		forget_subsys(k, &k->map[k->nmap - 1]);
	pthread_mutex_lock(&k->lock);
	close(k->fd);
	k->fd = -1;
	pthread_mutex_unlock(&k->lock);
}

/* Wait for @fd to be readable or for the stop pipe; false when stopping. */
static bool wait_input(struct mlfs_kdev *k, int fd, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = k->stop_pipe[0], .events = POLLIN },
			       { .fd = fd, .events = POLLIN } };

	while (poll(p, fd >= 0 ? 2 : 1, timeout_ms) < 0)
		if (errno != EINTR)
			return false;
	return !(p[0].revents & POLLIN);
}

static void read_records(struct mlfs_kdev *k, char *buf, size_t cap)
{
	const struct mlproxy_hdr *hdr;
	size_t off = 0;
	ssize_t n;
	int r;

	n = read(k->fd, buf, cap);
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		k->log(LOG_WARNING, "%s: closed (%s); waiting for it to come back", k->path,
		       n == 0 ? "end of file" : strerror(errno));
		disconnect(k);
		/* A peer that accepts and hangs up at once must not make the reader spin. */
		wait_input(k, -1, KDEV_RETRY_MS);
		return;
	}
	while ((r = kdev_record_next(buf, (size_t)n, &off, &hdr)) > 0)
		dispatch(k, hdr);
	if (r < 0)
		k->log(LOG_ERR, "%s: malformed record at byte %zu of %zd; rest of the read skipped",
		       k->path, off, n);
	flush_all(k);
}

static void *reader_main(void *arg)
{
	struct mlfs_kdev *k = arg;
	size_t cap = 64 * MLPROXY_RECORD_MAX;
	char *buf = malloc(cap);

	while (buf) {
		int fd;

		fd = k->fd;
		if (fd >= 0) {
			if (!wait_input(k, fd, -1))
				break;
			read_records(k, buf, cap);
			continue;
		}
		fd = open_source(k->path);
		if (fd < 0) {
			if (!k->said_missing)
				k->log(LOG_INFO, "%s: %s; running without the kernel proxy", k->path,
				       strerror(-fd));
			k->said_missing = true;
			if (!wait_input(k, -1, KDEV_RETRY_MS))
				break;
			continue;
		}
		k->log(LOG_INFO, "%s: connected to the kernel proxy", k->path);
		k->said_missing = false;
		pthread_mutex_lock(&k->lock);
		k->fd = fd;
		pthread_mutex_unlock(&k->lock);
	}
	free(buf);
	return NULL;
}

int mlfs_kdev_start(struct mlfs_kdev *k)
{
	int r = -pthread_create(&k->thread, NULL, reader_main, k);

	k->running = r == 0;
	return r;
}

void mlfs_kdev_free(struct mlfs_kdev *k)
{
	if (!k)
		return;
	if (k->running) {
		if (write(k->stop_pipe[1], "", 1) < 0)
			k->log(LOG_ERR, "%s: cannot stop the reader: %s", k->path, strerror(errno));
		pthread_join(k->thread, NULL);
	}
	if (k->fd >= 0)
		disconnect(k);
	close(k->stop_pipe[0]);
	close(k->stop_pipe[1]);
	pthread_mutex_destroy(&k->lock);
	free(k->path);
	free(k);
}
