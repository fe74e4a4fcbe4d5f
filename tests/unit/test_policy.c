// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The mode policy, built for user space from the source the kernel module uses:
 * the gate of every mode, the random split, windows, demotion, promotion,
 * the daemon going and coming back, overload, and the reasons.
 */
#include <check.h>
#include <stdlib.h>

#include "policy.h"

static struct mlfs_policy_config config(u32 flags)
{
	struct mlfs_policy_config cfg;

	mlfs_policy_config_default(&cfg);
	cfg.flags = flags;
	return cfg;
}

static struct mlfs_policy policy(enum mlfs_mode mode, u32 flags)
{
	struct mlfs_policy_config cfg = config(flags);
	struct mlfs_policy p;

	mlfs_policy_init(&p, &cfg, mode, 1, 128, 12345);
	return p;
}

/* Decisions that went to the model out of @n, with recommendation 100 and default 32. */
static unsigned ml_share(struct mlfs_policy *p, unsigned n)
{
	struct mlfs_decision d;
	unsigned i, ml = 0;

	for (i = 0; i < n; i++) {
		mlfs_policy_decide(p, 32, &d);
		if (d.arm == MLFS_POLICY_ML) {
			ck_assert_int_eq(d.value, 100);
			ck_assert_uint_eq(d.recommendation, 7);
			ml++;
		} else {
			ck_assert_int_eq(d.value, 32);
			ck_assert_uint_eq(d.recommendation, 0);
		}
	}
	return ml;
}

/* Report a window of 64 outcomes: 32 per arm with the given metrics. Returns the last event. */
static struct mlfs_policy_event window(struct mlfs_policy *p, s64 ml_metric, s64 def_metric)
{
	struct mlfs_policy_event ev;
	int i;

	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(mlfs_policy_outcome(p, MLFS_POLICY_DEFAULT, def_metric, &ev), 0);
		ck_assert(!ev.window_closed);
		ck_assert_int_eq(mlfs_policy_outcome(p, MLFS_POLICY_ML, ml_metric, &ev), 0);
	}
	ck_assert(ev.window_closed);
	return ev;
}

START_TEST(test_every_mode_gates_the_model)
{
	struct mlfs_policy p;

	p = policy(MLFS_MODE_EMERGENCY, 0);
	mlfs_policy_recommend(&p, 7, 100);
	ck_assert_uint_eq(ml_share(&p, 1000), 0);

	p = policy(MLFS_MODE_RECOMMENDATION, 0);
	mlfs_policy_recommend(&p, 7, 100);
	ck_assert_uint_eq(ml_share(&p, 1000), 1000);
}
END_TEST

START_TEST(test_no_recommendation_means_default)
{
	int mode;

	for (mode = 0; mode < MLFS_MODE_MAX; mode++) {
		struct mlfs_policy p = policy(mode, 0);

		ck_assert_uint_eq(ml_share(&p, 1000), 0);
	}
}
END_TEST

/* 100000 fair coin flips: 50000 +- 5 standard deviations (158 each). */
START_TEST(test_collaboration_splits_half)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	unsigned ml;

	mlfs_policy_recommend(&p, 7, 100);
	ml = ml_share(&p, 100000);
	ck_assert_uint_ge(ml, 50000 - 790);
	ck_assert_uint_le(ml, 50000 + 790);
	ck_assert_uint_eq(p.arms[MLFS_POLICY_ML].decisions, ml);
	ck_assert_uint_eq(p.arms[MLFS_POLICY_DEFAULT].decisions, 100000 - ml);
}
END_TEST

/* 10% of 100000: 10000 +- 5 standard deviations (95 each). */
START_TEST(test_learning_uses_a_small_share)
{
	struct mlfs_policy p = policy(MLFS_MODE_LEARNING, 0);
	unsigned ml;

	mlfs_policy_recommend(&p, 7, 100);
	ml = ml_share(&p, 100000);
	ck_assert_uint_ge(ml, 10000 - 475);
	ck_assert_uint_le(ml, 10000 + 475);
}
END_TEST

START_TEST(test_different_seeds_split_differently)
{
	struct mlfs_policy_config cfg = config(0);
	struct mlfs_policy a, b;
	struct mlfs_decision da, db;
	int i, same = 0;

	mlfs_policy_init(&a, &cfg, MLFS_MODE_COLLABORATION, 1, 128, 1);
	mlfs_policy_init(&b, &cfg, MLFS_MODE_COLLABORATION, 1, 128, 2);
	mlfs_policy_recommend(&a, 7, 100);
	mlfs_policy_recommend(&b, 7, 100);
	for (i = 0; i < 1000; i++) {
		mlfs_policy_decide(&a, 32, &da);
		mlfs_policy_decide(&b, 32, &db);
		same += da.arm == db.arm;
	}
	ck_assert_int_lt(same, 650);
}
END_TEST

START_TEST(test_recommendations_are_clamped)
{
	struct mlfs_policy p = policy(MLFS_MODE_RECOMMENDATION, 0);
	struct mlfs_decision d;

	ck_assert_int_eq(mlfs_policy_recommend(&p, 0, 50), -EINVAL);
	ck_assert_int_eq(mlfs_policy_recommend(&p, 1, 1000), 0);
	mlfs_policy_decide(&p, 32, &d);
	ck_assert_int_eq(d.value, 128);
	ck_assert_int_eq(mlfs_policy_recommend(&p, 2, -5), 0);
	mlfs_policy_decide(&p, 32, &d);
	ck_assert_int_eq(d.value, 1);
	ck_assert_uint_eq(d.number, 2);
}
END_TEST

START_TEST(test_worse_ml_demotes_collaboration)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	struct mlfs_policy_event ev;

	/* 5% worse is within the 10% margin. */
	ev = window(&p, 950, 1000);
	ck_assert(!ev.mode_changed);
	ck_assert_uint_eq(ev.window, 1);
	ck_assert_uint_eq(ev.arms[MLFS_POLICY_ML].outcomes, 32);
	ck_assert_int_eq(ev.arms[MLFS_POLICY_ML].metric_sum, 32 * 950);
	ck_assert_int_eq(p.mode, MLFS_MODE_COLLABORATION);

	ev = window(&p, 800, 1000);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(ev.reason, MLFS_REASON_ML_WORSE);
	ck_assert_int_eq(ev.window_mode, MLFS_MODE_COLLABORATION);
	ck_assert_int_eq(p.mode, MLFS_MODE_LEARNING);
	/* Learning is as far as it goes down for being worse. */
	ev = window(&p, 100, 1000);
	ck_assert(!ev.mode_changed);
}
END_TEST

START_TEST(test_lower_is_better_turns_the_comparison)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, MLFS_POLICY_LOWER_IS_BETTER);
	struct mlfs_policy_event ev;

	ev = window(&p, 800, 1000); /* a lower cost: better */
	ck_assert(!ev.mode_changed);
	ev = window(&p, 1200, 1000);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.reason, MLFS_REASON_ML_WORSE);
}
END_TEST

START_TEST(test_too_few_outcomes_are_not_judged)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	struct mlfs_policy_event ev;
	int i;

	for (i = 0; i < 60; i++)
		mlfs_policy_outcome(&p, MLFS_POLICY_DEFAULT, 1000, &ev);
	for (i = 0; i < 4; i++)
		mlfs_policy_outcome(&p, MLFS_POLICY_ML, 1, &ev);
	ck_assert(ev.window_closed);
	ck_assert(!ev.mode_changed);
}
END_TEST

START_TEST(test_recommendation_mode_compares_with_the_last_baseline)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	struct mlfs_policy_event ev;
	int i;

	window(&p, 1000, 1000); /* the default arm's mean, 1000, is the baseline */
	mlfs_policy_set_mode(&p, MLFS_MODE_RECOMMENDATION, &ev);
	for (i = 0; i < 63; i++)
		mlfs_policy_outcome(&p, MLFS_POLICY_ML, 700, &ev);
	ck_assert(!ev.window_closed);
	mlfs_policy_outcome(&p, MLFS_POLICY_ML, 700, &ev);
	ck_assert(ev.window_closed);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(ev.reason, MLFS_REASON_ML_WORSE);
}
END_TEST

START_TEST(test_promotion_only_when_enabled)
{
	struct mlfs_policy p = policy(MLFS_MODE_LEARNING, 0);
	struct mlfs_policy_event ev;
	int i;

	for (i = 0; i < 10; i++)
		ck_assert(!window(&p, 2000, 1000).mode_changed);
	ck_assert_int_eq(p.mode, MLFS_MODE_LEARNING);

	p = policy(MLFS_MODE_LEARNING, MLFS_POLICY_PROMOTE);
	ck_assert(!window(&p, 2000, 1000).mode_changed);
	ck_assert(!window(&p, 2000, 1000).mode_changed);
	ev = window(&p, 2000, 1000);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_COLLABORATION);
	ck_assert_int_eq(ev.reason, MLFS_REASON_ML_BETTER);
	/* An even window resets the count. */
	window(&p, 2000, 1000);
	window(&p, 1000, 1000);
	window(&p, 2000, 1000);
	ck_assert(!window(&p, 2000, 1000).mode_changed);
	ck_assert_int_eq(window(&p, 2000, 1000).mode, MLFS_MODE_RECOMMENDATION);
}
END_TEST

START_TEST(test_daemon_gone_and_back)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	struct mlfs_policy_event ev;

	mlfs_policy_recommend(&p, 7, 100);
	mlfs_policy_connected(&p, false, &ev);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_EMERGENCY);
	ck_assert_int_eq(ev.reason, MLFS_REASON_DAEMON_GONE);
	ck_assert_uint_eq(ml_share(&p, 100), 0);

	/* Back: no higher than learning, and the old recommendation is forgotten. */
	mlfs_policy_connected(&p, true, &ev);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(ev.reason, MLFS_REASON_DAEMON_BACK);
	ck_assert_uint_eq(ml_share(&p, 100), 0);

	/* A user's emergency stays an emergency. */
	mlfs_policy_set_mode(&p, MLFS_MODE_EMERGENCY, &ev);
	mlfs_policy_connected(&p, false, &ev);
	mlfs_policy_connected(&p, true, &ev);
	ck_assert(!ev.mode_changed);
	ck_assert_int_eq(p.mode, MLFS_MODE_EMERGENCY);
}
END_TEST

START_TEST(test_overload_and_recovery)
{
	struct mlfs_policy p = policy(MLFS_MODE_COLLABORATION, 0);
	struct mlfs_policy_event ev;

	mlfs_policy_dropped(&p, 63, &ev);
	ck_assert(!ev.mode_changed);
	mlfs_policy_dropped(&p, 1, &ev);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_EMERGENCY);
	ck_assert_int_eq(ev.reason, MLFS_REASON_OVERLOAD);
	/* The window of the drops does not count as a quiet one; the next does. */
	ck_assert(!window(&p, 1000, 1000).mode_changed);
	ev = window(&p, 1000, 1000);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(ev.reason, MLFS_REASON_RECOVERED);
}
END_TEST

START_TEST(test_user_mode_and_reasons)
{
	struct mlfs_policy p = policy(MLFS_MODE_LEARNING, 0);
	struct mlfs_policy_event ev;
	int r;

	ck_assert_int_eq(mlfs_policy_set_mode(&p, MLFS_MODE_MAX, &ev), -EINVAL);
	ck_assert(!ev.mode_changed);
	ck_assert_int_eq(mlfs_policy_outcome(&p, MLFS_POLICY_ARMS, 1, &ev), -EINVAL);
	ck_assert_int_eq(mlfs_policy_set_mode(&p, MLFS_MODE_RECOMMENDATION, &ev), 0);
	ck_assert(ev.mode_changed);
	ck_assert_int_eq(ev.reason, MLFS_REASON_USER);
	for (r = 0; r < MLFS_REASON_MAX; r++)
		ck_assert_str_ne(mlfs_reason_text(r), "unknown");
	ck_assert_str_eq(mlfs_reason_text(MLFS_REASON_MAX), "unknown");
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, test_every_mode_gates_the_model);
	tcase_add_test(tc, test_no_recommendation_means_default);
	tcase_add_test(tc, test_collaboration_splits_half);
	tcase_add_test(tc, test_learning_uses_a_small_share);
	tcase_add_test(tc, test_different_seeds_split_differently);
	tcase_add_test(tc, test_recommendations_are_clamped);
	tcase_add_test(tc, test_worse_ml_demotes_collaboration);
	tcase_add_test(tc, test_lower_is_better_turns_the_comparison);
	tcase_add_test(tc, test_too_few_outcomes_are_not_judged);
	tcase_add_test(tc, test_recommendation_mode_compares_with_the_last_baseline);
	tcase_add_test(tc, test_promotion_only_when_enabled);
	tcase_add_test(tc, test_daemon_gone_and_back);
	tcase_add_test(tc, test_overload_and_recovery);
	tcase_add_test(tc, test_user_mode_and_reasons);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
