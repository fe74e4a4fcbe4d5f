// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: one line written to a dataset. The first byte chooses how many
 * columns the dataset has; the rest is the line, given to the header and row
 * parsers as the daemon gives them. What parses must format and parse back to the
 * same values and names; what is refused must say why in one printable line.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"

static char names[MLFS_COLUMNS_MAX][MLFS_COLUMN_NAME_MAX + 1];
static char again[MLFS_COLUMNS_MAX][MLFS_COLUMN_NAME_MAX + 1];
static struct mlfs_value row[MLFS_COLUMNS_MAX], back[MLFS_COLUMNS_MAX];
static char text[MLFS_ROW_TEXT_MAX(MLFS_COLUMNS_MAX)];
static char header_text[MLFS_COLUMNS_MAX * (MLFS_COLUMN_NAME_MAX + 1)];

static void check_message(const struct mlfs_parse_error *err)
{
	size_t i, len = strnlen(err->msg, sizeof(err->msg));

	assert(len > 0 && len < sizeof(err->msg));
	for (i = 0; i < len; i++)
		assert(err->msg[i] != '\n' && err->msg[i] != '\r');
}

static bool same_value(const struct mlfs_value *a, const struct mlfs_value *b)
{
	if (a->type == MLFS_VALUE_INT)
		return b->type == MLFS_VALUE_INT && a->i == b->i;
	/* A real may come back as an integer ("2.0" is printed "2.0", "1e300" is not). */
	return b->type == MLFS_VALUE_REAL ? a->r == b->r : a->r == (double)b->i;
}

static void header(const char *line, size_t len)
{
	struct mlfs_parse_error err = { 0 };
	int n, m, i;

	n = mlfs_csv_parse_header(line, len, names, MLFS_COLUMNS_MAX, &err);
	if (n < 0) {
		check_message(&err);
		return;
	}
	assert(n >= 1 && n <= MLFS_COLUMNS_MAX);
	m = mlfs_csv_format_header((const char(*)[MLFS_COLUMN_NAME_MAX + 1])names, (unsigned)n,
				   header_text, sizeof(header_text));
	assert(m > 0 && header_text[m - 1] == '\n');
	assert(mlfs_csv_parse_header(header_text, (size_t)m - 1, again, MLFS_COLUMNS_MAX, NULL) ==
	       n);
	for (i = 0; i < n; i++)
		assert(strcmp(names[i], again[i]) == 0);
}

static void data_row(const char *line, size_t len, unsigned ncols)
{
	struct mlfs_parse_error err = { 0 };
	size_t n;
	unsigned i;

	if (mlfs_csv_parse_row(line, len, ncols, row, &err) < 0) {
		check_message(&err);
		return;
	}
	n = mlfs_csv_format_row(row, ncols, text);
	assert(n > 0 && n <= MLFS_ROW_TEXT_MAX(ncols) && text[n - 1] == '\n');
	assert(mlfs_csv_parse_row(text, n - 1, ncols, back, NULL) == 0);
	for (i = 0; i < ncols; i++)
		assert(same_value(&row[i], &back[i]));
	n = mlfs_svm_format_row(row, ncols, ncols - 1, text);
	assert(n > 0 && n <= MLFS_ROW_TEXT_MAX(ncols) && text[n - 1] == '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned ncols;
	char *line;

	if (size < 1)
		return 0;
	ncols = data[0] % 8 == 7 ? MLFS_COLUMNS_MAX : data[0] % 8 + 1;
	/* A copy of exactly the line's bytes: a read past it is an overflow ASan sees. */
	line = malloc(size - 1 ? size - 1 : 1);
	if (!line)
		return 0;
	memcpy(line, data + 1, size - 1);
	/* Both parsers see every line: the daemon picks one by mlfs_csv_is_header(). */
	(void)mlfs_csv_is_header(line, size - 1);
	header(line, size - 1);
	data_row(line, size - 1, ncols);
	free(line);
	return 0;
}
