// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Unit suite for src/policy/mode.c: which words a write to a mode file accepts. A
 * mode switch decides whether ML drives a kernel subsystem, so anything but an exact
 * word (with the newline echo adds) must be refused rather than guessed at.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mode.h"

/* A string literal and its length, NULs included. */
#define LIT(s) s, sizeof(s) - 1

static const struct {
	const char *word;
	enum mlfs_mode mode;
} words[] = {
	{ "emergency", MLFS_MODE_EMERGENCY },
	{ "learning", MLFS_MODE_LEARNING },
	{ "collaboration", MLFS_MODE_COLLABORATION },
	{ "recommendation", MLFS_MODE_RECOMMENDATION },
};

#define NWORDS (sizeof(words) / sizeof(words[0]))

/* @buf of @len bytes is refused, and the previous mode is left alone. */
static void assert_refused(const char *buf, size_t len)
{
	enum mlfs_mode mode = MLFS_MODE_COLLABORATION;

	ck_assert_msg(mlfs_mode_parse(buf, len, &mode) == -EINVAL, "\"%.*s\" accepted", (int)len,
		      buf);
	ck_assert_int_eq(mode, MLFS_MODE_COLLABORATION);
}

START_TEST(test_each_word)
{
	enum mlfs_mode mode = MLFS_MODE_MAX;
	const char *w = words[_i].word;

	ck_assert_int_eq(mlfs_mode_parse(w, strlen(w), &mode), 0);
	ck_assert_int_eq(mode, words[_i].mode);
}
END_TEST

START_TEST(test_each_word_newline)
{
	enum mlfs_mode mode = MLFS_MODE_MAX;
	char buf[32];
	size_t n = strlen(words[_i].word);

	/* What `echo learning > mode` writes. */
	memcpy(buf, words[_i].word, n);
	buf[n] = '\n';
	ck_assert_int_eq(mlfs_mode_parse(buf, n + 1, &mode), 0);
	ck_assert_int_eq(mode, words[_i].mode);
	/* Two newlines are not one word and one newline. */
	buf[n + 1] = '\n';
	assert_refused(buf, n + 2);
}
END_TEST

START_TEST(test_each_word_damaged)
{
	const char *w = words[_i].word;
	size_t n = strlen(w);
	char buf[32];

	/* Every proper prefix, e.g. "learn" or "e". */
	for (size_t len = 1; len < n; len++)
		assert_refused(w, len);
	/* Longer words that start with the real one. */
	memcpy(buf, w, n);
	buf[n] = 's';
	assert_refused(buf, n + 1);
	buf[n] = ' ';
	assert_refused(buf, n + 1);
	buf[n] = '\0';
	assert_refused(buf, n + 1);
	buf[n] = '\r';
	buf[n + 1] = '\n';
	assert_refused(buf, n + 2);
	buf[n] = ' ';
	assert_refused(buf, n + 2);
	/* A leading blank. */
	buf[0] = ' ';
	memcpy(buf + 1, w, n);
	assert_refused(buf, n + 1);
	/* Case matters: the words are the kernel's, written exactly. */
	memcpy(buf, w, n);
	buf[0] = (char)(buf[0] - 'a' + 'A');
	assert_refused(buf, n);
}
END_TEST

START_TEST(test_rejected)
{
	assert_refused(LIT(""));
	assert_refused(LIT("\n"));
	assert_refused(LIT("\n\n"));
	assert_refused(LIT("learn"));
	assert_refused(LIT("learn\n"));
	assert_refused(LIT("LEARNING"));
	assert_refused(LIT("Learning\n"));
	assert_refused(LIT("learn\0ing"));
	assert_refused(LIT("\0learning"));
	assert_refused(LIT("learning \n"));
	assert_refused(LIT("recommendations"));
	assert_refused(LIT("recommendationsrecommendations"));
	assert_refused(LIT("1"));
	assert_refused(LIT("ml"));
}
END_TEST

START_TEST(test_length_not_nul)
{
	enum mlfs_mode mode = MLFS_MODE_MAX;

	/* Only @len bytes count: FUSE write buffers are not NUL-terminated. */
	ck_assert_int_eq(mlfs_mode_parse("learningXYZ", 8, &mode), 0);
	ck_assert_int_eq(mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(mlfs_mode_parse("emergency\nXYZ", 10, &mode), 0);
	ck_assert_int_eq(mode, MLFS_MODE_EMERGENCY);
}
END_TEST

START_TEST(test_names)
{
	enum mlfs_mode mode = MLFS_MODE_MAX;
	const char *name = mlfs_mode_name(words[_i].mode);

	/* What a read of the mode file shows parses back to the same mode. */
	ck_assert_str_eq(name, words[_i].word);
	ck_assert_uint_le(strlen(name), MLFS_MODE_NAME_MAX);
	ck_assert_int_eq(mlfs_mode_parse(name, strlen(name), &mode), 0);
	ck_assert_int_eq(mode, words[_i].mode);
}
END_TEST

START_TEST(test_name_out_of_range)
{
	ck_assert_ptr_null(mlfs_mode_name(MLFS_MODE_MAX));
	ck_assert_ptr_null(mlfs_mode_name((enum mlfs_mode)(-1)));
}
END_TEST

static Suite *mode_suite(void)
{
	Suite *s = suite_create("mode");
	TCase *tc = tcase_create("words");

	tcase_add_loop_test(tc, test_each_word, 0, NWORDS);
	tcase_add_loop_test(tc, test_each_word_newline, 0, NWORDS);
	tcase_add_loop_test(tc, test_each_word_damaged, 0, NWORDS);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_length_not_nul);
	tcase_add_loop_test(tc, test_names, 0, NWORDS);
	tcase_add_test(tc, test_name_out_of_range);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mode_suite());
	int failed;

	/* TAP goes to stdout (CK_TAP_LOG_FILE_NAME=-): keep Check's own report off it. */
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
