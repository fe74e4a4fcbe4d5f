// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * <subsys>/status: one "key: value" per line, for people and for scripts (awk,
 * grep). Keys are only ever added, never renamed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "fs_i.h"

static int status_show(struct fs_file *f)
{
	struct mlfs_subsys_status st;
	struct mlfs_columns *cols = malloc(sizeof(*cols));
	char changed[40], ingested[40];
	unsigned i;
	int r = 0;

	if (!cols)
		return -ENOMEM;
	mlfs_subsys_status(f->ss, &st);
	mlfs_subsys_columns(f->ss, cols);
	fs_format_time(st.mode_changed_ns, changed, sizeof(changed));
	fs_format_time(st.last_ingest_ns, ingested, sizeof(ingested));

	r |= fs_file_printf(f, "name: %s\norigin: %s\ncolumns: ", mlfs_subsys_name(f->ss),
			    mlfs_origin_name(st.origin));
	for (i = 0; i < cols->n; i++)
		r |= fs_file_printf(f, "%s%s", i ? "," : "", cols->names[i]);
	r |= fs_file_printf(f, "\ntarget: %s\n", cols->n ? cols->names[cols->target] : "-");
	r |= fs_file_printf(f,
			    "rows: %" PRIu64 "\nrows_total: %" PRIu64 "\nrows_max: %" PRIu64
			    "\nbytes: %" PRIu64 "\ndrops: %" PRIu64 "\nqueued: %" PRIu64
			    "\nlast_ingest: %s\n",
			    st.rows, st.rows_total, st.rows_max, st.bytes, st.drops, st.queued,
			    ingested);
	r |= fs_file_printf(f,
			    "mode: %s\nmode_reason: %s\nmode_changed: %s\nmode_changes: %" PRIu64
			    "\nfeedback: %" PRIu64 "\n",
			    mlfs_mode_name(st.mode), st.mode_reason, changed, st.mode_changes,
			    st.feedback);
	free(cols);
	return r ? -ENOMEM : 0;
}

const struct fs_file_ops fs_status_ops = {
	.name = "status",
	.mode = 0444,
	.show = status_show,
};
