// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
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

#include "standin.h"

struct server {
	int listen_fd, client_fd, timer_fd;
	const char *stats_path;
	struct standin s; /* big: the record queue */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
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

static void accept_reader(struct server *srv)
{
	int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (srv->client_fd >= 0) {
		/* One reader at a time: the device says EBUSY; a socket can only hang up. */
		close(fd);
		return;
	}
	srv->client_fd = fd;
	standin_reader(&srv->s, true);
}

/* Records from the reader; a malformed write is refused whole, as the device does. */
static void take_input(struct server *srv)
{
	static unsigned char buf[64 * MLPROXY_RECORD_MAX];
	ssize_t n = recv(srv->client_fd, buf, sizeof(buf), 0);

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		close(srv->client_fd);
		srv->client_fd = -1;
		standin_reader(&srv->s, false);
		fprintf(stderr, "mlproxy-standin: reader gone: demo in emergency\n");
		return;
	}
	if (standin_input(&srv->s, buf, (size_t)n) < 0)
		fprintf(stderr, "mlproxy-standin: malformed record refused (EINVAL)\n");
}

/* Send queued records, as many as one message holds, like one read() of the device. */
static void send_output(struct server *srv)
{
	static unsigned char buf[64 * MLPROXY_RECORD_MAX];
	unsigned records;
	size_t len = standin_output(&srv->s, buf, sizeof(buf), &records);

	if (len > 0 && send(srv->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		standin_consume(&srv->s, records);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mlproxy-standin --socket PATH [--interval-ms N] [--stats FILE]\n"
		     "                       [--seed N] [--window N] [--promote] [--burst N]\n"
		     "Runs the demo subsystem of the mlproxy module in user space and serves\n"
		     "its device records on PATH, for `mlfs -o kdev=PATH`. --burst N: N\n"
		     "samples a tick instead of 1 (one decision a tick still), to load the reader.\n");
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
		{ "burst", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct server srv = { .client_fd = -1 };
	struct mlfs_policy_config cfg;
	const char *socket_path = NULL;
	long interval_ms = 10, burst = 1;
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
			srv.stats_path = optarg;
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
		case 'b':
			burst = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!socket_path || interval_ms <= 0 || interval_ms > 60000 || burst <= 0 ||
	    burst > STANDIN_QUEUE_RECORDS) {
		usage(stderr);
		return 2;
	}
	standin_init(&srv.s, &cfg, seed);
	srv.listen_fd = listen_on(socket_path);
	if (srv.listen_fd < 0) {
		fprintf(stderr, "mlproxy-standin: %s: %s\n", socket_path, strerror(-srv.listen_fd));
		return 1;
	}
	srv.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	its.it_interval.tv_sec = interval_ms / 1000;
	its.it_interval.tv_nsec = (interval_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	if (srv.timer_fd < 0 || timerfd_settime(srv.timer_fd, 0, &its, NULL) < 0) {
		perror("mlproxy-standin: timerfd");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (srv.stats_path)
		standin_write_stats(&srv.s, srv.stats_path);

	while (!stopping) {
		struct pollfd p[3] = {
			{ .fd = srv.listen_fd, .events = POLLIN },
			{ .fd = srv.timer_fd, .events = POLLIN },
			{ .fd = srv.client_fd, .events = POLLIN | (srv.s.count ? POLLOUT : 0) },
		};
		uint64_t expirations;

		if (poll(p, srv.client_fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("mlproxy-standin: poll");
			return 1;
		}
		if (p[0].revents & POLLIN)
			accept_reader(&srv);
		if ((p[1].revents & POLLIN) &&
		    read(srv.timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations)) {
			standin_tick(&srv.s);
			standin_samples(&srv.s, (unsigned)burst - 1);
			if (srv.stats_path)
				standin_write_stats(&srv.s, srv.stats_path);
		}
		if (srv.client_fd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
			take_input(&srv);
		if (srv.client_fd >= 0 && srv.s.count)
			send_output(&srv);
	}
	unlink(socket_path);
	return 0;
}
