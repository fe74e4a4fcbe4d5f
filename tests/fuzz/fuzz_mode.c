// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: what is written to a mode file. Exactly the four words, each
 * with or without one newline, are modes; every other input is refused.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	enum mlfs_mode mode;
	size_t word;
	int r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = mlfs_mode_parse(buf, size, &mode);
	word = size > 0 && buf[size - 1] == '\n' ? size - 1 : size;
	if (r == 0) {
		const char *name = mlfs_mode_name(mode);

		assert(mode < MLFS_MODE_MAX && name);
		assert(word == strlen(name) && memcmp(buf, name, word) == 0);
	} else {
		assert(r == -EINVAL);
		for (mode = 0; mode < MLFS_MODE_MAX; mode++) {
			const char *name = mlfs_mode_name(mode);

			assert(word != strlen(name) || memcmp(buf, name, word) != 0);
		}
	}
	free(buf);
	return 0;
}
