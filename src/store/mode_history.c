// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Reading back a subsystem's mode history, for pictures that mark when the mode
 * changed. Only the newest changes are read, so a subsystem whose mode flapped a
 * million times costs no more than one that changed twice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_i.h"

int mlfs_store_mode_history(struct mlfs_store *store, struct mlfs_subsys *ss,
			    struct mlfs_mode_change *ret, unsigned max)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db;
	unsigned n = 0;
	int rc, r;

	if (max == 0)
		return 0;
	r = store_reader_get(store, &db);
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(db,
				"SELECT at, mode FROM (SELECT id, at, mode FROM mode_history "
				"WHERE subsys_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
				-1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		r = store_errno(db, rc);
		goto out_put;
	}
	sqlite3_bind_int64(stmt, 1, ss->id);
	sqlite3_bind_int64(stmt, 2, max);
	while (n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 1);

		/* The table's CHECK allows the four words only; anything else is skipped. */
		if (!mode || mlfs_mode_parse(mode, strlen(mode), &ret[n].mode) < 0)
			continue;
		ret[n].at_ns = sqlite3_column_int64(stmt, 0);
		n++;
	}
	r = rc == SQLITE_ROW || rc == SQLITE_DONE ? (int)n : store_errno(db, rc);
	sqlite3_finalize(stmt);
out_put:
	store_reader_put(store, db);
	return r;
}
