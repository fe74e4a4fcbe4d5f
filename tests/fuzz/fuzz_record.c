// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: the bytes of one read from /dev/mlproxy, decoded as the
 * daemon's reader decodes them: record after record until one is malformed, each
 * registration's columns, each sample of a registered subsystem as a row and as
 * features. Every record taken must pass the check again on its own bytes, and
 * the walk must always move forward.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kdev_decode_i.h"

#define SUBSYS_MAX 4

/* Registered subsystems, as the reader's map keeps them. */
static struct {
	uint32_t kid;
	unsigned ncols;
	uint32_t scale[MLPROXY_COLUMNS_MAX];
} map[SUBSYS_MAX];
static unsigned nmap;
static struct mlfs_columns cols;

static void on_register(const struct mlproxy_register *reg)
{
	unsigned i;

	if (kdev_register_columns(reg, &cols) < 0)
		return;
	assert(cols.n == reg->ncols && cols.target == cols.n - 1);
	for (i = 0; i < cols.n; i++)
		assert(mlfs_name_valid(cols.names[i], strlen(cols.names[i])));
	if (nmap == SUBSYS_MAX)
		return;
	map[nmap].kid = reg->hdr.subsys;
	map[nmap].ncols = reg->ncols;
	for (i = 0; i < reg->ncols; i++)
		map[nmap].scale[i] = reg->cols[i].scale;
	nmap++;
}

static void on_sample(const struct mlproxy_sample *s)
{
	struct mlfs_value row[MLPROXY_COLUMNS_MAX];
	double x[MLPROXY_COLUMNS_MAX];
	unsigned i, j;

	for (i = 0; i < nmap; i++) {
		if (map[i].kid != s->hdr.subsys || map[i].ncols != s->ncols)
			continue;
		kdev_sample_row(s, map[i].scale, row);
		kdev_sample_features(s, map[i].scale, x);
		for (j = 0; j < s->ncols; j++)
			assert(row[j].type == MLFS_VALUE_INT || isfinite(row[j].r));
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mlproxy_hdr *hdr;
	size_t off = 0, before;
	char *buf;
	int r;

	/* The reader's buffer comes from malloc: records start 8-byte aligned. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nmap = 0;
	for (;;) {
		before = off;
		r = kdev_record_next(buf, size, &off, &hdr);
		if (r <= 0)
			break;
		assert(off > before && off <= size && hdr->size == off - before);
		assert(mlproxy_record_check(hdr, hdr->size) == (int)hdr->size);
		if (hdr->type == MLPROXY_REGISTER)
			on_register((const void *)hdr);
		else if (hdr->type == MLPROXY_SAMPLE)
			on_sample((const void *)hdr);
	}
	assert(r == 0 ? off == size : off < size);
	free(buf);
	return 0;
}
