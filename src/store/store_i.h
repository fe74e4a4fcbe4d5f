/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What the store's files share: the structures behind the opaque handles of
 * store.h, and the helpers that map SQLite's results to errno values.
 */
#ifndef MLFS_STORE_I_H
#define MLFS_STORE_I_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store.h"

struct mlfs_migration {
	int version;
	const char *name;
	const char *sql;
};

/* Generated from schema/ by tools/embed_schema.py. */
extern const struct mlfs_migration mlfs_migrations[];
extern const unsigned mlfs_migrations_count;

struct mlfs_subsys {
	int64_t id;
	char name[MLFS_SUBSYS_NAME_MAX + 1];
	enum mlfs_origin origin;
	atomic_uint refs;
	atomic_bool removed;
	uint64_t rows_max; /* the store's retention cap, for status */

	pthread_mutex_t lock;             /* protects the fields below */
	struct mlfs_columns cols;         /* written once, by define */
	uint64_t min_seq, max_seq;        /* rows kept are min_seq..max_seq; 0,0 = none */
	uint64_t bytes, drops;            /* as in subsystems.bytes, .drops */
	int64_t last_ingest_ns;           /* as in subsystems.last_ingest */
	bool counters_dirty;              /* the three above not yet in the database */
	uint64_t queued;                  /* rows in the ingest queue or being committed */
	enum mlfs_mode mode;
	char mode_reason[MLFS_REASON_MAX];
	int64_t mode_changed_ns;
	uint64_t mode_changes;
	uint64_t feedback;
	int64_t model_version; /* as in subsystems.model_version */
	bool autoretrain;      /* as in subsystems.autoretrain */

	struct mlfs_mode_owner owner; /* set_mode NULL: none; protected by lock */

	sqlite3_stmt *insert; /* the writer's prepared INSERT; protected by store->db_lock */
};

/* Reader connections kept open between cursors, so opening a file is cheap. */
#define STORE_POOL_MAX 8

struct mlfs_store {
	char *path;
	uint64_t rows_max;
	unsigned queue_rows;
	int lock_fd; /* flock()ed: one daemon per database; also used to fsync it */
	mlfs_store_log_fn log;

	pthread_mutex_t db_lock; /* serialises every use of db */
	sqlite3 *db;             /* the only writing connection */
	int wal_frames;          /* the WAL's size after the last commit; under db_lock */
	bool writer_committing;  /* the ingest writer's transaction runs; under db_lock */

	pthread_rwlock_t subsys_lock; /* protects subsys[] and nsubsys */
	struct mlfs_subsys **subsys;
	size_t nsubsys, subsys_cap;

	pthread_mutex_t queue_lock; /* protects the ingest queue, down to writer_running */
	pthread_cond_t queue_filled, queue_drained, batch_done;
	struct mlfs_batch *queue_head, *queue_tail;
	unsigned queued_rows;  /* rows waiting in the queue, not those being committed */
	uint64_t last_ticket;  /* ticket of the newest queued batch */
	uint64_t done_ticket;  /* every batch up to this one is committed or failed */
	bool stopping;
	bool writer_running;
	pthread_t writer;

	/*
	 * An episode of failed commits (a full disk): logged once when it starts and
	 * once when it ends, not for every batch. A disk at its limit lets small
	 * commits through between failures, so the episode ends only with a commit
	 * STORE_FAIL_QUIET_NS after its last failure. Only the writer uses these.
	 */
	int failing;            /* -errno of the latest failure; 0: no episode */
	uint64_t failing_rows;  /* rows dropped in the episode */
	int64_t failing_since_ns, failing_last_ns;

	pthread_mutex_t pool_lock; /* protects pool[] and npool */
	sqlite3 *pool[STORE_POOL_MAX];
	unsigned npool;
};

#define STORE_FAIL_QUIET_NS 5000000000LL

/* The WAL's size, in pages, that makes the writer checkpoint: SQLite's own default. */
#define STORE_CHECKPOINT_FRAMES 1000

/*
 * The writing connection's WAL hook: for the ingest writer's commits it notes the
 * WAL's size, and the writer checkpoints after counting them; other commits
 * checkpoint in place.
 */
int store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames);

struct mlfs_batch {
	struct mlfs_batch *next;
	struct mlfs_subsys *ss; /* a reference */
	uint64_t ticket;
	unsigned ncols, rows, rows_cap;
	int *result;
	struct mlfs_value cells[]; /* rows_cap * ncols */
};

/* -errno for an SQLite result code, using the OS error where SQLite saw one. */
int store_errno(sqlite3 *db, int rc);

/* Run @sql (no results) on @db; -errno on failure. */
int store_exec(sqlite3 *db, const char *sql);

int64_t store_now_ns(void);

/* Connections for readers: from the pool or newly opened; put back when done. */
int store_reader_get(struct mlfs_store *store, sqlite3 **ret_db);
void store_reader_put(struct mlfs_store *store, sqlite3 *db);

/*
 * A read transaction on a reader connection from the pool, with @sql prepared and
 * stepped once, since the first step is what pins the snapshot. *ret_step holds
 * that step's SQLITE_ROW or SQLITE_DONE. store_snapshot_end() undoes it all.
 */
int store_snapshot_begin(sqlite3 *db, const char *sql, sqlite3_stmt **ret_stmt, int *ret_step);
void store_snapshot_end(struct mlfs_store *store, sqlite3 *db, sqlite3_stmt *stmt);

/* Subsystem registry, called from store.c at open and close. */
int store_subsys_load(struct mlfs_store *store);
void store_subsys_unload(struct mlfs_store *store);

/* Write the counters of subsystems whose counters changed; caller holds db_lock. */
void store_subsys_flush_counters(struct mlfs_store *store);

/* The transaction that flushed them rolled back: write them all again next time. */
void store_subsys_mark_dirty(struct mlfs_store *store);

/* The writer thread and the queue's tear-down. */
void *store_writer_main(void *arg);
void store_queue_drain(struct mlfs_store *store);

#endif
