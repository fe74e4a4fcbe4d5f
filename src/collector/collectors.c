// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The eBPF collectors' names, and the -o collectors= list that picks them. Built
 * with or without BPF support, so that a name is checked the same way in both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

static const char *const names[MLFS_BPF_MAX] = {
	[MLFS_BPF_BLK] = "blk",
	[MLFS_BPF_READAHEAD] = "readahead",
};

const char *mlfs_bpf_name(enum mlfs_bpf_kind kind)
{
	return (unsigned)kind < MLFS_BPF_MAX ? names[kind] : NULL;
}

static int find(const char *name, size_t len)
{
	int i;

	for (i = 0; i < MLFS_BPF_MAX; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return i;
	return -1;
}

/* "blk, readahead": what an error message offers instead. */
static void known(char *buf, size_t cap)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < MLFS_BPF_MAX && off < cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s%s", i ? ", " : "", names[i]);
}

int mlfs_bpf_parse(const char *list, unsigned *ret_mask, char *errbuf, size_t errlen)
{
	char names_known[64];
	const char *p = list, *end;
	unsigned mask = 0;
	size_t len;
	int kind;

	known(names_known, sizeof(names_known));
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			snprintf(errbuf, errlen, "an empty collector name (known: %s)",
				 names_known);
			return -EINVAL;
		}
		kind = find(p, len);
		if (kind < 0) {
			snprintf(errbuf, errlen, "unknown collector \"%.*s\" (known: %s)",
				 (int)(len > 64 ? 64 : len), p, names_known);
			return -EINVAL;
		}
		mask |= 1u << kind;
		if (!end)
			break;
		p = end + 1;
	}
	*ret_mask = mask;
	return 0;
}
