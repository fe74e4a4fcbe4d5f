// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Unit suite for the eBPF collectors' plain parts: the -o collectors= list
 * (collectors.c), the readahead window's statistics (ra_window.c), which
 * become the features a readahead model learns from, so a wrong spread or hit
 * ratio would teach it nonsense without any error showing, and the readahead
 * actuator (ra_actuator.c) on a fake sysfs: which names it refuses, and that it
 * gives the device back, or leaves it to whoever changed it.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector_i.h"

#define PAGE 4096u

START_TEST(test_parse_lists)
{
	char err[128];
	unsigned mask = 0;

	ck_assert_int_eq(mlfs_bpf_parse("blk", &mask, err, sizeof(err)), 0);
	ck_assert_uint_eq(mask, 1u << MLFS_BPF_BLK);
	ck_assert_int_eq(mlfs_bpf_parse("readahead,blk", &mask, err, sizeof(err)), 0);
	ck_assert_uint_eq(mask, (1u << MLFS_BPF_BLK) | (1u << MLFS_BPF_READAHEAD));
	/* Naming one twice runs it once. */
	ck_assert_int_eq(mlfs_bpf_parse("blk,blk", &mask, err, sizeof(err)), 0);
	ck_assert_uint_eq(mask, 1u << MLFS_BPF_BLK);
}
END_TEST

static const char *const bad_lists[] = {
	"",
	"bl",
	"blkx",
	"blk,",
	",blk",
	"blk,,readahead",
	"BLK",
	"blk readahead",
	"readahead,nope",
};

START_TEST(test_parse_refuses)
{
	char err[128] = "";
	unsigned mask = 12345;

	ck_assert_int_eq(mlfs_bpf_parse(bad_lists[_i], &mask, err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(mask, 12345);
	ck_assert_msg(strstr(err, "known: blk, readahead"), "\"%s\": %s", bad_lists[_i], err);
}
END_TEST

START_TEST(test_parse_names_the_culprit)
{
	char err[128];
	unsigned mask;

	mlfs_bpf_parse("blk,nope", &mask, err, sizeof(err));
	ck_assert_str_eq(err, "unknown collector \"nope\" (known: blk, readahead)");
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(mlfs_bpf_name(MLFS_BPF_BLK), "blk");
	ck_assert_str_eq(mlfs_bpf_name(MLFS_BPF_READAHEAD), "readahead");
	ck_assert_ptr_null(mlfs_bpf_name(MLFS_BPF_MAX));
}
END_TEST

/* Sequential reads of 16 pages each: offsets 0, 16, ..., 16 * 7. */
START_TEST(test_window_sequential)
{
	struct ra_window w = { 0 };
	struct ra_features f;
	unsigned i;

	ra_window_insert(&w, 160);
	for (i = 0; i < 8; i++)
		ra_window_read(&w, (uint64_t)i * 16 * PAGE, 16 * PAGE, PAGE);
	ra_window_features(&w, &f);
	ck_assert_uint_eq(f.insertions, 160);
	ck_assert_uint_eq(f.accesses, 128);
	ck_assert_uint_eq(f.bytes, 128 * PAGE);
	ck_assert_double_eq_tol(f.delta_mean, 16.0, 1e-9);
	/* Population stddev of 0, 16, ..., 112: 16 * sqrt((8^2 - 1) / 12). */
	ck_assert_double_eq_tol(f.offset_stddev, 16.0 * sqrt(63.0 / 12.0), 1e-9);
	/* More pages came in than were read: every page read was a miss. */
	ck_assert_double_eq(f.hit_ratio, 0.0);
}
END_TEST

/* A read that is not page aligned touches every page it overlaps. */
START_TEST(test_window_unaligned)
{
	struct ra_window w = { 0 };
	struct ra_features f;

	ra_window_read(&w, PAGE - 1, 2, PAGE);
	ra_window_read(&w, 10 * PAGE + 100, PAGE, PAGE);
	ra_window_features(&w, &f);
	ck_assert_uint_eq(f.accesses, 4);
	ck_assert_uint_eq(f.bytes, PAGE + 2);
	ck_assert_double_eq_tol(f.delta_mean, 10.0, 1e-9);
	ck_assert_double_eq_tol(f.offset_stddev, 5.0, 1e-9);
	/* Nothing inserted: all hits. */
	ck_assert_double_eq(f.hit_ratio, 1.0);
}
END_TEST

START_TEST(test_window_hit_ratio)
{
	struct ra_window w = { 0 };
	struct ra_features f;

	ra_window_insert(&w, 1);
	ra_window_read(&w, 0, 4 * PAGE, PAGE);
	ra_window_features(&w, &f);
	ck_assert_double_eq_tol(f.hit_ratio, 0.75, 1e-12);
}
END_TEST

/* Offsets near 2^40 pages: the spread of 3 reads one page apart stays exact. */
START_TEST(test_window_large_offsets)
{
	uint64_t base = (1ull << 40) * PAGE;
	struct ra_window w = { 0 };
	struct ra_features f;

	ra_window_read(&w, base, PAGE, PAGE);
	ra_window_read(&w, base + PAGE, PAGE, PAGE);
	ra_window_read(&w, base + 2 * PAGE, PAGE, PAGE);
	ra_window_features(&w, &f);
	ck_assert_double_eq_tol(f.offset_stddev, sqrt(2.0 / 3.0), 1e-6);
	ck_assert_double_eq_tol(f.delta_mean, 1.0, 1e-9);
}
END_TEST

/* An idle window has no statistics to speak of; nothing is NaN. */
START_TEST(test_window_empty)
{
	struct ra_window w = { 0 };
	struct ra_features f;

	ck_assert(!ra_window_active(&w));
	ra_window_features(&w, &f);
	ck_assert_uint_eq(f.accesses, 0);
	ck_assert_double_eq(f.offset_stddev, 0.0);
	ck_assert_double_eq(f.delta_mean, 0.0);
	ck_assert_double_eq(f.hit_ratio, 0.0);
	ra_window_insert(&w, 3);
	ck_assert(ra_window_active(&w));
}
END_TEST

/* The next window starts from zero, but its first delta measures from the last read. */
START_TEST(test_window_next)
{
	struct ra_window w = { 0 };
	struct ra_features f;

	ra_window_insert(&w, 7);
	ra_window_read(&w, 100 * PAGE, PAGE, PAGE);
	ra_window_next(&w);
	ck_assert(!ra_window_active(&w));
	ra_window_read(&w, 130 * PAGE, PAGE, PAGE);
	ra_window_features(&w, &f);
	ck_assert_uint_eq(f.insertions, 0);
	ck_assert_uint_eq(f.accesses, 1);
	ck_assert_double_eq_tol(f.delta_mean, 30.0, 1e-9);
	ck_assert_double_eq(f.offset_stddev, 0.0);
}
END_TEST

/* ---- the actuator, on a fake sysfs under a temporary root ---- */

static char root[64];
static unsigned logged;
static char last_log[256];

static void test_log(int priority, const char *fmt, ...)
{
	va_list ap;

	(void)priority;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	logged++;
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static long get_kb(void)
{
	char path[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/class/block/fake0/queue/read_ahead_kb", root);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &kb), 1);
	fclose(f);
	return kb;
}

static void mkdirs(const char *rel)
{
	char path[256], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* fake0 (7:0, read_ahead_kb 128), its partition fake0p1, and /dev/plain, a regular file. */
static void fake_sysfs(void)
{
	snprintf(root, sizeof(root), "/tmp/mlfs-unit-ra.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkdirs("sys/class/block/fake0/queue");
	mkdirs("sys/class/block/fake0p1");
	mkdirs("dev");
	put("sys/class/block/fake0/dev", "7:0\n");
	put("sys/class/block/fake0/queue/read_ahead_kb", "128\n");
	put("sys/class/block/fake0p1/dev", "7:1\n");
	put("sys/class/block/fake0p1/partition", "1\n");
	put("dev/plain", "");
	logged = 0;
}

static void remove_fake_sysfs(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_actuator_refuses)
{
	struct mlfs_ra_actuator *a = NULL;
	char err[160];

	ck_assert_int_eq(ra_actuator_open_at(root, "nope0", test_log, &a, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "no block device nope0 (not in /sys/class/block)");
	ck_assert_int_eq(ra_actuator_open_at(root, "plain", test_log, &a, err, sizeof(err)),
			 -ENOTBLK);
	ck_assert_str_eq(err, "/dev/plain is not a block device");
	ck_assert_int_eq(ra_actuator_open_at(root, "fake0p1", test_log, &a, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is a partition"));
	ck_assert_int_eq(ra_actuator_open_at(root, "../fake0", test_log, &a, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(ra_actuator_open_at(root, "", test_log, &a, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_actuator_applies_and_restores)
{
	struct mlfs_ra_actuator *a = NULL;
	char err[160];

	ck_assert_int_eq(ra_actuator_open_at(root, "/dev/fake0", test_log, &a, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(ra_actuator_dev(a), 7u << 20);
	ck_assert_int_eq(ra_actuator_default(a), 128);
	ck_assert_int_eq(ra_actuator_apply(a, 2048), 0);
	ck_assert_int_eq(get_kb(), 2048);
	ck_assert_int_eq(ra_actuator_apply(a, 16), 0);
	ck_assert_int_eq(get_kb(), 16);
	/* Only the first change is logged, with what comes back. */
	ck_assert_uint_eq(logged, 1);
	ck_assert_str_eq(last_log, "fake0: read_ahead_kb 128 -> 2048; mlfs restores 128 when it "
				   "stops");
	ck_assert_int_eq(ra_actuator_restore(a), 0);
	ck_assert_int_eq(get_kb(), 128);
	ck_assert_int_eq(ra_actuator_apply(a, 512), 0);
	mlfs_ra_actuator_free(a);
	ck_assert_int_eq(get_kb(), 128);
}
END_TEST

START_TEST(test_actuator_hands_off)
{
	struct mlfs_ra_actuator *a = NULL;
	char err[160];

	ck_assert_int_eq(ra_actuator_open_at(root, "fake0", test_log, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(ra_actuator_apply(a, 512), 0);
	put("sys/class/block/fake0/queue/read_ahead_kb", "1024\n"); /* an administrator */
	logged = 0;
	ck_assert_int_eq(ra_actuator_apply(a, 16), -EBUSY);
	ck_assert(ra_actuator_hands_off(a));
	ck_assert_str_eq(last_log, "fake0: read_ahead_kb is 1024, not the 512 mlfs left there: "
				   "someone else changed it; mlfs leaves fake0 alone until it "
				   "restarts");
	ck_assert_int_eq(ra_actuator_apply(a, 16), -EBUSY);
	ck_assert_int_eq(ra_actuator_restore(a), 0);
	mlfs_ra_actuator_free(a);
	ck_assert_int_eq(get_kb(), 1024);
	ck_assert_uint_eq(logged, 1);
}
END_TEST

static Suite *collector_suite(void)
{
	Suite *s = suite_create("collector");
	TCase *names = tcase_create("names");
	TCase *window = tcase_create("readahead window");
	TCase *actuator = tcase_create("readahead actuator");

	tcase_add_test(names, test_parse_lists);
	tcase_add_loop_test(names, test_parse_refuses, 0, sizeof(bad_lists) / sizeof(bad_lists[0]));
	tcase_add_test(names, test_parse_names_the_culprit);
	tcase_add_test(names, test_names);
	suite_add_tcase(s, names);
	tcase_add_test(window, test_window_sequential);
	tcase_add_test(window, test_window_unaligned);
	tcase_add_test(window, test_window_hit_ratio);
	tcase_add_test(window, test_window_large_offsets);
	tcase_add_test(window, test_window_empty);
	tcase_add_test(window, test_window_next);
	suite_add_tcase(s, window);
	tcase_add_checked_fixture(actuator, fake_sysfs, remove_fake_sysfs);
	tcase_add_test(actuator, test_actuator_refuses);
	tcase_add_test(actuator, test_actuator_applies_and_restores);
	tcase_add_test(actuator, test_actuator_hands_off);
	suite_add_tcase(s, actuator);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(collector_suite());
	int failed;

	/* TAP goes to stdout (CK_TAP_LOG_FILE_NAME=-): keep Check's own report off it. */
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
