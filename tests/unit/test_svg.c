// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The SVG writer of the tree's pictures: text is escaped whatever it holds, axes
 * get round ticks that cover the data, labels read well, and a document is whole.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "svg_i.h"

START_TEST(test_escape)
{
	char buf[64];

	ck_assert_uint_eq(svg_escape("a<b>&\"c'", buf, sizeof(buf)), strlen(buf));
	ck_assert_str_eq(buf, "a&lt;b&gt;&amp;&quot;c&apos;");
	/* Bytes XML does not allow, or that may not be UTF-8, become '?'. */
	svg_escape("x\001y\x7f\xc3\xa9", buf, sizeof(buf));
	ck_assert_str_eq(buf, "x?y???");
	/* Cut at a whole entity, never in the middle of one. */
	svg_escape("ab&cd", buf, 6);
	ck_assert_str_eq(buf, "ab");
}
END_TEST

START_TEST(test_ticks)
{
	struct svg_ticks t;

	svg_ticks_nice(3, 97, 5, &t);
	ck_assert_double_eq(t.step, 20);
	ck_assert_double_eq(t.first, 0);
	ck_assert_uint_eq(t.n, 6); /* 0 .. 100 */
	svg_ticks_nice(0.013, 0.049, 4, &t);
	ck_assert_double_eq_tol(t.step, 0.01, 1e-12);
	ck_assert_double_le(t.first, 0.013);
	ck_assert_double_ge(t.first + (t.n - 1) * t.step, 0.049);
	svg_ticks_nice(-750, 1250, 6, &t);
	ck_assert_double_eq(t.step, 500);
	ck_assert_double_eq(t.first, -1000);
	ck_assert_double_ge(t.first + (t.n - 1) * t.step, 1250);
}
END_TEST

START_TEST(test_tick_labels)
{
	char buf[32];

	svg_format_tick(2000, 2000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2k");
	svg_format_tick(3500000, 500000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "3.5M");
	svg_format_tick(0.25, 0.05, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.25");
	svg_format_tick(800, 20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "800");
	svg_format_tick(-1e-17, 0.1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
}
END_TEST

START_TEST(test_document)
{
	struct svg s = { 0 };
	double xy[] = { 0, 0, 10, 5, 20, 0 };
	size_t len, cap;
	char *text;

	svg_begin(&s, 300, 200, "a & b");
	svg_polyline(&s, xy, 3, "fill=\"none\" stroke=\"#000000\"");
	svg_text(&s, 5, 10, "", "%s <%d>", "n", 3);
	ck_assert_int_eq(svg_end(&s), 0);
	text = svg_take(&s, &len, &cap);
	ck_assert_ptr_null(s.buf);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_uint_lt(len, cap);
	ck_assert_ptr_nonnull(strstr(text, "width=\"300\" height=\"200\""));
	ck_assert_ptr_nonnull(strstr(text, "<title>a &amp; b</title>"));
	ck_assert_ptr_nonnull(strstr(text, "points=\"0.0,0.0 10.0,5.0 20.0,0.0\""));
	ck_assert_ptr_nonnull(strstr(text, ">n &lt;3&gt;</text>"));
	ck_assert_str_eq(text + len - 7, "</svg>\n");
	free(text);
	svg_free(&s);
}
END_TEST

static Suite *svg_suite(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("svg");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_ticks);
	tcase_add_test(tc, test_tick_labels);
	tcase_add_test(tc, test_document);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(svg_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
