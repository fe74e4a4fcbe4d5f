// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The kernel proxy's reader against a fake kernel in the test process: a
 * SOCK_SEQPACKET socket in a temporary directory that speaks /dev/mlproxy's
 * records, as the stand-in does. What the kernel registers, samples, measures and
 * decides must show in the store; users' mode changes and recommendations must
 * reach the kernel; a malformed record, an unregistration, the kernel going away
 * and coming back, and no kernel at all must leave the daemon running.
 */
#include <check.h>
#include <stdatomic.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "mlproxy_record.h"

#define WAIT_MS 10000  /* what "eventually" means; every wait ends as soon as it can */
#define ACCEPT_MS 5000 /* the reader retries every second */
#define QUIET_MS 200   /* how long to listen for a record that must not come */
#define KID 7	       /* the fake kernel's id for its subsystem */
#define NCOLS 3

static char dir[64];
static char db_path[128];
static char sock_path[128];
static struct mlfs_store *store;
static struct mlfs_kdev *kdev;
static int listen_fd = -1; /* the fake kernel's socket */
static int kernel_fd = -1; /* its end of the reader's connection */

/* ---- the log the collector writes to ---- */

#define LOG_LINES 128

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[LOG_LINES][256]; /* log_lock */
static unsigned log_n;		      /* log_lock */

static void test_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void test_log(int priority, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_n < LOG_LINES) {
		va_start(ap, fmt);
		vsnprintf(log_text[log_n++], sizeof(log_text[0]), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&log_lock);
}

/* Lines of the log that contain @needle. */
static unsigned log_count(const char *needle)
{
	unsigned i, n = 0;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_n; i++)
		if (strstr(log_text[i], needle))
			n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* ---- bounded waits ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Poll @pred until it holds or WAIT_MS pass; its last answer. */
static bool eventually(bool (*pred)(const void *arg, uint64_t want), const void *arg, uint64_t want)
{
	int64_t deadline = now_ms() + WAIT_MS;

	while (!pred(arg, want)) {
		if (now_ms() > deadline)
			return pred(arg, want);
		sleep_ms(5);
	}
	return true;
}

static bool logged(const void *needle, uint64_t n)
{
	return log_count(needle) >= n;
}

static bool has_rows(const void *ss, uint64_t n)
{
	struct mlfs_subsys_status st;

	mlfs_subsys_status((struct mlfs_subsys *)ss, &st);
	return st.rows >= n;
}

static bool has_feedback(const void *ss, uint64_t n)
{
	struct mlfs_subsys_status st;

	mlfs_subsys_status((struct mlfs_subsys *)ss, &st);
	return st.feedback >= n;
}

static bool in_mode(const void *ss, uint64_t mode)
{
	return mlfs_subsys_mode((struct mlfs_subsys *)ss) == (enum mlfs_mode)mode;
}

static bool connected(const void *k, uint64_t want)
{
	return mlfs_kdev_connected((struct mlfs_kdev *)k) == (bool)want;
}

/* ---- the fake kernel ---- */

static int listen_at(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(addr.sun_path));
	strcpy(addr.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* The kernel goes away: nobody listens at the path any more. */
static void stop_listening(void)
{
	close(listen_fd);
	listen_fd = -1;
	ck_assert_int_eq(unlink(sock_path), 0);
}

/* Wait for the reader to connect; a reader that never does fails the test. */
static int accept_reader(void)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };
	int fd;

	ck_assert_msg(poll(&p, 1, ACCEPT_MS) == 1, "the reader did not connect within %d ms",
		      ACCEPT_MS);
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* One message of @len bytes, as one read() of the device returns it. */
static void kernel_send(const void *buf, size_t len)
{
	ck_assert_int_eq(send(kernel_fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* The next message the reader wrote, 0 at its end of file, or -ETIMEDOUT. */
static ssize_t kernel_recv(void *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = kernel_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) == 0)
		return -ETIMEDOUT;
	n = recv(kernel_fd, buf, cap, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

static void send_register_flags(const char *name, uint32_t kid, enum mlproxy_mode mode,
				uint32_t flags)
{
	static const char *const names[NCOLS] = { "a", "b", "target" };
	static const uint32_t scales[NCOLS] = { 1, 1000, 1 };
	struct mlproxy_register reg;
	unsigned i;

	memset(&reg, 0, sizeof(reg));
	mlproxy_record_init(&reg.hdr, MLPROXY_REGISTER, sizeof(reg), kid);
	snprintf(reg.name, sizeof(reg.name), "%s", name);
	strcpy(reg.metric, "lat");
	reg.ncols = NCOLS;
	reg.flags = flags;
	reg.mode = mode;
	reg.rec_min = 1;
	reg.rec_max = 100;
	reg.rec_default = 10;
	for (i = 0; i < NCOLS; i++) {
		strcpy(reg.cols[i].name, names[i]);
		reg.cols[i].scale = scales[i];
	}
	ck_assert_int_eq(mlproxy_record_check(&reg, sizeof(reg)), sizeof(reg));
	kernel_send(&reg, sizeof(reg));
}

static void send_register(const char *name, uint32_t kid, enum mlproxy_mode mode)
{
	send_register_flags(name, kid, mode, MLPROXY_F_LOWER_IS_BETTER);
}

/* Append a sample of @ncols values (i, 1500 * i, -i, ...) at @buf + *off. */
static void put_sample(char *buf, size_t *off, uint32_t kid, unsigned ncols, int64_t i)
{
	struct mlproxy_sample s;
	unsigned c;

	memset(&s, 0, sizeof(s));
	mlproxy_record_init(&s.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(ncols), kid);
	s.ncols = ncols;
	for (c = 0; c < ncols; c++)
		s.values[c] = c == 0 ? i : c == 1 ? 1500 * i : -i;
	memcpy(buf + *off, &s, MLPROXY_SAMPLE_SIZE(ncols));
	*off += MLPROXY_SAMPLE_SIZE(ncols);
}

/* Samples first..first+n-1 in one message. */
static void send_samples(uint32_t kid, int64_t first, unsigned n)
{
	char buf[16 * MLPROXY_SAMPLE_SIZE(NCOLS)];
	size_t off = 0;
	unsigned i;

	ck_assert_uint_le(n, 16);
	for (i = 0; i < n; i++)
		put_sample(buf, &off, kid, NCOLS, first + i);
	kernel_send(buf, off);
}

static void send_mode(uint32_t kid, enum mlproxy_mode mode, const char *text)
{
	struct mlproxy_mode_change m;

	memset(&m, 0, sizeof(m));
	mlproxy_record_init(&m.hdr, MLPROXY_MODE, sizeof(m), kid);
	m.mode = mode;
	snprintf(m.text, sizeof(m.text), "%s", text);
	kernel_send(&m, sizeof(m));
}

/* Start the reader on the fake kernel's socket and take its connection. */
static void connect_reader(void)
{
	ck_assert_int_eq(mlfs_kdev_new(sock_path, store, test_log, &kdev), 0);
	ck_assert_int_eq(mlfs_kdev_start(kdev), 0);
	kernel_fd = accept_reader();
	ck_assert(eventually(connected, kdev, true));
}

/* Register "fake" as kernel subsystem @kid, the @nth time; its store subsystem. */
static struct mlfs_subsys *register_fake(uint32_t kid, unsigned nth)
{
	struct mlfs_subsys *ss;

	send_register("fake", kid, MLPROXY_MODE_LEARNING);
	ck_assert_msg(eventually(logged, "fake: kernel subsystem registered", nth),
		      "registration %u not seen", nth);
	ss = mlfs_store_subsys_get(store, "fake");
	ck_assert_ptr_nonnull(ss);
	return ss;
}

/* Everything the kernel sent so far has been handled: one more row came in. */
static void barrier(struct mlfs_subsys *ss, int64_t i)
{
	struct mlfs_subsys_status st;

	mlfs_subsys_status(ss, &st);
	send_samples(KID, i, 1);
	ck_assert(eventually(has_rows, ss, st.rows + 1));
}

/* ---- fixture ---- */

static void setup(void)
{
	struct mlfs_store_options opts = { .path = db_path };
	char err[256];
	int r;

	snprintf(dir, sizeof(dir), "/tmp/mlfs-test-kdev-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof(db_path), "%s/mlfs.db", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/kdev.sock", dir);
	r = mlfs_store_open(&opts, &store, err, sizeof(err));
	ck_assert_msg(r == 0, "open: %s (%d)", err, r);
	ck_assert_int_eq(mlfs_store_start(store), 0);
	listen_fd = listen_at(sock_path);
	kdev = NULL;
	kernel_fd = -1;
	log_n = 0;
}

static void teardown(void)
{
	char cmd[128];

	mlfs_kdev_free(kdev);
	kdev = NULL;
	if (kernel_fd >= 0)
		close(kernel_fd);
	if (listen_fd >= 0)
		close(listen_fd);
	kernel_fd = listen_fd = -1;
	mlfs_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- tests ---- */

START_TEST(test_register_makes_a_kernel_subsystem)
{
	struct mlfs_columns *cols = calloc(1, sizeof(*cols));
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss;

	connect_reader();
	ck_assert_uint_eq(log_count("connected to the kernel proxy"), 1);
	ss = register_fake(KID, 1);
	ck_assert_uint_eq(log_count("fake: kernel subsystem registered, 3 columns"), 1);
	ck_assert_int_eq(mlfs_subsys_origin(ss), MLFS_ORIGIN_KERNEL);
	mlfs_subsys_columns(ss, cols);
	ck_assert_uint_eq(cols->n, 3);
	ck_assert_uint_eq(cols->target, 2);
	ck_assert_str_eq(cols->names[0], "a");
	ck_assert_str_eq(cols->names[1], "b");
	ck_assert_str_eq(cols->names[2], "target");
	/* Scale 1 is a plain integer; any other scale is fixed point, i.e. a real. */
	ck_assert_int_eq(cols->types[0], MLFS_VALUE_INT);
	ck_assert_int_eq(cols->types[1], MLFS_VALUE_REAL);
	ck_assert_int_eq(cols->types[2], MLFS_VALUE_INT);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_LEARNING);
	ck_assert_uint_eq(st.rows, 0);
	free(cols);
	mlfs_subsys_unref(ss);
}
END_TEST

static atomic_int declared = -1;

static void on_registered(void *ctx, struct mlfs_subsys *ss, enum mlfs_kdev_target target)
{
	atomic_store(&declared, (int)target);
}

static bool declared_is(const void *arg, uint64_t want)
{
	return atomic_load(&declared) == (int)want;
}

/* What the kernel says its target wants reaches the daemon's listener. */
START_TEST(test_register_declares_the_target)
{
	const struct mlfs_source_listener listener = { .registered = on_registered };

	ck_assert_int_eq(mlfs_kdev_new(sock_path, store, test_log, &kdev), 0);
	mlfs_kdev_set_listener(kdev, &listener);
	ck_assert_int_eq(mlfs_kdev_start(kdev), 0);
	kernel_fd = accept_reader();
	send_register_flags("fake", KID, MLPROXY_MODE_LEARNING, MLPROXY_F_CLASSIFY);
	ck_assert(eventually(declared_is, NULL, MLFS_KDEV_TARGET_CLASS));
	send_register_flags("fake", KID, MLPROXY_MODE_LEARNING, MLPROXY_F_REGRESS);
	ck_assert(eventually(declared_is, NULL, MLFS_KDEV_TARGET_NUMBER));
	send_register_flags("fake", KID, MLPROXY_MODE_LEARNING, 0);
	ck_assert(eventually(declared_is, NULL, MLFS_KDEV_TARGET_ANY));
}
END_TEST

START_TEST(test_register_in_another_mode)
{
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss;

	connect_reader();
	send_register("fake", KID, MLPROXY_MODE_EMERGENCY);
	ck_assert(eventually(logged, "fake: kernel subsystem registered", 1));
	ss = mlfs_store_subsys_get(store, "fake");
	ck_assert_ptr_nonnull(ss);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_EMERGENCY);
	ck_assert_str_eq(st.mode_reason, "kernel: registered in mode emergency");
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_samples_become_rows)
{
	struct mlfs_subsys_status st;
	const struct mlfs_value *row;
	struct mlfs_cursor *c;
	struct mlfs_subsys *ss;
	char buf[8 * MLPROXY_SAMPLE_SIZE(NCOLS)];
	size_t off = 0;
	int64_t i = 0;

	connect_reader();
	ss = register_fake(KID, 1);
	send_samples(KID, 1, 3);
	/* One message: two rows, a short sample and one for a subsystem nobody registered. */
	put_sample(buf, &off, KID, NCOLS, 4);
	put_sample(buf, &off, KID, 2, 100);
	put_sample(buf, &off, KID + 1, NCOLS, 101);
	put_sample(buf, &off, KID, NCOLS, 5);
	kernel_send(buf, off);
	ck_assert(eventually(has_rows, ss, 5));
	ck_assert(eventually(logged, "fake: kernel sample of 2 values for 3 columns; skipped", 1));

	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 5);
	ck_assert_uint_eq(st.drops, 0);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &c), 0);
	while (mlfs_cursor_next(c, &row) == 1) {
		i++;
		ck_assert_int_eq(row[0].type, MLFS_VALUE_INT);
		ck_assert_int_eq(row[0].i, i);
		ck_assert_int_eq(row[1].type, MLFS_VALUE_REAL);
		ck_assert_double_eq_tol(row[1].r, 1.5 * (double)i, 1e-9);
		ck_assert_int_eq(row[2].type, MLFS_VALUE_INT);
		ck_assert_int_eq(row[2].i, -i);
	}
	ck_assert_int_eq(i, 5);
	mlfs_cursor_close(c);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_windows_and_outcomes_become_feedback)
{
	static const struct {
		int64_t rec;
		enum mlfs_arm arm;
		const char *metric;
		double value;
	} want[] = {
		{ -1, MLFS_ARM_NONE, "window", 3 },
		{ -1, MLFS_ARM_DEFAULT, "decisions", 10 },
		{ -1, MLFS_ARM_DEFAULT, "lat_mean", 25 },
		{ -1, MLFS_ARM_ML, "decisions", 5 }, /* no outcomes: no mean */
		{ 42, MLFS_ARM_ML, "lat", 17 },
		{ -1, MLFS_ARM_DEFAULT, "lat", 30 },
	};
	const struct mlfs_feedback_row *fr;
	struct mlfs_feedback_cursor *fc;
	struct mlfs_subsys_status st;
	struct mlproxy_window w;
	struct mlproxy_outcome o[3];
	struct mlfs_subsys *ss;
	unsigned i;

	connect_reader();
	ss = register_fake(KID, 1);
	memset(&w, 0, sizeof(w));
	mlproxy_record_init(&w.hdr, MLPROXY_WINDOW, sizeof(w), KID);
	w.window = 3;
	w.mode = MLPROXY_MODE_LEARNING;
	w.arms[MLPROXY_ARM_DEFAULT] = (struct mlproxy_arm_stats){ 10, 4, 100 };
	w.arms[MLPROXY_ARM_ML] = (struct mlproxy_arm_stats){ 5, 0, 0 };
	kernel_send(&w, sizeof(w));

	/* Three outcomes in one message; the last names no arm the daemon knows. */
	memset(o, 0, sizeof(o));
	for (i = 0; i < 3; i++) {
		mlproxy_record_init(&o[i].hdr, MLPROXY_OUTCOME, sizeof(o[i]), KID);
		o[i].decision = i + 1;
	}
	o[0].recommendation = 42;
	o[0].arm = MLPROXY_ARM_ML;
	o[0].value = 20;
	o[0].metric = 17;
	o[1].arm = MLPROXY_ARM_DEFAULT;
	o[1].value = 10;
	o[1].metric = 30;
	o[2].arm = MLPROXY_ARM_MAX;
	o[2].metric = 99;
	kernel_send(o, sizeof(o));

	ck_assert(eventually(has_feedback, ss, 6));
	barrier(ss, 1);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.feedback, 6);
	ck_assert_int_eq(mlfs_feedback_cursor_open(store, ss, &fc), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &fr), 1);
		ck_assert_str_eq(fr->source, "kernel");
		ck_assert_int_eq(fr->fb.recommendation, want[i].rec);
		ck_assert_int_eq(fr->fb.arm, want[i].arm);
		ck_assert_str_eq(fr->fb.metric, want[i].metric);
		ck_assert_double_eq(fr->fb.value, want[i].value);
	}
	ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &fr), 0);
	mlfs_feedback_cursor_close(fc);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_kernel_changes_the_mode)
{
	struct mlfs_subsys_status before, st;
	struct mlfs_subsys *ss;

	connect_reader();
	ss = register_fake(KID, 1);
	mlfs_subsys_status(ss, &before);
	send_mode(KID, MLPROXY_MODE_COLLABORATION, "ML worse than default");
	ck_assert(eventually(in_mode, ss, MLFS_MODE_COLLABORATION));
	mlfs_subsys_status(ss, &st);
	ck_assert_str_eq(st.mode_reason, "kernel: ML worse than default");
	ck_assert_uint_eq(st.mode_changes, before.mode_changes + 1);
	ck_assert(eventually(logged, "fake: mode collaboration, kernel: ML worse than default", 1));
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_user_mode_change_reaches_the_kernel)
{
	struct mlproxy_mode_change m;
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss;
	ssize_t n;

	connect_reader();
	ss = register_fake(KID, 1);
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test"), 0);
	n = kernel_recv(&m, sizeof(m), WAIT_MS);
	ck_assert_int_eq(n, sizeof(m));
	ck_assert_int_eq(mlproxy_record_check(&m, (size_t)n), sizeof(m));
	ck_assert_uint_eq(m.hdr.type, MLPROXY_MODE);
	ck_assert_uint_eq(m.hdr.subsys, KID);
	ck_assert_uint_eq(m.mode, MLPROXY_MODE_RECOMMENDATION);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_RECOMMENDATION);
	ck_assert_str_eq(st.mode_reason, "test");

	/* The kernel echoes the change: the user's reason stays, history gets no repeat. */
	send_mode(KID, MLPROXY_MODE_RECOMMENDATION, "set by the daemon");
	barrier(ss, 1);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_RECOMMENDATION);
	ck_assert_str_eq(st.mode_reason, "test");
	ck_assert_uint_eq(log_count("fake: mode"), 0);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_recommendations_reach_the_kernel)
{
	struct mlproxy_recommend rec;
	struct mlfs_subsys *ss, *mine;
	ssize_t n;

	connect_reader();
	ss = register_fake(KID, 1);
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, ss, 42, 77, 3), 0);
	n = kernel_recv(&rec, sizeof(rec), WAIT_MS);
	ck_assert_int_eq(n, sizeof(rec));
	ck_assert_int_eq(mlproxy_record_check(&rec, (size_t)n), sizeof(rec));
	ck_assert_uint_eq(rec.hdr.type, MLPROXY_RECOMMEND);
	ck_assert_uint_eq(rec.hdr.subsys, KID);
	ck_assert_uint_eq(rec.id, 42);
	ck_assert_int_eq(rec.value, 77);
	ck_assert_uint_eq(rec.model_version, 3);

	/* Refused ones send nothing. */
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, ss, 0, 77, 3), -EINVAL);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "mine", MLFS_ORIGIN_USER, &mine), 0);
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, mine, 43, 77, 3), -ENOENT);
	ck_assert_int_eq(kernel_recv(&rec, sizeof(rec), QUIET_MS), -ETIMEDOUT);
	mlfs_subsys_unref(mine);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_malformed_record_is_skipped)
{
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss;
	char buf[3 * MLPROXY_SAMPLE_SIZE(NCOLS)];
	const size_t at = MLPROXY_SAMPLE_SIZE(NCOLS);
	size_t off = 0;
	uint32_t bad = 0xdeadbeef;
	char line[64];

	connect_reader();
	ss = register_fake(KID, 1);
	/*
	 * A good sample, one with a bad magic, a good one: what came before the bad
	 * record is taken, the rest of that read cannot be trusted.
	 */
	put_sample(buf, &off, KID, NCOLS, 1);
	put_sample(buf, &off, KID, NCOLS, 2);
	memcpy(buf + at, &bad, sizeof(bad));
	put_sample(buf, &off, KID, NCOLS, 3);
	kernel_send(buf, off);
	ck_assert(eventually(has_rows, ss, 1));
	snprintf(line, sizeof(line), "malformed record at byte %zu of %zu", at, off);
	ck_assert_uint_eq(log_count(line), 1);
	send_samples(KID, 4, 2);
	ck_assert(eventually(has_rows, ss, 3));
	ck_assert_uint_eq(log_count("malformed"), 1);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 3);
	ck_assert(mlfs_kdev_connected(kdev));
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_unregister_detaches_the_mode_owner)
{
	struct mlproxy_hdr unreg;
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss, *again;
	char buf[sizeof(struct mlproxy_recommend)];

	connect_reader();
	ss = register_fake(KID, 1);
	send_samples(KID, 1, 4);
	ck_assert(eventually(has_rows, ss, 4));
	mlproxy_record_init(&unreg, MLPROXY_UNREGISTER, sizeof(unreg), KID);
	kernel_send(&unreg, sizeof(unreg));
	/* Records are handled in order: once the next one is, the unregistration is done. */
	send_register("other", KID + 1, MLPROXY_MODE_LEARNING);
	ck_assert(eventually(logged, "other: kernel subsystem registered", 1));
	ck_assert_uint_eq(log_count("fake: kernel subsystem unregistered"), 1);

	/* Without its kernel, a kernel subsystem's mode cannot change. */
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test"),
			 -ENODEV);
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, ss, 42, 77, 3), -ENOENT);
	ck_assert_int_eq(kernel_recv(buf, sizeof(buf), QUIET_MS), -ETIMEDOUT);
	ck_assert(mlfs_kdev_connected(kdev));
	/* Its late samples land nowhere; what it left stays, and is there when it returns. */
	send_samples(KID, 5, 2);
	again = register_fake(KID, 2);
	ck_assert_ptr_eq(again, ss);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_LEARNING);
	ck_assert_uint_eq(st.rows, 4);
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test"), 0);
	mlfs_subsys_unref(again);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_reconnects_when_the_kernel_comes_back)
{
	struct mlproxy_recommend rec;
	struct mlproxy_mode_change m;
	struct mlfs_subsys_status st;
	struct mlfs_subsys *ss, *again;
	int64_t id;

	connect_reader();
	ss = register_fake(KID, 1);
	id = mlfs_subsys_id(ss);
	send_samples(KID, 1, 3);
	ck_assert(eventually(has_rows, ss, 3));
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test"), 0);
	ck_assert_int_eq(kernel_recv(&m, sizeof(m), WAIT_MS), sizeof(m));
	ck_assert_uint_eq(m.mode, MLPROXY_MODE_RECOMMENDATION);

	/* The module goes away: its device closes and is gone. */
	stop_listening();
	close(kernel_fd);
	kernel_fd = -1;
	ck_assert_msg(eventually(connected, kdev, false), "still connected after %d ms", WAIT_MS);
	ck_assert(eventually(logged, "closed (end of file); waiting for it to come back", 1));
	ck_assert(eventually(logged, "running without the kernel proxy", 1));
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_COLLABORATION, "test"),
			 -ENODEV);
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, ss, 42, 77, 3), -ENODEV);

	/* It comes back with another id; the same store subsystem carries on. */
	listen_fd = listen_at(sock_path);
	kernel_fd = accept_reader();
	ck_assert(eventually(connected, kdev, true));
	again = register_fake(KID + 2, 2);
	ck_assert_ptr_eq(again, ss);
	ck_assert_int_eq(mlfs_subsys_id(again), id);
	ck_assert_uint_eq(log_count("connected to the kernel proxy"), 2);
	mlfs_subsys_status(ss, &st);
	ck_assert_int_eq(st.mode, MLFS_MODE_LEARNING);
	ck_assert_str_eq(st.mode_reason, "kernel: registered in mode learning");
	send_samples(KID + 2, 4, 2);
	ck_assert(eventually(has_rows, ss, 5));
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, ss, 44, 8, 1), 0);
	ck_assert_int_eq(kernel_recv(&rec, sizeof(rec), WAIT_MS), sizeof(rec));
	ck_assert_uint_eq(rec.hdr.subsys, KID + 2);
	ck_assert_uint_eq(rec.id, 44);
	mlfs_subsys_unref(again);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_mode_change_as_the_kernel_goes_away)
{
	struct mlfs_subsys *ss;
	int r;

	connect_reader();
	ss = register_fake(KID, 1);
	/* Whether or not the reader noticed yet, the change fails and changes nothing. */
	close(kernel_fd);
	kernel_fd = -1;
	r = mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test");
	ck_assert_msg(r == -ENODEV || r == -EPIPE, "request_mode: %d", r);
	ck_assert_int_eq(mlfs_subsys_mode(ss), MLFS_MODE_LEARNING);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_free_while_connected)
{
	struct mlfs_subsys *ss;
	char buf[64];
	int64_t t0;

	connect_reader();
	ss = register_fake(KID, 1);
	send_samples(KID, 1, 2);
	ck_assert(eventually(has_rows, ss, 2));
	t0 = now_ms();
	mlfs_kdev_free(kdev);
	kdev = NULL;
	ck_assert_int_lt(now_ms() - t0, 1000);
	/* The kernel sees the daemon go, and the subsystem no longer has an owner. */
	ck_assert_int_eq(kernel_recv(buf, sizeof(buf), WAIT_MS), 0);
	ck_assert_int_eq(mlfs_subsys_request_mode(store, ss, MLFS_MODE_RECOMMENDATION, "test"),
			 -ENODEV);
	mlfs_subsys_unref(ss);
}
END_TEST

START_TEST(test_free_with_nothing_listening)
{
	int64_t t0;

	stop_listening();
	ck_assert_int_eq(mlfs_kdev_new(sock_path, store, test_log, &kdev), 0);
	ck_assert_int_eq(mlfs_kdev_start(kdev), 0);
	ck_assert(eventually(logged, "running without the kernel proxy", 1));
	t0 = now_ms();
	mlfs_kdev_free(kdev);
	kdev = NULL;
	/* Not one retry interval (1 s) of waiting. */
	ck_assert_int_lt(now_ms() - t0, 500);
	mlfs_kdev_free(NULL);
}
END_TEST

START_TEST(test_missing_device)
{
	char missing[160], line[256];
	struct mlfs_subsys *mine;

	snprintf(missing, sizeof(missing), "%s/no-such-device", dir);
	snprintf(line, sizeof(line),
		 "%s: No such file or directory; running without the kernel proxy", missing);
	ck_assert_int_eq(mlfs_kdev_new(missing, store, test_log, &kdev), 0);
	ck_assert_int_eq(mlfs_kdev_start(kdev), 0);
	ck_assert(eventually(logged, line, 1));
	/* Said once, not at every retry. */
	sleep_ms(1500);
	ck_assert_uint_eq(log_count("running without the kernel proxy"), 1);
	ck_assert(!mlfs_kdev_connected(kdev));
	ck_assert_int_eq(mlfs_store_subsys_create(store, "mine", MLFS_ORIGIN_USER, &mine), 0);
	ck_assert_int_eq(mlfs_kdev_recommend(kdev, mine, 1, 2, 3), -ENODEV);
	mlfs_subsys_unref(mine);
}
END_TEST

static Suite *kdev_suite(void)
{
	Suite *s = suite_create("kdev");
	TCase *tc = tcase_create("kdev");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_register_makes_a_kernel_subsystem);
	tcase_add_test(tc, test_register_declares_the_target);
	tcase_add_test(tc, test_register_in_another_mode);
	tcase_add_test(tc, test_samples_become_rows);
	tcase_add_test(tc, test_windows_and_outcomes_become_feedback);
	tcase_add_test(tc, test_kernel_changes_the_mode);
	tcase_add_test(tc, test_user_mode_change_reaches_the_kernel);
	tcase_add_test(tc, test_recommendations_reach_the_kernel);
	tcase_add_test(tc, test_malformed_record_is_skipped);
	tcase_add_test(tc, test_unregister_detaches_the_mode_owner);
	tcase_add_test(tc, test_reconnects_when_the_kernel_comes_back);
	tcase_add_test(tc, test_mode_change_as_the_kernel_goes_away);
	tcase_add_test(tc, test_free_while_connected);
	tcase_add_test(tc, test_free_with_nothing_listening);
	tcase_add_test(tc, test_missing_device);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kdev_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
