// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Subsystems: the in-memory registry, kept in step with the subsystems, columns
 * and mode_history tables, and each subsystem's own table of rows ("ds_<name>").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

static const char *const origin_names[MLFS_ORIGIN_MAX] = {
	[MLFS_ORIGIN_USER] = "user",
	[MLFS_ORIGIN_KERNEL] = "kernel",
	[MLFS_ORIGIN_BPF] = "bpf",
};

/* Names the tree uses for itself, now or in a later version: never a subsystem. */
static const char *const reserved_names[] = {
	"datasets", "recommendations", "modes", "feedback", "models", "metrics",
	"status", "control", "lost+found",
};

const char *mlfs_origin_name(enum mlfs_origin origin)
{
	return (unsigned)origin < MLFS_ORIGIN_MAX ? origin_names[origin] : "unknown";
}

static int origin_parse(const char *s)
{
	int i;

	for (i = 0; i < MLFS_ORIGIN_MAX; i++)
		if (s && strcmp(s, origin_names[i]) == 0)
			return i;
	return -EINVAL;
}

int mlfs_subsys_name_check(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0)
		return -EINVAL;
	if (len > MLFS_SUBSYS_NAME_MAX)
		return -ENAMETOOLONG;
	if (name[0] == '.' || name[0] == '-')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return -EINVAL;
	}
	for (i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (strcmp(name, reserved_names[i]) == 0)
			return -EINVAL;
	return 0;
}

struct mlfs_subsys *mlfs_subsys_ref(struct mlfs_subsys *ss)
{
	atomic_fetch_add(&ss->refs, 1);
	return ss;
}

void mlfs_subsys_unref(struct mlfs_subsys *ss)
{
	if (!ss || atomic_fetch_sub(&ss->refs, 1) != 1)
		return;
	/* The writer finalizes the INSERT before dropping the registry's reference. */
	pthread_mutex_destroy(&ss->lock);
	free(ss);
}

int64_t mlfs_subsys_id(const struct mlfs_subsys *ss)
{
	return ss->id;
}

const char *mlfs_subsys_name(const struct mlfs_subsys *ss)
{
	return ss->name;
}

enum mlfs_origin mlfs_subsys_origin(const struct mlfs_subsys *ss)
{
	return ss->origin;
}

bool mlfs_subsys_removed(const struct mlfs_subsys *ss)
{
	return atomic_load(&ss->removed);
}

static struct mlfs_subsys *subsys_new(int64_t id, const char *name, enum mlfs_origin origin)
{
	struct mlfs_subsys *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return NULL;
	ss->id = id;
	snprintf(ss->name, sizeof(ss->name), "%s", name);
	ss->origin = origin;
	atomic_init(&ss->refs, 1);
	pthread_mutex_init(&ss->lock, NULL);
	return ss;
}

/* Takes over the caller's reference. */
static int registry_add(struct mlfs_store *store, struct mlfs_subsys *ss)
{
	int r = 0;

	pthread_rwlock_wrlock(&store->subsys_lock);
	if (store->nsubsys == store->subsys_cap) {
		size_t cap = store->subsys_cap ? store->subsys_cap * 2 : 16;
		struct mlfs_subsys **n = realloc(store->subsys, cap * sizeof(*n));

		if (!n)
			r = -ENOMEM;
		else {
			store->subsys = n;
			store->subsys_cap = cap;
		}
	}
	if (r == 0)
		store->subsys[store->nsubsys++] = ss;
	pthread_rwlock_unlock(&store->subsys_lock);
	return r;
}

/* Returns the registry's reference. */
static struct mlfs_subsys *registry_del(struct mlfs_store *store, struct mlfs_subsys *ss)
{
	struct mlfs_subsys *found = NULL;
	size_t i;

	pthread_rwlock_wrlock(&store->subsys_lock);
	for (i = 0; i < store->nsubsys; i++) {
		if (store->subsys[i] == ss) {
			found = ss;
			memmove(&store->subsys[i], &store->subsys[i + 1],
				(store->nsubsys - i - 1) * sizeof(ss));
			store->nsubsys--;
			break;
		}
	}
	pthread_rwlock_unlock(&store->subsys_lock);
	return found;
}

struct mlfs_subsys *mlfs_store_subsys_get(struct mlfs_store *store, const char *name)
{
	struct mlfs_subsys *ss = NULL;
	size_t i;

	pthread_rwlock_rdlock(&store->subsys_lock);
	for (i = 0; i < store->nsubsys; i++)
		if (strcmp(store->subsys[i]->name, name) == 0) {
			ss = mlfs_subsys_ref(store->subsys[i]);
			break;
		}
	pthread_rwlock_unlock(&store->subsys_lock);
	return ss;
}

struct mlfs_subsys *mlfs_store_subsys_get_id(struct mlfs_store *store, int64_t id)
{
	struct mlfs_subsys *ss = NULL;
	size_t i;

	pthread_rwlock_rdlock(&store->subsys_lock);
	for (i = 0; i < store->nsubsys; i++)
		if (store->subsys[i]->id == id) {
			ss = mlfs_subsys_ref(store->subsys[i]);
			break;
		}
	pthread_rwlock_unlock(&store->subsys_lock);
	return ss;
}

int mlfs_store_subsys_list(struct mlfs_store *store, struct mlfs_subsys ***ret_list)
{
	struct mlfs_subsys **list;
	size_t i, n;

	pthread_rwlock_rdlock(&store->subsys_lock);
	n = store->nsubsys;
	list = calloc(n ? n : 1, sizeof(*list));
	if (list)
		for (i = 0; i < n; i++)
			list[i] = mlfs_subsys_ref(store->subsys[i]);
	pthread_rwlock_unlock(&store->subsys_lock);
	if (!list)
		return -ENOMEM;
	*ret_list = list;
	return (int)n;
}

void mlfs_subsys_list_free(struct mlfs_subsys **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		mlfs_subsys_unref(list[i]);
	free(list);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret)
{
	return store_errno(db, sqlite3_prepare_v2(db, sql, -1, ret, NULL));
}

static int step_done(sqlite3 *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : store_errno(db, rc);
}

static int history_insert(sqlite3 *db, int64_t id, int64_t at, enum mlfs_mode mode,
			  const char *reason)
{
	sqlite3_stmt *stmt;
	int r;

	r = prepare(db, "INSERT INTO mode_history (subsys_id, at, mode, reason) VALUES (?,?,?,?)",
		    &stmt);
	if (r < 0)
		return r;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_text(stmt, 3, mlfs_mode_name(mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, reason, -1, SQLITE_TRANSIENT);
	return step_done(db, stmt);
}

static bool columns_equal(const struct mlfs_columns *a, const struct mlfs_columns *b)
{
	unsigned i;

	if (a->n != b->n || a->target != b->target)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return false;
	return true;
}

static const char *type_sql(enum mlfs_value_type type)
{
	return type == MLFS_VALUE_REAL ? "REAL" : "INTEGER";
}

static int create_table(sqlite3 *db, const struct mlfs_subsys *ss, const struct mlfs_columns *cols)
{
	/* ', "name" INTEGER NOT NULL' per column, after the table's name. */
	size_t cap = 128 + MLFS_SUBSYS_NAME_MAX + cols->n * (MLFS_COLUMN_NAME_MAX + 32), len;
	char *sql = malloc(cap);
	unsigned i;
	int r;

	if (!sql)
		return -ENOMEM;
	len = (size_t)snprintf(sql, cap, "CREATE TABLE \"ds_%s\" (seq INTEGER PRIMARY KEY",
			       ss->name);
	for (i = 0; i < cols->n; i++)
		len += (size_t)snprintf(sql + len, cap - len, ", \"%s\" %s NOT NULL",
					cols->names[i], type_sql(cols->types[i]));
	snprintf(sql + len, cap - len, ")");
	r = store_exec(db, sql);
	free(sql);
	return r;
}

static int insert_columns(sqlite3 *db, int64_t id, const struct mlfs_columns *cols)
{
	sqlite3_stmt *stmt;
	unsigned i;
	int rc = SQLITE_DONE, r;

	r = prepare(db, "INSERT INTO columns (subsys_id, position, name, type, is_target) "
			"VALUES (?,?,?,?,?)", &stmt);
	if (r < 0)
		return r;
	for (i = 0; i < cols->n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int(stmt, 2, (int)i);
		sqlite3_bind_text(stmt, 3, cols->names[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, type_sql(cols->types[i]), -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 5, i == cols->target);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : store_errno(db, rc);
}

static bool columns_valid(const struct mlfs_columns *cols)
{
	return cols->n > 0 && cols->n <= MLFS_COLUMNS_MAX && cols->target < cols->n;
}

/* mlfs_store_subsys_create(), with its columns in the same transaction unless @cols is NULL. */
static int subsys_create(struct mlfs_store *store, const char *name, enum mlfs_origin origin,
			 const struct mlfs_columns *cols, struct mlfs_subsys **ret_ss)
{
	struct mlfs_subsys *ss, *existing;
	sqlite3_stmt *stmt;
	char reason[MLFS_REASON_MAX];
	int64_t now = store_now_ns();
	int r;

	if (cols && !columns_valid(cols))
		return -EINVAL;
	r = mlfs_subsys_name_check(name);
	if (r < 0)
		return r;
	pthread_mutex_lock(&store->db_lock);
	existing = mlfs_store_subsys_get(store, name);
	if (existing) {
		mlfs_subsys_unref(existing);
		r = -EEXIST;
		goto out_unlock;
	}
	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		goto out_unlock;
	r = prepare(store->db, "INSERT INTO subsystems (name, origin, created_at) VALUES (?,?,?)",
		    &stmt);
	if (r < 0)
		goto out_rollback;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, mlfs_origin_name(origin), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	r = step_done(store->db, stmt);
	if (r < 0)
		goto out_rollback;

	ss = subsys_new(sqlite3_last_insert_rowid(store->db), name, origin);
	if (!ss) {
		r = -ENOMEM;
		goto out_rollback;
	}
	ss->rows_max = store->rows_max;
	ss->autoretrain = true;
	snprintf(reason, sizeof(reason), "created (%s subsystem)", mlfs_origin_name(origin));
	r = history_insert(store->db, ss->id, now, MLFS_MODE_LEARNING, reason);
	if (r == 0 && cols) {
		r = create_table(store->db, ss, cols);
		if (r == 0)
			r = insert_columns(store->db, ss->id, cols);
		if (r == 0)
			ss->cols = *cols; /* nobody sees ss before registry_add() */
	}
	if (r == 0)
		r = store_exec(store->db, "COMMIT");
	if (r < 0) {
		mlfs_subsys_unref(ss);
		goto out_rollback;
	}
	ss->mode = MLFS_MODE_LEARNING;
	snprintf(ss->mode_reason, sizeof(ss->mode_reason), "%s", reason);
	ss->mode_changed_ns = now;
	ss->mode_changes = 1;
	if (ret_ss)
		*ret_ss = mlfs_subsys_ref(ss);
	r = registry_add(store, ss);
	if (r < 0 && ret_ss)
		mlfs_subsys_unref(*ret_ss);
	if (r < 0)
		mlfs_subsys_unref(ss);
	goto out_unlock;

out_rollback:
	store_exec(store->db, "ROLLBACK");
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

int mlfs_store_subsys_create(struct mlfs_store *store, const char *name, enum mlfs_origin origin,
			     struct mlfs_subsys **ret_ss)
{
	return subsys_create(store, name, origin, NULL, ret_ss);
}

int mlfs_store_subsys_create_defined(struct mlfs_store *store, const char *name,
				     enum mlfs_origin origin, const struct mlfs_columns *cols,
				     struct mlfs_subsys **ret_ss)
{
	return subsys_create(store, name, origin, cols, ret_ss);
}

int mlfs_store_subsys_remove(struct mlfs_store *store, struct mlfs_subsys *ss)
{
	sqlite3_stmt *stmt;
	char sql[128];
	int r;

	pthread_mutex_lock(&store->db_lock);
	if (atomic_load(&ss->removed)) {
		r = -ENOENT;
		goto out_unlock;
	}
	sqlite3_finalize(ss->insert);
	ss->insert = NULL;
	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		goto out_unlock;
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS \"ds_%s\"", ss->name);
	r = store_exec(store->db, sql);
	if (r == 0)
		r = prepare(store->db, "DELETE FROM subsystems WHERE id = ?", &stmt);
	if (r == 0) {
		sqlite3_bind_int64(stmt, 1, ss->id);
		r = step_done(store->db, stmt);
	}
	if (r == 0)
		r = store_exec(store->db, "COMMIT");
	if (r < 0) {
		store_exec(store->db, "ROLLBACK");
		goto out_unlock;
	}
	/* The writer skips queued batches of a removed subsystem. */
	atomic_store(&ss->removed, true);
	mlfs_subsys_unref(registry_del(store, ss));
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

int mlfs_store_subsys_define(struct mlfs_store *store, struct mlfs_subsys *ss,
			     const struct mlfs_columns *cols)
{
	int r;

	if (!columns_valid(cols))
		return -EINVAL;
	pthread_mutex_lock(&store->db_lock);
	if (atomic_load(&ss->removed)) {
		r = -ENOENT;
		goto out_unlock;
	}
	if (ss->cols.n > 0) {
		r = columns_equal(&ss->cols, cols) ? 0 : -EEXIST;
		goto out_unlock;
	}
	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		goto out_unlock;
	r = create_table(store->db, ss, cols);
	if (r == 0)
		r = insert_columns(store->db, ss->id, cols);
	if (r == 0)
		r = store_exec(store->db, "COMMIT");
	if (r < 0) {
		store_exec(store->db, "ROLLBACK");
		goto out_unlock;
	}
	pthread_mutex_lock(&ss->lock);
	ss->cols = *cols;
	pthread_mutex_unlock(&ss->lock);
out_unlock:
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

void mlfs_subsys_columns(struct mlfs_subsys *ss, struct mlfs_columns *ret)
{
	pthread_mutex_lock(&ss->lock);
	ret->n = ss->cols.n;
	ret->target = ss->cols.target;
	memcpy(ret->names, ss->cols.names, ss->cols.n * sizeof(ret->names[0]));
	memcpy(ret->types, ss->cols.types, ss->cols.n * sizeof(ret->types[0]));
	pthread_mutex_unlock(&ss->lock);
}

void mlfs_subsys_status(struct mlfs_subsys *ss, struct mlfs_subsys_status *ret)
{
	pthread_mutex_lock(&ss->lock);
	ret->origin = ss->origin;
	ret->ncols = ss->cols.n;
	ret->rows = ss->max_seq ? ss->max_seq - ss->min_seq + 1 : 0;
	ret->rows_total = ss->max_seq;
	ret->rows_max = ss->rows_max;
	ret->bytes = ss->bytes;
	ret->drops = ss->drops;
	ret->queued = ss->queued;
	ret->last_ingest_ns = ss->last_ingest_ns;
	ret->mode = ss->mode;
	memcpy(ret->mode_reason, ss->mode_reason, sizeof(ret->mode_reason));
	ret->mode_changed_ns = ss->mode_changed_ns;
	ret->mode_changes = ss->mode_changes;
	ret->feedback = ss->feedback;
	pthread_mutex_unlock(&ss->lock);
}

enum mlfs_mode mlfs_subsys_mode(struct mlfs_subsys *ss)
{
	enum mlfs_mode mode;

	pthread_mutex_lock(&ss->lock);
	mode = ss->mode;
	pthread_mutex_unlock(&ss->lock);
	return mode;
}

/* Caller holds db_lock. */
static int mode_set_locked(struct mlfs_store *store, struct mlfs_subsys *ss, enum mlfs_mode mode,
			   const char *reason)
{
	int64_t now = store_now_ns();
	int r;

	if (atomic_load(&ss->removed))
		return -ENOENT;
	if (mlfs_subsys_mode(ss) == mode)
		return 0;
	r = history_insert(store->db, ss->id, now, mode, reason);
	if (r < 0)
		return r;
	pthread_mutex_lock(&ss->lock);
	ss->mode = mode;
	snprintf(ss->mode_reason, sizeof(ss->mode_reason), "%s", reason);
	ss->mode_changed_ns = now;
	ss->mode_changes++;
	pthread_mutex_unlock(&ss->lock);
	return 0;
}

int mlfs_store_mode_set(struct mlfs_store *store, struct mlfs_subsys *ss, enum mlfs_mode mode,
			const char *reason)
{
	int r;

	if (!mlfs_mode_name(mode))
		return -EINVAL;
	pthread_mutex_lock(&store->db_lock);
	r = mode_set_locked(store, ss, mode, reason);
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

void mlfs_subsys_set_mode_owner(struct mlfs_subsys *ss, const struct mlfs_mode_owner *owner)
{
	pthread_mutex_lock(&ss->lock);
	if (owner)
		ss->owner = *owner;
	else
		ss->owner.set_mode = NULL;
	pthread_mutex_unlock(&ss->lock);
}

/*
 * Under db_lock, so that the owner's echo of the change (the kernel reports every
 * mode change) is stored after this one, and finds nothing new.
 */
int mlfs_subsys_request_mode(struct mlfs_store *store, struct mlfs_subsys *ss,
			     enum mlfs_mode mode, const char *reason)
{
	struct mlfs_mode_owner owner;
	int r;

	if (!mlfs_mode_name(mode))
		return -EINVAL;
	pthread_mutex_lock(&store->db_lock);
	pthread_mutex_lock(&ss->lock);
	owner = ss->owner;
	pthread_mutex_unlock(&ss->lock);
	if (owner.set_mode)
		r = owner.set_mode(owner.ctx, ss, mode);
	else
		/* A kernel subsystem's mode is the kernel's to keep. */
		r = ss->origin == MLFS_ORIGIN_KERNEL ? -ENODEV : 0;
	if (r == 0)
		r = mode_set_locked(store, ss, mode, reason);
	pthread_mutex_unlock(&store->db_lock);
	return r;
}

void store_subsys_flush_counters(struct mlfs_store *store)
{
	struct mlfs_subsys **list;
	sqlite3_stmt *stmt;
	int i, n;

	n = mlfs_store_subsys_list(store, &list);
	if (n <= 0 || prepare(store->db, "UPDATE subsystems SET bytes = ?, drops = ?, last_ingest = ? "
					  "WHERE id = ?",
			      &stmt) < 0) {
		if (n >= 0)
			mlfs_subsys_list_free(list, n);
		return;
	}
	for (i = 0; i < n; i++) {
		struct mlfs_subsys *ss = list[i];
		bool dirty;

		pthread_mutex_lock(&ss->lock);
		dirty = ss->counters_dirty;
		if (dirty) {
			sqlite3_bind_int64(stmt, 1, (sqlite3_int64)ss->bytes);
			sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ss->drops);
			sqlite3_bind_int64(stmt, 3, ss->last_ingest_ns);
			ss->counters_dirty = false;
		}
		pthread_mutex_unlock(&ss->lock);
		if (!dirty)
			continue;
		sqlite3_bind_int64(stmt, 4, ss->id);
		sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	mlfs_subsys_list_free(list, n);
}

void store_subsys_mark_dirty(struct mlfs_store *store)
{
	size_t i;

	pthread_rwlock_rdlock(&store->subsys_lock);
	for (i = 0; i < store->nsubsys; i++) {
		pthread_mutex_lock(&store->subsys[i]->lock);
		store->subsys[i]->counters_dirty = true;
		pthread_mutex_unlock(&store->subsys[i]->lock);
	}
	pthread_rwlock_unlock(&store->subsys_lock);
}

/* Columns, mode and counters of one subsystem, from the database. */
static int load_one(sqlite3 *db, struct mlfs_subsys *ss)
{
	sqlite3_stmt *stmt;
	char sql[80 + 2 * MLFS_SUBSYS_NAME_MAX];
	int rc, r;

	r = prepare(db, "SELECT name, type, is_target FROM columns WHERE subsys_id = ? "
			"ORDER BY position", &stmt);
	if (r < 0)
		return r;
	sqlite3_bind_int64(stmt, 1, ss->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && ss->cols.n < MLFS_COLUMNS_MAX) {
		unsigned i = ss->cols.n++;

		snprintf(ss->cols.names[i], sizeof(ss->cols.names[i]), "%s",
			 (const char *)sqlite3_column_text(stmt, 0));
		ss->cols.types[i] = strcmp((const char *)sqlite3_column_text(stmt, 1), "REAL") == 0
					    ? MLFS_VALUE_REAL
					    : MLFS_VALUE_INT;
		if (sqlite3_column_int(stmt, 2))
			ss->cols.target = i;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_errno(db, rc);

	r = prepare(db, "SELECT mode, reason, at, (SELECT count(*) FROM mode_history "
			"WHERE subsys_id = ?1) FROM mode_history WHERE subsys_id = ?1 "
			"ORDER BY id DESC LIMIT 1", &stmt);
	if (r < 0)
		return r;
	sqlite3_bind_int64(stmt, 1, ss->id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);
		enum mlfs_mode m = MLFS_MODE_LEARNING;

		mlfs_mode_parse(mode, strlen(mode), &m);
		ss->mode = m;
		snprintf(ss->mode_reason, sizeof(ss->mode_reason), "%s",
			 (const char *)sqlite3_column_text(stmt, 1));
		ss->mode_changed_ns = sqlite3_column_int64(stmt, 2);
		ss->mode_changes = (uint64_t)sqlite3_column_int64(stmt, 3);
	}
	sqlite3_finalize(stmt);

	r = prepare(db, "SELECT count(*) FROM feedback WHERE subsys_id = ?", &stmt);
	if (r < 0)
		return r;
	sqlite3_bind_int64(stmt, 1, ss->id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		ss->feedback = (uint64_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);

	if (ss->cols.n == 0)
		return 0;
	/* Two subqueries, each an index look-up: min() and max() together scan the table. */
	snprintf(sql, sizeof(sql), "SELECT (SELECT min(seq) FROM \"ds_%s\"), "
		 "(SELECT max(seq) FROM \"ds_%s\")", ss->name, ss->name);
	r = prepare(db, sql, &stmt);
	if (r < 0)
		return r;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		ss->min_seq = (uint64_t)sqlite3_column_int64(stmt, 0);
		ss->max_seq = (uint64_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return 0;
}

int store_subsys_load(struct mlfs_store *store)
{
	sqlite3_stmt *stmt;
	int rc, r;

	r = prepare(store->db,
		    "SELECT id, name, origin, bytes, drops, last_ingest, model_version, autoretrain "
		    "FROM subsystems ORDER BY id",
		    &stmt);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 1);
		int origin = origin_parse((const char *)sqlite3_column_text(stmt, 2));
		struct mlfs_subsys *ss;

		ss = subsys_new(sqlite3_column_int64(stmt, 0), name,
				origin < 0 ? MLFS_ORIGIN_USER : (enum mlfs_origin)origin);
		if (!ss) {
			r = -ENOMEM;
			break;
		}
		ss->rows_max = store->rows_max;
		ss->bytes = (uint64_t)sqlite3_column_int64(stmt, 3);
		ss->drops = (uint64_t)sqlite3_column_int64(stmt, 4);
		ss->last_ingest_ns = sqlite3_column_int64(stmt, 5);
		ss->model_version = sqlite3_column_int64(stmt, 6);
		ss->autoretrain = sqlite3_column_int(stmt, 7) != 0;
		r = load_one(store->db, ss);
		if (r == 0)
			r = registry_add(store, ss);
		if (r < 0) {
			mlfs_subsys_unref(ss);
			break;
		}
	}
	sqlite3_finalize(stmt);
	if (r == 0 && rc != SQLITE_DONE)
		r = store_errno(store->db, rc);
	return r;
}

void store_subsys_unload(struct mlfs_store *store)
{
	size_t i;

	for (i = 0; i < store->nsubsys; i++) {
		sqlite3_finalize(store->subsys[i]->insert);
		store->subsys[i]->insert = NULL;
		mlfs_subsys_unref(store->subsys[i]);
	}
	free(store->subsys);
	store->subsys = NULL;
	store->nsubsys = 0;
}
