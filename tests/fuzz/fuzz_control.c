// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: a write to a control file, cut into lines as the daemon cuts
 * it. A verb that parses is one of the documented ones, spelled exactly; the text
 * of any line is quoted for the log as one printable line.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_verb_i.h"
#include "format.h"

static void one_line(const char *line, size_t len)
{
	struct fs_control_verb verb;
	char quoted[MLFS_QUOTE_BUF];
	size_t i, qlen;

	if (fs_control_verb_parse(line, len, &verb) == 0) {
		assert(verb.action < FS_CONTROL_ACTION_MAX && verb.kind < MLFS_MODEL_KIND_MAX);
		assert(len >= strlen("train") && len <= strlen("autoretrain off"));
		assert(!memchr(line, '\n', len) && !memchr(line, '\0', len));
		return;
	}
	mlfs_quote(line, len, quoted);
	qlen = strlen(quoted);
	assert(qlen <= MLFS_QUOTE_MAX + 3);
	for (i = 0; i < qlen; i++)
		assert(quoted[i] >= 0x20 && quoted[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	const char *p, *end;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (p = buf, end = buf + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		one_line(p, n);
		p = nl ? nl + 1 : end;
	}
	free(buf);
	return 0;
}
