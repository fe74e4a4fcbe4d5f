// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Streaming a subsystem's rows from a snapshot. Each cursor owns a reader
 * connection inside an open read transaction: WAL keeps the snapshot of its first
 * step however much the writer commits, and memory stays bounded by SQLite's page
 * cache whatever the table's size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

struct mlfs_cursor {
	struct mlfs_store *store;
	sqlite3 *db;
	sqlite3_stmt *stmt; /* NULL when the subsystem has no table yet */
	int pending;        /* result of the step taken ahead, to fix the snapshot */
	struct mlfs_columns cols;
	struct mlfs_value row[MLFS_COLUMNS_MAX];
};

/* BEGIN, prepare, and step once: the first step is what pins the snapshot. */
int store_snapshot_begin(sqlite3 *db, const char *sql, sqlite3_stmt **ret_stmt, int *ret_step)
{
	int rc, r;

	r = store_exec(db, "BEGIN");
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(db, sql, -1, ret_stmt, NULL);
	if (rc != SQLITE_OK) {
		r = store_errno(db, rc);
		store_exec(db, "ROLLBACK");
		return r;
	}
	*ret_step = sqlite3_step(*ret_stmt);
	if (*ret_step != SQLITE_ROW && *ret_step != SQLITE_DONE) {
		r = store_errno(db, *ret_step);
		sqlite3_finalize(*ret_stmt);
		*ret_stmt = NULL;
		store_exec(db, "ROLLBACK");
		return r;
	}
	return 0;
}

void store_snapshot_end(struct mlfs_store *store, sqlite3 *db, sqlite3_stmt *stmt)
{
	sqlite3_finalize(stmt);
	if (!db)
		return;
	store_exec(db, "ROLLBACK");
	store_reader_put(store, db);
}

/* Every row, or (@tail > 0) the newest @tail: found by the primary key, not by a scan. */
static char *select_sql(const struct mlfs_subsys *ss, const struct mlfs_columns *cols,
			uint64_t tail)
{
	size_t cap = 256 + 3 * MLFS_SUBSYS_NAME_MAX + cols->n * (MLFS_COLUMN_NAME_MAX + 4), len;
	char *sql = malloc(cap);
	unsigned i;

	if (!sql)
		return NULL;
	len = (size_t)snprintf(sql, cap, "SELECT ");
	for (i = 0; i < cols->n; i++)
		len += (size_t)snprintf(sql + len, cap - len, "%s\"%s\"", i ? "," : "",
					cols->names[i]);
	len += (size_t)snprintf(sql + len, cap - len, " FROM \"ds_%s\"", ss->name);
	if (tail > 0)
		len += (size_t)snprintf(sql + len, cap - len,
					" WHERE seq > coalesce((SELECT seq FROM \"ds_%s\" "
					"ORDER BY seq DESC LIMIT 1 OFFSET %llu), 0)",
					ss->name, (unsigned long long)tail);
	snprintf(sql + len, cap - len, " ORDER BY seq");
	return sql;
}

static int cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t tail,
		       struct mlfs_cursor **ret_cursor)
{
	struct mlfs_cursor *c;
	char *sql;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->store = store;
	c->pending = SQLITE_DONE;
	mlfs_subsys_columns(ss, &c->cols);
	if (c->cols.n == 0)
		goto out_ok;

	r = store_reader_get(store, &c->db);
	if (r < 0)
		goto out_free;
	sql = select_sql(ss, &c->cols, tail);
	r = sql ? store_snapshot_begin(c->db, sql, &c->stmt, &c->pending) : -ENOMEM;
	free(sql);
	if (r < 0) {
		/* A table dropped by rmdir between lookup and open. */
		store_reader_put(store, c->db);
		goto out_free;
	}
out_ok:
	*ret_cursor = c;
	return 0;
out_free:
	free(c);
	return r;
}

int mlfs_cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss,
		     struct mlfs_cursor **ret_cursor)
{
	return cursor_open(store, ss, 0, ret_cursor);
}

int mlfs_cursor_open_tail(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t rows,
			  struct mlfs_cursor **ret_cursor)
{
	if (rows == 0)
		return -EINVAL;
	return cursor_open(store, ss, rows, ret_cursor);
}

void mlfs_cursor_close(struct mlfs_cursor *cursor)
{
	if (!cursor)
		return;
	store_snapshot_end(cursor->store, cursor->db, cursor->stmt);
	free(cursor);
}

const struct mlfs_columns *mlfs_cursor_columns(const struct mlfs_cursor *cursor)
{
	return &cursor->cols;
}

int mlfs_cursor_next(struct mlfs_cursor *c, const struct mlfs_value **ret_row)
{
	int rc = c->pending;
	unsigned i;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_errno(c->db, rc);
	/*
	 * One sqlite3_column_value() per cell instead of a type and a value call, each
	 * with its own API overhead: the export's hot loop. Reader connections are
	 * opened NOMUTEX, where protected and unprotected values are the same.
	 */
	for (i = 0; i < c->cols.n; i++) {
		sqlite3_value *v = sqlite3_column_value(c->stmt, (int)i);

		if (sqlite3_value_type(v) == SQLITE_FLOAT) {
			c->row[i].type = MLFS_VALUE_REAL;
			c->row[i].r = sqlite3_value_double(v);
		} else {
			c->row[i].type = MLFS_VALUE_INT;
			c->row[i].i = sqlite3_value_int64(v);
		}
	}
	*ret_row = c->row;
	c->pending = sqlite3_step(c->stmt);
	return 1;
}

int mlfs_cursor_rewind(struct mlfs_cursor *c)
{
	if (!c->stmt)
		return 0;
	sqlite3_reset(c->stmt);
	c->pending = sqlite3_step(c->stmt);
	return c->pending == SQLITE_ROW || c->pending == SQLITE_DONE ? 0
								      : store_errno(c->db, c->pending);
}

int mlfs_store_distinct_targets(struct mlfs_store *store, struct mlfs_subsys *ss, int limit)
{
	struct mlfs_columns *cols = malloc(sizeof(*cols));
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char sql[128 + MLFS_SUBSYS_NAME_MAX + MLFS_COLUMN_NAME_MAX];
	int step, r;

	if (!cols)
		return -ENOMEM;
	mlfs_subsys_columns(ss, cols);
	if (cols->n == 0) {
		free(cols);
		return 0;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT DISTINCT \"%s\" FROM \"ds_%s\" "
				   "LIMIT %d)", cols->names[cols->target], ss->name, limit);
	free(cols);
	r = store_reader_get(store, &db);
	if (r < 0)
		return r;
	r = store_snapshot_begin(db, sql, &stmt, &step);
	if (r < 0) {
		store_reader_put(store, db);
		return r;
	}
	r = step == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	store_snapshot_end(store, db, stmt);
	return r;
}
