// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Feedback: metrics reported about a subsystem's behaviour (by the kernel's
 * efficiency accounting or by a user), stored one row per metric and read back
 * oldest first from a snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

struct mlfs_feedback_cursor {
	struct mlfs_store *store;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int pending;
	struct mlfs_feedback_row row;
};

int mlfs_store_feedback_add(struct mlfs_store *store, struct mlfs_subsys *ss, const char *source,
			    const struct mlfs_feedback *fb, unsigned n)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = store_now_ns();
	unsigned i;
	int rc = SQLITE_DONE, r;

	pthread_mutex_lock(&store->db_lock);
	if (atomic_load(&ss->removed)) {
		r = -ENOENT;
		goto out_unlock;
	}
	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		goto out_unlock;
	rc = sqlite3_prepare_v2(store->db,
				"INSERT INTO feedback (subsys_id, at, source, recommendation, arm, "
				"metric, value) VALUES (?,?,?,?,?,?,?)", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = SQLITE_DONE;
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(stmt, 1, ss->id);
		sqlite3_bind_int64(stmt, 2, now);
		sqlite3_bind_text(stmt, 3, source, -1, SQLITE_STATIC);
		if (fb[i].recommendation >= 0)
			sqlite3_bind_int64(stmt, 4, fb[i].recommendation);
		else
			sqlite3_bind_null(stmt, 4);
		if (fb[i].arm != MLFS_ARM_NONE)
			sqlite3_bind_text(stmt, 5, mlfs_arm_name(fb[i].arm), -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, 5);
		sqlite3_bind_text(stmt, 6, fb[i].metric, -1, SQLITE_STATIC);
		sqlite3_bind_double(stmt, 7, fb[i].value);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	r = rc == SQLITE_DONE ? store_exec(store->db, "COMMIT") : store_errno(store->db, rc);
	if (r < 0) {
		store_exec(store->db, "ROLLBACK");
		goto out_unlock;
	}
	pthread_mutex_lock(&ss->lock);
	ss->feedback += n;
	pthread_mutex_unlock(&ss->lock);
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

/* Every report, or (@tail > 0) the newest @tail, found through feedback_by_subsys. */
static int cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t tail,
		       struct mlfs_feedback_cursor **ret_cursor)
{
	struct mlfs_feedback_cursor *c;
	char sql[400], from[160] = "0";
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->store = store;
	r = store_reader_get(store, &c->db);
	if (r < 0)
		goto out_free;
	if (tail > 0)
		snprintf(from, sizeof(from),
			 "coalesce((SELECT id FROM feedback WHERE subsys_id = %lld "
			 "ORDER BY id DESC LIMIT 1 OFFSET %llu), 0)",
			 (long long)ss->id, (unsigned long long)tail);
	snprintf(sql, sizeof(sql),
		 "SELECT at, source, recommendation, arm, metric, value FROM feedback "
		 "WHERE subsys_id = %lld AND id > %s ORDER BY id", (long long)ss->id, from);
	r = store_snapshot_begin(c->db, sql, &c->stmt, &c->pending);
	if (r < 0) {
		store_reader_put(store, c->db);
		goto out_free;
	}
	*ret_cursor = c;
	return 0;
out_free:
	free(c);
	return r;
}

int mlfs_feedback_cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss,
			      struct mlfs_feedback_cursor **ret_cursor)
{
	return cursor_open(store, ss, 0, ret_cursor);
}

int mlfs_feedback_cursor_open_tail(struct mlfs_store *store, struct mlfs_subsys *ss,
				   uint64_t reports, struct mlfs_feedback_cursor **ret_cursor)
{
	if (reports == 0)
		return -EINVAL;
	return cursor_open(store, ss, reports, ret_cursor);
}

void mlfs_feedback_cursor_close(struct mlfs_feedback_cursor *c)
{
	if (!c)
		return;
	store_snapshot_end(c->store, c->db, c->stmt);
	free(c);
}

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
	snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

int mlfs_feedback_cursor_next(struct mlfs_feedback_cursor *c,
			      const struct mlfs_feedback_row **ret_row)
{
	struct mlfs_feedback_row *row = &c->row;
	const unsigned char *arm;

	if (c->pending == SQLITE_DONE)
		return 0;
	if (c->pending != SQLITE_ROW)
		return store_errno(c->db, c->pending);
	row->at_ns = sqlite3_column_int64(c->stmt, 0);
	copy_text(row->source, sizeof(row->source), sqlite3_column_text(c->stmt, 1));
	row->fb.recommendation = sqlite3_column_type(c->stmt, 2) == SQLITE_NULL
					 ? -1
					 : sqlite3_column_int64(c->stmt, 2);
	arm = sqlite3_column_text(c->stmt, 3);
	row->fb.arm = !arm ? MLFS_ARM_NONE
		      : strcmp((const char *)arm, "ml") == 0 ? MLFS_ARM_ML
							     : MLFS_ARM_DEFAULT;
	copy_text(row->fb.metric, sizeof(row->fb.metric), sqlite3_column_text(c->stmt, 4));
	row->fb.value = sqlite3_column_double(c->stmt, 5);
	*ret_row = row;
	c->pending = sqlite3_step(c->stmt);
	return 1;
}

int mlfs_feedback_cursor_rewind(struct mlfs_feedback_cursor *c)
{
	sqlite3_reset(c->stmt);
	c->pending = sqlite3_step(c->stmt);
	return c->pending == SQLITE_ROW || c->pending == SQLITE_DONE ? 0
								      : store_errno(c->db, c->pending);
}
