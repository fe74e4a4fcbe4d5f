// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Model versions: every model a subsystem had is kept, so a rollback can return
 * to the one before; subsystems.model_version names the active one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

void mlfs_model_record_fini(struct mlfs_model_record *rec)
{
	free(rec->model_text);
	free(rec->scale_text);
	rec->model_text = rec->scale_text = NULL;
	rec->model_len = rec->scale_len = 0;
}

int64_t mlfs_subsys_model_version(struct mlfs_subsys *ss)
{
	int64_t v;

	pthread_mutex_lock(&ss->lock);
	v = ss->model_version;
	pthread_mutex_unlock(&ss->lock);
	return v;
}

bool mlfs_subsys_autoretrain(struct mlfs_subsys *ss)
{
	bool on;

	pthread_mutex_lock(&ss->lock);
	on = ss->autoretrain;
	pthread_mutex_unlock(&ss->lock);
	return on;
}

/* subsystems.@column = @value for @ss; @column is one of this file's own. Caller holds db_lock. */
static int set_column(sqlite3 *db, struct mlfs_subsys *ss, const char *column, int64_t value)
{
	sqlite3_stmt *stmt;
	char sql[80];
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE subsystems SET %s = ? WHERE id = ?", column);
	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_errno(db, rc);
	sqlite3_bind_int64(stmt, 1, value);
	sqlite3_bind_int64(stmt, 2, ss->id);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : store_errno(db, rc);
}

static int set_active(sqlite3 *db, struct mlfs_subsys *ss, int64_t version)
{
	return set_column(db, ss, "model_version", version);
}

int mlfs_store_set_autoretrain(struct mlfs_store *store, struct mlfs_subsys *ss, bool on)
{
	int r;

	pthread_mutex_lock(&store->db_lock);
	r = set_column(store->db, ss, "autoretrain", on);
	if (r == 0) {
		pthread_mutex_lock(&ss->lock);
		ss->autoretrain = on;
		pthread_mutex_unlock(&ss->lock);
	}
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

static void bind_real(sqlite3_stmt *stmt, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_double(stmt, i, v);
}

static int insert_model(sqlite3 *db, struct mlfs_subsys *ss, struct mlfs_model_record *rec)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite3_prepare_v2(db,
				"INSERT INTO models (subsys_id, version, created_at, origin, kind, "
				"params, cv_accuracy, cv_mse, rows_used, seconds, model_text, "
				"scale_text) VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM "
				"models WHERE subsys_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
				"RETURNING version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_errno(db, rc);
	sqlite3_bind_int64(stmt, 1, ss->id);
	sqlite3_bind_int64(stmt, 2, rec->created_ns);
	sqlite3_bind_text(stmt, 3, rec->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, rec->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, rec->params, -1, SQLITE_STATIC);
	bind_real(stmt, 6, rec->cv_accuracy);
	bind_real(stmt, 7, rec->cv_mse);
	if (rec->rows_used >= 0)
		sqlite3_bind_int64(stmt, 8, rec->rows_used);
	else
		sqlite3_bind_null(stmt, 8);
	bind_real(stmt, 9, rec->seconds);
	sqlite3_bind_text(stmt, 10, rec->model_text, (int)rec->model_len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 11, rec->scale_text ? rec->scale_text : "",
			  (int)rec->scale_len, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		rec->version = sqlite3_column_int64(stmt, 0);
		rc = sqlite3_step(stmt);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : store_errno(db, rc);
}

int mlfs_store_model_add(struct mlfs_store *store, struct mlfs_subsys *ss,
			 struct mlfs_model_record *rec)
{
	int r;

	rec->created_ns = store_now_ns();
	pthread_mutex_lock(&store->db_lock);
	if (atomic_load(&ss->removed)) {
		r = -ENOENT;
		goto out_unlock;
	}
	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		goto out_unlock;
	r = insert_model(store->db, ss, rec);
	if (r == 0)
		r = set_active(store->db, ss, rec->version);
	if (r == 0)
		r = store_exec(store->db, "COMMIT");
	if (r < 0) {
		store_exec(store->db, "ROLLBACK");
		goto out_unlock;
	}
	pthread_mutex_lock(&ss->lock);
	ss->model_version = rec->version;
	pthread_mutex_unlock(&ss->lock);
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

static char *column_copy(sqlite3_stmt *stmt, int i, size_t *ret_len)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);
	size_t len = (size_t)sqlite3_column_bytes(stmt, i);
	char *copy = malloc(len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, t ? (const char *)t : "", len);
	copy[len] = '\0';
	*ret_len = len;
	return copy;
}

static double column_real(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, i);
}

/* Readers use the writer's connection too: loading a model is rare and small. */
int mlfs_store_model_load(struct mlfs_store *store, struct mlfs_subsys *ss, int64_t version,
			  struct mlfs_model_record *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	memset(ret, 0, sizeof(*ret));
	if (version == 0)
		version = mlfs_subsys_model_version(ss);
	if (version == 0)
		return -ENOENT;
	pthread_mutex_lock(&store->db_lock);
	rc = sqlite3_prepare_v2(store->db,
				"SELECT version, created_at, origin, kind, params, cv_accuracy, "
				"cv_mse, rows_used, seconds, model_text, scale_text FROM models "
				"WHERE subsys_id = ? AND version = ?", -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		r = store_errno(store->db, rc);
		goto out_unlock;
	}
	sqlite3_bind_int64(stmt, 1, ss->id);
	sqlite3_bind_int64(stmt, 2, version);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? -ENOENT : store_errno(store->db, rc);
		goto out_finalize;
	}
	ret->version = sqlite3_column_int64(stmt, 0);
	ret->created_ns = sqlite3_column_int64(stmt, 1);
	snprintf(ret->origin, sizeof(ret->origin), "%s", sqlite3_column_text(stmt, 2));
	snprintf(ret->kind, sizeof(ret->kind), "%s", sqlite3_column_text(stmt, 3));
	snprintf(ret->params, sizeof(ret->params), "%s", sqlite3_column_text(stmt, 4));
	ret->cv_accuracy = column_real(stmt, 5);
	ret->cv_mse = column_real(stmt, 6);
	ret->rows_used = sqlite3_column_type(stmt, 7) == SQLITE_NULL ? -1
								      : sqlite3_column_int64(stmt, 7);
	ret->seconds = column_real(stmt, 8);
	ret->model_text = column_copy(stmt, 9, &ret->model_len);
	ret->scale_text = column_copy(stmt, 10, &ret->scale_len);
	if (!ret->model_text || !ret->scale_text) {
		mlfs_model_record_fini(ret);
		r = -ENOMEM;
	}
out_finalize:
	sqlite3_finalize(stmt);
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

int mlfs_store_model_activate(struct mlfs_store *store, struct mlfs_subsys *ss, int64_t version)
{
	sqlite3_stmt *stmt;
	int rc, r;

	pthread_mutex_lock(&store->db_lock);
	rc = sqlite3_prepare_v2(store->db, "SELECT 1 FROM models WHERE subsys_id = ? AND "
					   "version = ?", -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		r = store_errno(store->db, rc);
		goto out_unlock;
	}
	sqlite3_bind_int64(stmt, 1, ss->id);
	sqlite3_bind_int64(stmt, 2, version);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	r = rc == SQLITE_ROW ? set_active(store->db, ss, version)
			     : rc == SQLITE_DONE ? -ENOENT : store_errno(store->db, rc);
	if (r == 0) {
		pthread_mutex_lock(&ss->lock);
		ss->model_version = version;
		pthread_mutex_unlock(&ss->lock);
	}
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

int64_t mlfs_store_model_previous(struct mlfs_store *store, struct mlfs_subsys *ss)
{
	sqlite3_stmt *stmt;
	int64_t v = -ENOENT;

	pthread_mutex_lock(&store->db_lock);
	if (sqlite3_prepare_v2(store->db, "SELECT max(version) FROM models WHERE subsys_id = ? "
					  "AND version < ?", -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, ss->id);
		sqlite3_bind_int64(stmt, 2, mlfs_subsys_model_version(ss));
		if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	pthread_mutex_unlock(&store->db_lock);
	return v;
}
