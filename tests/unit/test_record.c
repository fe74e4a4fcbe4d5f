// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * /dev/mlproxy records, checked by the code the module, the daemon and the
 * stand-in share: every well-formed record passes, and each way of being
 * malformed (magic, version, type, size, names, ranges, truncation) is refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mlproxy_record.h"

static struct mlproxy_register good_register(void)
{
	struct mlproxy_register r;

	memset(&r, 0, sizeof(r));
	mlproxy_record_init(&r.hdr, MLPROXY_REGISTER, sizeof(r), 3);
	strcpy(r.name, "demo");
	strcpy(r.metric, "throughput");
	r.ncols = 2;
	r.rec_min = 1;
	r.rec_max = 10;
	r.rec_default = 5;
	strcpy(r.cols[0].name, "load");
	r.cols[0].scale = 1;
	strcpy(r.cols[1].name, "best");
	r.cols[1].scale = 1000;
	return r;
}

START_TEST(test_every_type_passes)
{
	struct mlproxy_register reg = good_register();
	struct mlproxy_hdr unreg;
	struct mlproxy_sample sample = { 0 };
	struct mlproxy_window win = { 0 };
	struct mlproxy_outcome out = { 0 };
	struct mlproxy_mode_change mode = { 0 };
	struct mlproxy_recommend rec = { 0 };

	ck_assert_int_eq(mlproxy_record_check(&reg, sizeof(reg)), sizeof(reg));
	mlproxy_record_init(&unreg, MLPROXY_UNREGISTER, sizeof(unreg), 3);
	ck_assert_int_eq(mlproxy_record_check(&unreg, sizeof(unreg)), sizeof(unreg));
	mlproxy_record_init(&sample.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(4), 3);
	sample.ncols = 4;
	ck_assert_int_eq(mlproxy_record_check(&sample, sizeof(sample)), MLPROXY_SAMPLE_SIZE(4));
	mlproxy_record_init(&win.hdr, MLPROXY_WINDOW, sizeof(win), 3);
	ck_assert_int_eq(mlproxy_record_check(&win, sizeof(win)), sizeof(win));
	mlproxy_record_init(&out.hdr, MLPROXY_OUTCOME, sizeof(out), 3);
	ck_assert_int_eq(mlproxy_record_check(&out, sizeof(out)), sizeof(out));
	mlproxy_record_init(&mode.hdr, MLPROXY_MODE, sizeof(mode), 3);
	mode.mode = MLPROXY_MODE_RECOMMENDATION;
	ck_assert_int_eq(mlproxy_record_check(&mode, sizeof(mode)), sizeof(mode));
	mlproxy_record_init(&rec.hdr, MLPROXY_RECOMMEND, sizeof(rec), 3);
	rec.id = 1;
	ck_assert_int_eq(mlproxy_record_check(&rec, sizeof(rec)), sizeof(rec));
}
END_TEST

START_TEST(test_header_faults)
{
	struct mlproxy_recommend rec = { 0 }, bad;

	mlproxy_record_init(&rec.hdr, MLPROXY_RECOMMEND, sizeof(rec), 3);
	rec.id = 1;
	bad = rec;
	bad.hdr.magic ^= 1;
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	bad = rec;
	bad.hdr.version = MLPROXY_VERSION + 1;
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	bad = rec;
	bad.hdr.type = 0;
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	bad.hdr.type = MLPROXY_TYPE_MAX;
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	bad = rec;
	bad.hdr.size = sizeof(rec) - 8; /* shorter than its type */
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	bad.hdr.size = MLPROXY_RECORD_MAX + 8; /* oversized */
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
	/* Truncated: the buffer holds less than the record says. */
	ck_assert_int_eq(mlproxy_record_check(&rec, sizeof(rec) - 1), -EINVAL);
	ck_assert_int_eq(mlproxy_record_check(&rec, 4), -EINVAL);
	bad = rec;
	bad.id = 0;
	ck_assert_int_eq(mlproxy_record_check(&bad, sizeof(bad)), -EINVAL);
}
END_TEST

START_TEST(test_sample_sizes)
{
	struct mlproxy_sample s = { 0 };

	mlproxy_record_init(&s.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(3), 1);
	s.ncols = 4; /* says 4 values, carries 3 */
	ck_assert_int_eq(mlproxy_record_check(&s, sizeof(s)), -EINVAL);
	s.ncols = 0;
	s.hdr.size = MLPROXY_SAMPLE_SIZE(0);
	ck_assert_int_eq(mlproxy_record_check(&s, sizeof(s)), -EINVAL);
	s.ncols = MLPROXY_COLUMNS_MAX + 1;
	s.hdr.size = MLPROXY_SAMPLE_SIZE(MLPROXY_COLUMNS_MAX + 1);
	ck_assert_int_eq(mlproxy_record_check(&s, sizeof(s) + 8), -EINVAL);
}
END_TEST

START_TEST(test_register_faults)
{
	struct mlproxy_register r;

	r = good_register();
	memset(r.name, 'x', sizeof(r.name)); /* not terminated */
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.name[0] = '\0';
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.ncols = 1;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r.ncols = MLPROXY_COLUMNS_MAX + 1;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.rec_default = 11;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.rec_min = 20;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.cols[1].scale = 0;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r = good_register();
	r.mode = MLPROXY_MODE_MAX;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	/* A target is a class or a number, not both; flags nobody knows are refused. */
	r = good_register();
	r.flags = MLPROXY_F_REGRESS | MLPROXY_F_LOWER_IS_BETTER;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), sizeof(r));
	r.flags = MLPROXY_F_REGRESS | MLPROXY_F_CLASSIFY;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
	r.flags = 1u << 7;
	ck_assert_int_eq(mlproxy_record_check(&r, sizeof(r)), -EINVAL);
}
END_TEST

START_TEST(test_mode_faults)
{
	struct mlproxy_mode_change m = { 0 };

	mlproxy_record_init(&m.hdr, MLPROXY_MODE, sizeof(m), 1);
	m.mode = MLPROXY_MODE_MAX;
	ck_assert_int_eq(mlproxy_record_check(&m, sizeof(m)), -EINVAL);
	m.mode = 0;
	memset(m.text, 'a', sizeof(m.text));
	ck_assert_int_eq(mlproxy_record_check(&m, sizeof(m)), -EINVAL);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_test(tc, test_every_type_passes);
	tcase_add_test(tc, test_header_faults);
	tcase_add_test(tc, test_sample_sizes);
	tcase_add_test(tc, test_register_faults);
	tcase_add_test(tc, test_mode_faults);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(record_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
