// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Labels: training rows learnt from feedback rather than published, kept apart
 * from the dataset so that the dataset stays what the subsystem saw.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

int mlfs_store_label_add(struct mlfs_store *store, struct mlfs_subsys *ss, const double *x,
			 unsigned n, double target)
{
	char text[MLFS_COLUMNS_MAX * (MLFS_VALUE_TEXT_MAX + 1) + 1];
	sqlite3_stmt *stmt;
	size_t len = 0;
	unsigned i;
	int rc, r = 0;

	if (n == 0 || n > MLFS_COLUMNS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct mlfs_value v = { .r = x[i], .type = MLFS_VALUE_REAL };

		if (i)
			text[len++] = ',';
		len += mlfs_value_format(&v, text + len);
	}
	pthread_mutex_lock(&store->db_lock);
	rc = sqlite3_prepare_v2(store->db, "INSERT INTO labels (subsys_id, at, features, target) "
					   "VALUES (?,?,?,?)", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, ss->id);
		sqlite3_bind_int64(stmt, 2, store_now_ns());
		sqlite3_bind_text(stmt, 3, text, (int)len, SQLITE_STATIC);
		sqlite3_bind_double(stmt, 4, target);
		rc = sqlite3_step(stmt);
		sqlite3_finalize(stmt);
	}
	if (rc != SQLITE_DONE)
		r = store_errno(store->db, rc);
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

int mlfs_store_labels_each(struct mlfs_store *store, struct mlfs_subsys *ss,
			   int (*fn)(void *ctx, const double *x, unsigned n, double target),
			   void *ctx)
{
	struct mlfs_value row[MLFS_COLUMNS_MAX];
	double x[MLFS_COLUMNS_MAX];
	struct mlfs_parse_error err;
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char sql[96];
	int step, r;

	r = store_reader_get(store, &db);
	if (r < 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT features, target FROM labels WHERE subsys_id = %lld "
				   "ORDER BY id", (long long)ss->id);
	r = store_snapshot_begin(db, sql, &stmt, &step);
	if (r < 0) {
		store_reader_put(store, db);
		return r;
	}
	while (r >= 0 && step == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(stmt, 0);
		size_t len = (size_t)sqlite3_column_bytes(stmt, 0);
		unsigned n = 1, i;

		for (i = 0; i < len; i++)
			n += text[i] == ',';
		/* A row this program wrote: one that does not parse is skipped, not fatal. */
		if (n <= MLFS_COLUMNS_MAX && mlfs_csv_parse_row(text, len, n, row, &err) == 0) {
			for (i = 0; i < n; i++)
				x[i] = row[i].type == MLFS_VALUE_REAL ? row[i].r : (double)row[i].i;
			r = fn(ctx, x, n, sqlite3_column_double(stmt, 1));
		}
		step = sqlite3_step(stmt);
	}
	if (r >= 0 && step != SQLITE_DONE)
		r = store_errno(db, step);
	store_snapshot_end(store, db, stmt);
	return r < 0 ? r : 0;
}
