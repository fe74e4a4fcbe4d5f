// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlproxy-standin: the kernel side of mlfs in user space, for machines that
 * cannot load the mlproxy module. It runs the demo subsystem with the module's
 * own policy and workload code and speaks /dev/mlproxy's records on a UNIX
 * SOCK_SEQPACKET socket (`mlfs -o kdev=SOCKET`), one reader at a time, so the
 * daemon's kernel path runs on every test machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "demo_workload.h"
#include "mlproxy_record.h"
#include "policy.h"

#define DEMO_ID 1
#define QUEUE_RECORDS 512 /* like the module's per-subsystem buffer */

struct standin {
	int listen_fd, client_fd, timer_fd;
	const char *stats_path;
	struct mlfs_policy policy;
	struct demo_workload work;
	uint64_t seq; /* records produced, dropped ones included */
	uint64_t drops, malformed, recommendations;
	/* Records waiting for the reader: a ring of fixed slots. */
	unsigned char queue[QUEUE_RECORDS][MLPROXY_RECORD_MAX];
	unsigned head, count;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Queue a record for the reader; with nobody reading, or no room, it is dropped. */
static void emit(struct standin *s, void *rec, bool is_sample)
{
	struct mlproxy_hdr *hdr = rec;
	struct mlfs_policy_event ev;

	hdr->seq = ++s->seq;
	hdr->time_ns = now_ns();
	if (s->client_fd < 0)
		return;
	if (s->count == QUEUE_RECORDS) {
		s->drops++;
		if (is_sample)
			mlfs_policy_dropped(&s->policy, 1, &ev);
		return;
	}
	memcpy(s->queue[(s->head + s->count++) % QUEUE_RECORDS], rec, hdr->size);
}

static void emit_mode(struct standin *s, enum mlfs_mode mode, enum mlfs_reason reason)
{
	struct mlproxy_mode_change rec = { 0 };

	mlproxy_record_init(&rec.hdr, MLPROXY_MODE, sizeof(rec), DEMO_ID);
	rec.mode = (uint32_t)mode;
	rec.reason = (uint32_t)reason;
	snprintf(rec.text, sizeof(rec.text), "%s", mlfs_reason_text(reason));
	emit(s, &rec, false);
}

static void emit_register(struct standin *s)
{
	struct mlproxy_register rec = { 0 };
	int i;

	mlproxy_record_init(&rec.hdr, MLPROXY_REGISTER, sizeof(rec), DEMO_ID);
	snprintf(rec.name, sizeof(rec.name), "demo");
	snprintf(rec.metric, sizeof(rec.metric), "throughput");
	rec.ncols = DEMO_COLUMNS;
	rec.mode = (uint32_t)s->policy.mode;
	rec.rec_min = DEMO_BATCH_MIN;
	rec.rec_max = DEMO_BATCH_MAX;
	rec.rec_default = DEMO_BATCH_DEFAULT;
	for (i = 0; i < DEMO_COLUMNS; i++) {
		snprintf(rec.cols[i].name, sizeof(rec.cols[i].name), "%s", demo_column_names[i]);
		rec.cols[i].scale = 1;
	}
	emit(s, &rec, false);
}

static void report_event(struct standin *s, const struct mlfs_policy_event *ev)
{
	if (ev->window_closed) {
		struct mlproxy_window rec = { 0 };
		int a;

		mlproxy_record_init(&rec.hdr, MLPROXY_WINDOW, sizeof(rec), DEMO_ID);
		rec.window = ev->window;
		rec.mode = (uint32_t)ev->window_mode;
		for (a = 0; a < MLPROXY_ARM_MAX; a++) {
			rec.arms[a].decisions = ev->arms[a].decisions;
			rec.arms[a].outcomes = ev->arms[a].outcomes;
			rec.arms[a].metric_sum = ev->arms[a].metric_sum;
		}
		emit(s, &rec, false);
	}
	if (ev->mode_changed)
		emit_mode(s, ev->mode, ev->reason);
}

/* One tick of the demo subsystem, as mlproxy_demo.ko does it. */
static void tick(struct standin *s)
{
	struct mlproxy_sample sample = { 0 };
	struct mlproxy_outcome out = { 0 };
	struct mlfs_policy_event ev;
	struct mlfs_decision d;
	s64 row[DEMO_COLUMNS];
	int i;

	demo_workload_tick(&s->work, row);
	mlproxy_record_init(&sample.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(DEMO_COLUMNS),
			    DEMO_ID);
	sample.ncols = DEMO_COLUMNS;
	for (i = 0; i < DEMO_COLUMNS; i++)
		sample.values[i] = row[i];
	emit(s, &sample, true);

	mlfs_policy_decide(&s->policy, demo_workload_default(&s->work), &d);
	mlproxy_record_init(&out.hdr, MLPROXY_OUTCOME, sizeof(out), DEMO_ID);
	out.decision = d.number;
	out.recommendation = d.recommendation;
	out.arm = d.arm == MLFS_POLICY_ML ? MLPROXY_ARM_ML : MLPROXY_ARM_DEFAULT;
	out.value = d.value;
	out.default_value = demo_workload_default(&s->work);
	out.metric = demo_workload_throughput(&s->work, d.value);
	emit(s, &out, false);
	mlfs_policy_outcome(&s->policy, d.arm, out.metric, &ev);
	report_event(s, &ev);
}

/* What /sys/kernel/mlproxy/demo/stats shows, for tests to read. */
static void write_stats(struct standin *s)
{
	const struct mlfs_policy *p = &s->policy;
	char tmp[4096];
	FILE *f;

	if (!s->stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->stats_path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "mode: %s\nreason: %s\nconnected: %d\ndecisions: %llu\n"
		   "decisions_default: %llu\ndecisions_ml: %llu\nwindows: %llu\ndrops: %llu\n"
		   "malformed: %llu\nrecommendations: %llu\nrecommendation_id: %llu\n"
		   "recommendation_value: %lld\n",
		mlfs_mode_name(p->mode), mlfs_reason_text(p->reason), p->connected,
		(unsigned long long)p->decisions,
		(unsigned long long)p->arms[MLFS_POLICY_DEFAULT].decisions,
		(unsigned long long)p->arms[MLFS_POLICY_ML].decisions,
		(unsigned long long)p->window, (unsigned long long)s->drops,
		(unsigned long long)s->malformed, (unsigned long long)s->recommendations,
		(unsigned long long)p->rec_id, (long long)p->rec_value);
	fclose(f);
	rename(tmp, s->stats_path);
}

static void set_connected(struct standin *s, bool up)
{
	struct mlfs_policy_event ev;

	/* A new reader learns the subsystem first, then why its mode changes. */
	if (up)
		emit_register(s);
	mlfs_policy_connected(&s->policy, up, &ev);
	if (up)
		report_event(s, &ev);
	else
		s->head = s->count = 0;
}

/* Records from the reader: checked one by one, applied only if all are good. */
static void take_input(struct standin *s)
{
	unsigned char buf[64 * MLPROXY_RECORD_MAX];
	struct mlfs_policy_event ev;
	ssize_t n = recv(s->client_fd, buf, sizeof(buf), 0);
	size_t off;
	int size;

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		close(s->client_fd);
		s->client_fd = -1;
		set_connected(s, false);
		fprintf(stderr, "mlproxy-standin: reader gone: demo in emergency\n");
		return;
	}
	for (off = 0; off < (size_t)n; off += (size_t)size) {
		const struct mlproxy_hdr *hdr = (const void *)(buf + off);

		size = mlproxy_record_check(hdr, (size_t)n - off);
		if (size < 0 || hdr->subsys != DEMO_ID ||
		    (hdr->type != MLPROXY_MODE && hdr->type != MLPROXY_RECOMMEND)) {
			s->malformed++;
			fprintf(stderr, "mlproxy-standin: malformed record refused (EINVAL)\n");
			return;
		}
	}
	for (off = 0; off < (size_t)n; off += (size_t)size) {
		const struct mlproxy_hdr *hdr = (const void *)(buf + off);

		size = (int)hdr->size;
		if (hdr->type == MLPROXY_MODE) {
			const struct mlproxy_mode_change *m = (const void *)hdr;

			mlfs_policy_set_mode(&s->policy, (enum mlfs_mode)m->mode, &ev);
			report_event(s, &ev);
		} else {
			const struct mlproxy_recommend *r = (const void *)hdr;

			mlfs_policy_recommend(&s->policy, r->id, r->value);
			s->recommendations++;
		}
	}
}

/* Send queued records, as many as one message holds, like one read() of the device. */
static void send_output(struct standin *s)
{
	static unsigned char buf[64 * MLPROXY_RECORD_MAX];
	size_t len = 0;
	unsigned taken = 0;

	while (taken < s->count) {
		const struct mlproxy_hdr *hdr = (const void *)s->queue[(s->head + taken) %
								       QUEUE_RECORDS];

		if (len + hdr->size > sizeof(buf))
			break;
		memcpy(buf + len, hdr, hdr->size);
		len += hdr->size;
		taken++;
	}
	if (len == 0 || send(s->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return;
	s->head = (s->head + taken) % QUEUE_RECORDS;
	s->count -= taken;
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Root only, like /dev/mlproxy. */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 4) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void accept_reader(struct standin *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (s->client_fd >= 0) {
		/* One reader at a time: the device says EBUSY; a socket can only hang up. */
		close(fd);
		return;
	}
	s->client_fd = fd;
	set_connected(s, true);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mlproxy-standin --socket PATH [--interval-ms N] [--stats FILE]\n"
		     "                       [--seed N] [--window N] [--promote]\n"
		     "Runs the demo subsystem of the mlproxy module in user space and serves\n"
		     "its device records on PATH, for `mlfs -o kdev=PATH`.\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "stats", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "promote", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct standin s;
	struct mlfs_policy_config cfg;
	const char *socket_path = NULL;
	long interval_ms = 10;
	unsigned long long seed = 1;
	struct itimerspec its = { 0 };
	int c;

	mlfs_policy_config_default(&cfg);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			break;
		case 't':
			s.stats_path = optarg;
			break;
		case 'r':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			cfg.window = (u32)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			cfg.flags |= MLFS_POLICY_PROMOTE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!socket_path || interval_ms <= 0 || interval_ms > 60000) {
		usage(stderr);
		return 2;
	}
	mlfs_policy_init(&s.policy, &cfg, MLFS_MODE_LEARNING, DEMO_BATCH_MIN, DEMO_BATCH_MAX, seed);
	demo_workload_init(&s.work, seed);
	s.client_fd = -1;
	/* Nobody reads yet: the module starts the same way, before the daemon opens it. */
	set_connected(&s, false);
	s.listen_fd = listen_on(socket_path);
	if (s.listen_fd < 0) {
		fprintf(stderr, "mlproxy-standin: %s: %s\n", socket_path, strerror(-s.listen_fd));
		return 1;
	}
	s.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	its.it_interval.tv_sec = interval_ms / 1000;
	its.it_interval.tv_nsec = (interval_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	if (s.timer_fd < 0 || timerfd_settime(s.timer_fd, 0, &its, NULL) < 0) {
		perror("mlproxy-standin: timerfd");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	write_stats(&s);

	while (!stopping) {
		struct pollfd p[3] = {
			{ .fd = s.listen_fd, .events = POLLIN },
			{ .fd = s.timer_fd, .events = POLLIN },
			{ .fd = s.client_fd, .events = POLLIN | (s.count ? POLLOUT : 0) },
		};
		uint64_t expirations;

		if (poll(p, s.client_fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("mlproxy-standin: poll");
			return 1;
		}
		if (p[0].revents & POLLIN)
			accept_reader(&s);
		if ((p[1].revents & POLLIN) &&
		    read(s.timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations)) {
			tick(&s);
			write_stats(&s);
		}
		if (s.client_fd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
			take_input(&s);
		if (s.client_fd >= 0 && s.count)
			send_output(&s);
	}
	unlink(socket_path);
	return 0;
}
