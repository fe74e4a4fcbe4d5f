// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The eBPF collectors in a build without them (-Dbpf=disabled, or no kernel BTF,
 * bpftool or clang when it was configured): the names are still known, and each
 * collector asked for is reported once as not built, while the daemon runs on.
 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "collector.h"

struct mlfs_bpf {
	unsigned mask;
	mlfs_collector_log_fn log;
};

bool mlfs_bpf_built(void)
{
	return false;
}

int mlfs_bpf_new(const struct mlfs_bpf_options *opts, struct mlfs_store *store,
		 mlfs_collector_log_fn log, struct mlfs_bpf **ret_bpf)
{
	struct mlfs_bpf *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->mask = opts->mask;
	b->log = log;
	*ret_bpf = b;
	return 0;
}

void mlfs_bpf_load(struct mlfs_bpf *b)
{
	unsigned kind;

	for (kind = 0; kind < MLFS_BPF_MAX; kind++)
		if (b->mask & (1u << kind))
			b->log(LOG_WARNING,
			       "%s: eBPF collector not built into this mlfs (meson "
			       "-Dbpf, which needs the kernel's BTF, bpftool and clang "
			       "at build time); running without it",
			       mlfs_bpf_name(kind));
}

int mlfs_bpf_start(struct mlfs_bpf *b)
{
	return 0;
}

bool mlfs_bpf_lost_events(struct mlfs_bpf *b, struct mlfs_subsys *ss, uint64_t *ret_lost)
{
	return false;
}

bool mlfs_bpf_observed(struct mlfs_bpf *b, struct mlfs_subsys *ss, const char **ret_name,
		       uint64_t *ret_n)
{
	return false;
}

const char *mlfs_bpf_observed_by(struct mlfs_bpf *b, struct mlfs_subsys *ss)
{
	return NULL;
}

void mlfs_bpf_free(struct mlfs_bpf *b)
{
	free(b);
}
