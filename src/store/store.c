// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Opening and closing the database: one daemon per file (flock), WAL mode,
 * schema migrations applied in order, and a small pool of reader connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_i.h"

int store_errno(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EUCLEAN;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return sys > 0 ? -sys : -EIO;
	default:
		return -EIO;
	}
}

int store_exec(sqlite3 *db, const char *sql)
{
	return store_errno(db, sqlite3_exec(db, sql, NULL, NULL, NULL));
}

int64_t store_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void mlfs_store_set_log(struct mlfs_store *store, mlfs_store_log_fn fn)
{
	store->log = fn;
}

/* mkdir -p for the database's directory; new directories are private (0700). */
static int make_parent_dirs(const char *path)
{
	char *copy = strdup(path), *dir, *p;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	/* dirname() of a bare file name is a static ".": nothing to make, nothing to write. */
	if (!strchr(copy, '/')) {
		free(copy);
		return 0;
	}
	dir = dirname(copy);
	for (p = dir + 1; r == 0; p++) {
		bool end = *p == '\0';

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			r = -errno;
		if (end)
			break;
		*p = '/';
	}
	free(copy);
	return r;
}

static int user_version(sqlite3 *db, int *ret_version)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_errno(db, rc);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*ret_version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : store_errno(db, rc);
}

/* Each migration and its version bump commit together, so a crash leaves a known version. */
static int migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	int version = 0, r;
	unsigned i;

	r = user_version(db, &version);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot read schema version: %s", sqlite3_errmsg(db));
		return r;
	}
	if (version > (int)mlfs_migrations_count) {
		snprintf(errbuf, errlen,
			 "database schema version %d is newer than this mlfs supports (%u); "
			 "use a newer mlfs or another database",
			 version, mlfs_migrations_count);
		return -EPROTONOSUPPORT;
	}
	for (i = (unsigned)version; i < mlfs_migrations_count; i++) {
		const struct mlfs_migration *m = &mlfs_migrations[i];
		char bump[48];

		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
		r = store_exec(db, "BEGIN IMMEDIATE");
		if (r == 0)
			r = store_exec(db, m->sql);
		if (r == 0)
			r = store_exec(db, bump);
		if (r == 0)
			r = store_exec(db, "COMMIT");
		if (r < 0) {
			snprintf(errbuf, errlen, "migration %04d_%s failed: %s", m->version, m->name,
				 sqlite3_errmsg(db));
			store_exec(db, "ROLLBACK");
			return r;
		}
	}
	return 0;
}

static int open_connection(const char *path, int flags, sqlite3 **ret_db)
{
	sqlite3 *db = NULL;
	int rc, r;

	rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = store_errno(db, rc);
		sqlite3_close(db);
		return r;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 10000);
	*ret_db = db;
	return 0;
}

int store_reader_get(struct mlfs_store *store, sqlite3 **ret_db)
{
	sqlite3 *db = NULL;

	pthread_mutex_lock(&store->pool_lock);
	if (store->npool > 0)
		db = store->pool[--store->npool];
	pthread_mutex_unlock(&store->pool_lock);
	if (db) {
		*ret_db = db;
		return 0;
	}
	return open_connection(store->path, SQLITE_OPEN_READONLY, ret_db);
}

void store_reader_put(struct mlfs_store *store, sqlite3 *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&store->pool_lock);
	if (store->npool < STORE_POOL_MAX) {
		store->pool[store->npool++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&store->pool_lock);
	sqlite3_close(db);
}

static int lock_database(struct mlfs_store *store, char *errbuf, size_t errlen)
{
	store->lock_fd = open(store->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (store->lock_fd < 0) {
		int r = -errno;

		snprintf(errbuf, errlen, "cannot open database: %s", strerror(-r));
		return r;
	}
	if (flock(store->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		snprintf(errbuf, errlen, "database is in use by another mlfs daemon");
		return r;
	}
	return 0;
}

int mlfs_store_open(const struct mlfs_store_options *opts, struct mlfs_store **ret_store,
		    char *errbuf, size_t errlen)
{
	struct mlfs_store *store;
	int r;

	snprintf(errbuf, errlen, "cannot open database");
	/*
	 * SQLite's memory statistics take a global mutex on every allocation: 7% of the
	 * writer's time. Only possible before SQLite's first use; later it is a no-op.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store = calloc(1, sizeof(*store));
	if (!store)
		return -ENOMEM;
	store->lock_fd = -1;
	store->path = strdup(opts->path);
	store->rows_max = opts->rows_max ? opts->rows_max : MLFS_STORE_ROWS_MAX_DEFAULT;
	store->queue_rows = opts->queue_rows ? opts->queue_rows : MLFS_STORE_QUEUE_ROWS_DEFAULT;
	pthread_mutex_init(&store->db_lock, NULL);
	pthread_rwlock_init(&store->subsys_lock, NULL);
	pthread_mutex_init(&store->queue_lock, NULL);
	pthread_cond_init(&store->queue_filled, NULL);
	pthread_cond_init(&store->queue_drained, NULL);
	pthread_cond_init(&store->batch_done, NULL);
	pthread_mutex_init(&store->pool_lock, NULL);
	if (!store->path) {
		r = -ENOMEM;
		goto out_close;
	}

	r = make_parent_dirs(store->path);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot create the database's directory: %s", strerror(-r));
		goto out_close;
	}
	r = lock_database(store, errbuf, errlen);
	if (r < 0)
		goto out_close;

	r = open_connection(store->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &store->db);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot open database: %s", strerror(-r));
		goto out_close;
	}
	/*
	 * WAL lets readers stream from a snapshot while the writer commits;
	 * synchronous=NORMAL survives a daemon crash, and fsync() on a dataset file
	 * asks for full durability explicitly (mlfs_store_sync).
	 */
	r = store_exec(store->db, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = store_exec(store->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
					  "PRAGMA cache_size = -32768");
	if (r < 0) {
		snprintf(errbuf, errlen, "not a usable SQLite database: %s",
			 sqlite3_errmsg(store->db));
		goto out_close;
	}
	/*
	 * SQLite checkpoints inside COMMIT, after the rows are visible to readers and
	 * before the writer can count them: status would lag the data for as long as
	 * the checkpoint's I/O takes, and close() would wait for it. The writer
	 * checkpoints itself instead, once the rows are counted and waiters told.
	 */
	sqlite3_wal_hook(store->db, store_wal_hook, store);
	r = migrate(store->db, errbuf, errlen);
	if (r < 0)
		goto out_close;
	r = store_subsys_load(store);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot load subsystems: %s", sqlite3_errmsg(store->db));
		goto out_close;
	}
	*ret_store = store;
	return 0;

out_close:
	mlfs_store_close(store);
	return r;
}

int mlfs_store_start(struct mlfs_store *store)
{
	int r;

	pthread_mutex_lock(&store->queue_lock);
	r = -pthread_create(&store->writer, NULL, store_writer_main, store);
	store->writer_running = r == 0;
	pthread_mutex_unlock(&store->queue_lock);
	return r;
}

static int fsync_path(const char *path)
{
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/*
 * Commits are written with synchronous=NORMAL: in the WAL but not fsync()ed. Syncing
 * the WAL, the database and its directory makes them durable. The database itself
 * is synced through lock_fd: closing any other descriptor of it would drop SQLite's
 * POSIX locks.
 */
int mlfs_store_sync(struct mlfs_store *store)
{
	char *wal, *copy;
	int r;

	pthread_mutex_lock(&store->queue_lock);
	while (store->done_ticket < store->last_ticket && store->writer_running)
		pthread_cond_wait(&store->batch_done, &store->queue_lock);
	pthread_mutex_unlock(&store->queue_lock);

	if (asprintf(&wal, "%s-wal", store->path) < 0)
		return -ENOMEM;
	r = fsync_path(wal);
	free(wal);
	if (r == 0 && fsync(store->lock_fd) < 0)
		r = -errno;
	copy = strdup(store->path);
	if (!copy)
		return -ENOMEM;
	if (r == 0)
		r = fsync_path(dirname(copy));
	free(copy);
	return r;
}

void mlfs_store_close(struct mlfs_store *store)
{
	if (!store)
		return;
	store_queue_drain(store);
	if (store->db) {
		pthread_mutex_lock(&store->db_lock);
		store_subsys_flush_counters(store);
		pthread_mutex_unlock(&store->db_lock);
	}
	store_subsys_unload(store);
	while (store->npool > 0)
		sqlite3_close(store->pool[--store->npool]);
	sqlite3_close(store->db);
	if (store->lock_fd >= 0)
		close(store->lock_fd);
	pthread_mutex_destroy(&store->pool_lock);
	pthread_cond_destroy(&store->batch_done);
	pthread_cond_destroy(&store->queue_drained);
	pthread_cond_destroy(&store->queue_filled);
	pthread_mutex_destroy(&store->queue_lock);
	pthread_rwlock_destroy(&store->subsys_lock);
	pthread_mutex_destroy(&store->db_lock);
	free(store->path);
	free(store);
}
