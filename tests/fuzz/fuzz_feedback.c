// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: one line written to a feedback file. A line that parses gives
 * 1 to MLFS_FEEDBACK_LINE_METRICS reports of valid metric names and finite values;
 * a refused one says why in one printable line.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfs_feedback fb[MLFS_FEEDBACK_LINE_METRICS];
	struct mlfs_parse_error err = { 0 };
	char *line = malloc(size ? size : 1);
	int n, i;

	if (!line)
		return 0;
	memcpy(line, data, size);
	n = mlfs_feedback_parse_line(line, size, fb, MLFS_FEEDBACK_LINE_METRICS, &err);
	if (n < 0) {
		size_t len = strnlen(err.msg, sizeof(err.msg));

		assert(n == -EINVAL && len > 0 && len < sizeof(err.msg));
		assert(!memchr(err.msg, '\n', len) && !memchr(err.msg, '\r', len));
	} else {
		assert(n >= 1 && n <= MLFS_FEEDBACK_LINE_METRICS);
		for (i = 0; i < n; i++) {
			assert(mlfs_name_valid(fb[i].metric, strlen(fb[i].metric)));
			assert(isfinite(fb[i].value));
			assert(fb[i].arm < MLFS_ARM_MAX);
		}
	}
	free(line);
	return 0;
}
