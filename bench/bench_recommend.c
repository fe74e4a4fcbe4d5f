// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * bench_recommend: a fake kernel that times how long a sample takes to come
 * back as its recommendation through the real daemon. It listens on a
 * SOCK_SEQPACKET socket, as mlproxy-standin does, for `mlfs -o kdev=SOCKET`;
 * registers "kbench" (the 8 features of bench_ml_rows.h in fixed point, scale
 * 1000, and the label); sends TRAIN_ROWS samples for its dataset; then sends a
 * sample every 20 ms until a recommendation comes back, which means that a
 * model was uploaded (bench/run trains one with svm-train on the dataset.svm).
 * Then it times SAMPLES samples one at a time: clock_gettime() before the
 * send(), and after the recv() of the RECOMMEND record whose id is the sample's
 * seq.
 *
 * The baseline, interleaved sample by sample in the same run: the same round trip
 * to an echo peer, a child process on a socketpair that does what the daemon's
 * reader does without the work (poll, read the sample, write a RECOMMEND).
 *
 *   bench_recommend SOCKET TRAIN_ROWS SAMPLES
 *
 * Prints "e2e_p50 US e2e_p99 US e2e_max US echo_p50 US echo_p99 US agree PERCENT",
 * agree being the share of recommendations equal to the rows' labels (about
 * the model's accuracy: evidence that the model answered).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_ml_rows.h"
#include "bench_percentile.h"
#include "mlproxy_record.h"

#define KID 1
#define NCOLS (ML_FEATURES + 1)
#define TRAIN_BATCH 16
#define ACCEPT_MS 30000 /* the daemon retries every second */
#define MODEL_MS 300000 /* for bench/run to train and upload the model */
#define PROBE_MS 20
#define ANSWER_MS 5000 /* a recommendation later than this is lost */
#define WARMUP 500
#define BLOCK 1000	  /* which side goes first changes every BLOCK samples */
#define FIRST_ROW 2000000 /* timed rows are not training rows */

static void die(const char *what)
{
	fprintf(stderr, "bench_recommend: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "bench_recommend: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long number(const char *text)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v == 0) {
		fprintf(stderr, "bench_recommend: %s: not a count\n", text);
		exit(2);
	}
	return v;
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (strlen(path) >= sizeof(addr.sun_path))
		fail("socket path too long");
	strcpy(addr.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
		die(path);
	return fd;
}

static void send_all(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("send");
}

static void send_register(int fd)
{
	struct mlproxy_register reg;
	unsigned i;

	memset(&reg, 0, sizeof(reg));
	mlproxy_record_init(&reg.hdr, MLPROXY_REGISTER, sizeof(reg), KID);
	strcpy(reg.name, "kbench");
	strcpy(reg.metric, "throughput");
	reg.ncols = NCOLS;
	reg.mode = MLPROXY_MODE_RECOMMENDATION;
	reg.rec_min = 0;
	reg.rec_max = 1;
	reg.rec_default = 0;
	for (i = 0; i < ML_FEATURES; i++) {
		snprintf(reg.cols[i].name, sizeof(reg.cols[i].name), "f%u", i + 1);
		reg.cols[i].scale = ML_FIXED_SCALE;
	}
	strcpy(reg.cols[ML_FEATURES].name, "target");
	reg.cols[ML_FEATURES].scale = 1;
	if (mlproxy_record_check(&reg, sizeof(reg)) != (int)sizeof(reg))
		fail("the REGISTER record does not pass the record check");
	send_all(fd, &reg, sizeof(reg));
}

/* Row @row as a sample record numbered @seq at @buf; its size. */
static size_t put_sample(void *buf, uint64_t seq, uint64_t row)
{
	struct mlproxy_sample s;
	double x[ML_FEATURES];
	unsigned j;

	memset(&s, 0, sizeof(s));
	mlproxy_record_init(&s.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(NCOLS), KID);
	s.hdr.seq = seq;
	s.ncols = NCOLS;
	for (j = 0; j < ML_FEATURES; j++)
		s.values[j] = ml_fixed(row, j);
	s.values[ML_FEATURES] = ml_row(row, x);
	memcpy(buf, &s, MLPROXY_SAMPLE_SIZE(NCOLS));
	return MLPROXY_SAMPLE_SIZE(NCOLS);
}

/*
 * Wait up to @ms for a RECOMMEND record; with @id, for that one. Other records in
 * a message are skipped. Returns true and its value, or false on timeout.
 */
static bool recv_recommend(int fd, uint64_t id, int ms, int64_t *ret_value)
{
	char buf[MLPROXY_RECORD_MAX * 4];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		size_t off = 0;
		ssize_t n;

		if (poll(&p, 1, ms) == 0)
			return false;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			fail("the daemon closed the socket");
		if (n < 0)
			die("recv");
		while (off + sizeof(struct mlproxy_hdr) <= (size_t)n) {
			const struct mlproxy_hdr *h = (const void *)(buf + off);
			int size = mlproxy_record_check(h, (size_t)n - off);

			if (size < 0)
				fail("a malformed record came back");
			if (h->type == MLPROXY_RECOMMEND) {
				const struct mlproxy_recommend *r = (const void *)h;

				if (!id || r->id == id) {
					*ret_value = r->value;
					return true;
				}
			}
			off += (size_t)size;
		}
	}
}

/* The echo peer: what the daemon's reader does, without the work. */
static void echo_main(int fd)
{
	char buf[64 * MLPROXY_RECORD_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n, off = 0;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(1);
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			_exit(0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			_exit(1);
		}
		while (off < n) {
			const struct mlproxy_hdr *h = (const void *)(buf + off);
			struct mlproxy_recommend rec = { 0 };

			mlproxy_record_init(&rec.hdr, MLPROXY_RECOMMEND, sizeof(rec), h->subsys);
			rec.id = h->seq;
			rec.value = 1;
			if (write(fd, &rec, sizeof(rec)) != sizeof(rec))
				_exit(1);
			off += h->size;
		}
	}
}

/* One sample to @fd and its recommendation back: the microseconds it took. */
static double round_trip(int fd, uint64_t seq, uint64_t row, int64_t *ret_value)
{
	char buf[MLPROXY_RECORD_MAX];
	size_t len = put_sample(buf, seq, row);
	double t0 = now_s();

	send_all(fd, buf, len);
	if (!recv_recommend(fd, seq, ANSWER_MS, ret_value)) {
		fprintf(stderr, "bench_recommend: no recommendation for sample %llu within %d ms\n",
			(unsigned long long)seq, ANSWER_MS);
		exit(1);
	}
	return (now_s() - t0) * 1e6;
}

int main(int argc, char *argv[])
{
	unsigned long train_rows, samples, i, agree = 0;
	double *e2e, *echo, t_end;
	int lfd, kfd, pair[2], status;
	struct pollfd p;
	uint64_t seq = 0;
	char buf[TRAIN_BATCH * MLPROXY_RECORD_MAX];
	int64_t value;
	pid_t child;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SOCKET TRAIN_ROWS SAMPLES\n", argv[0]);
		return 2;
	}
	train_rows = number(argv[2]);
	samples = number(argv[3]);
	e2e = malloc(samples * sizeof(*e2e));
	echo = malloc(samples * sizeof(*echo));
	if (!e2e || !echo)
		die("malloc");
	signal(SIGPIPE, SIG_IGN);

	lfd = listen_at(argv[1]);
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, ACCEPT_MS) != 1)
		fail("the daemon did not connect");
	kfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (kfd < 0)
		die("accept");
	send_register(kfd);

	/* The dataset to train on, in messages of several samples, as a read of the device. */
	for (i = 0; i < train_rows;) {
		size_t len = 0;
		unsigned k;

		for (k = 0; k < TRAIN_BATCH && i < train_rows; k++, i++)
			len += put_sample(buf + len, ++seq, i);
		send_all(kfd, buf, len);
	}

	/* Until there is a model: no model, no recommendation. */
	t_end = now_s() + MODEL_MS / 1000.0;
	for (i = 0;; i++) {
		size_t len = put_sample(buf, ++seq, train_rows + i);

		send_all(kfd, buf, len);
		if (recv_recommend(kfd, 0, PROBE_MS, &value))
			break;
		if (now_s() > t_end)
			fail("no recommendation came back: was a model uploaded?");
	}
	/* Late answers to probes must not be taken for a timed sample's. */
	while (recv_recommend(kfd, 0, 100, &value))
		;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		die("socketpair");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(pair[0]);
		close(kfd);
		close(lfd);
		echo_main(pair[1]);
	}
	close(pair[1]);

	for (i = 0; i < WARMUP; i++) {
		round_trip(kfd, ++seq, FIRST_ROW + i, &value);
		round_trip(pair[0], ++seq, FIRST_ROW + i, &value);
	}
	for (i = 0; i < samples; i++) {
		uint64_t row = FIRST_ROW + WARMUP + i;
		double x[ML_FEATURES];
		bool first = (i / BLOCK) % 2 == 0;

		if (first)
			e2e[i] = round_trip(kfd, ++seq, row, &value);
		echo[i] = round_trip(pair[0], ++seq, row, &(int64_t){ 0 });
		if (!first)
			e2e[i] = round_trip(kfd, ++seq, row, &value);
		agree += value == ml_row(row, x);
	}
	close(pair[0]);
	waitpid(child, &status, 0);
	close(kfd);
	close(lfd);
	unlink(argv[1]);

	bench_sort(e2e, samples);
	bench_sort(echo, samples);
	printf("e2e_p50 %.1f e2e_p99 %.1f e2e_max %.1f echo_p50 %.1f echo_p99 %.1f agree %.1f\n",
	       bench_pct(e2e, samples, 50), bench_pct(e2e, samples, 99), e2e[samples - 1],
	       bench_pct(echo, samples, 50), bench_pct(echo, samples, 99),
	       100.0 * (double)agree / samples);
	free(e2e);
	free(echo);
	return 0;
}
