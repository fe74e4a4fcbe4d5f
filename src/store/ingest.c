// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The one ingest path: sources queue batches of rows, one writer thread commits
 * everything queued in a single transaction, then applies retention. Waiting
 * sources (user writes) get backpressure; the others drop and count, never block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_i.h"

struct mlfs_batch *mlfs_batch_new(struct mlfs_subsys *ss, unsigned ncols, unsigned rows_cap)
{
	struct mlfs_batch *batch;

	if (ncols == 0 || ncols > MLFS_COLUMNS_MAX || rows_cap == 0)
		return NULL;
	batch = malloc(sizeof(*batch) + (size_t)rows_cap * ncols * sizeof(batch->cells[0]));
	if (!batch)
		return NULL;
	batch->next = NULL;
	batch->ss = mlfs_subsys_ref(ss);
	batch->ticket = 0;
	batch->ncols = ncols;
	batch->rows = 0;
	batch->rows_cap = rows_cap;
	batch->result = NULL;
	return batch;
}

void mlfs_batch_free(struct mlfs_batch *batch)
{
	if (!batch)
		return;
	mlfs_subsys_unref(batch->ss);
	free(batch);
}

struct mlfs_value *mlfs_batch_append(struct mlfs_batch *batch)
{
	if (batch->rows == batch->rows_cap)
		return NULL;
	return &batch->cells[(size_t)batch->rows++ * batch->ncols];
}

unsigned mlfs_batch_rows(const struct mlfs_batch *batch)
{
	return batch->rows;
}

const struct mlfs_value *mlfs_batch_cell(const struct mlfs_batch *batch, unsigned row,
					 unsigned col)
{
	return &batch->cells[(size_t)row * batch->ncols + col];
}

void mlfs_batch_set_result(struct mlfs_batch *batch, int *result)
{
	batch->result = result;
}

static void count_drops(struct mlfs_subsys *ss, uint64_t rows)
{
	pthread_mutex_lock(&ss->lock);
	ss->drops += rows;
	ss->counters_dirty = true;
	pthread_mutex_unlock(&ss->lock);
}

void mlfs_subsys_count_bytes(struct mlfs_subsys *ss, uint64_t bytes)
{
	pthread_mutex_lock(&ss->lock);
	ss->bytes += bytes;
	ss->counters_dirty = true;
	pthread_mutex_unlock(&ss->lock);
}

int mlfs_store_ingest(struct mlfs_store *store, struct mlfs_batch *batch, unsigned flags,
		      uint64_t *ret_ticket)
{
	struct mlfs_subsys *ss = batch->ss;
	unsigned rows = batch->rows;

	unsigned ncols;

	pthread_mutex_lock(&ss->lock);
	ncols = ss->cols.n;
	pthread_mutex_unlock(&ss->lock);
	if (rows == 0 || batch->ncols != ncols) {
		mlfs_batch_free(batch);
		return rows == 0 ? 0 : -EINVAL;
	}
	pthread_mutex_lock(&store->queue_lock);
	/* A batch larger than the whole queue still goes in once the queue is empty. */
	while ((flags & MLFS_INGEST_WAIT) && !store->stopping && store->queued_rows > 0 &&
	       store->queued_rows + rows > store->queue_rows)
		pthread_cond_wait(&store->queue_drained, &store->queue_lock);
	if (store->stopping || !store->writer_running ||
	    (!(flags & MLFS_INGEST_WAIT) && store->queued_rows + rows > store->queue_rows)) {
		int r = store->stopping || !store->writer_running ? -ESHUTDOWN : -EAGAIN;

		pthread_mutex_unlock(&store->queue_lock);
		count_drops(ss, rows);
		mlfs_batch_free(batch);
		return r;
	}
	batch->ticket = ++store->last_ticket;
	if (store->queue_tail)
		store->queue_tail->next = batch;
	else
		store->queue_head = batch;
	store->queue_tail = batch;
	store->queued_rows += rows;
	if (ret_ticket)
		*ret_ticket = batch->ticket;
	pthread_cond_signal(&store->queue_filled);
	pthread_mutex_unlock(&store->queue_lock);

	pthread_mutex_lock(&ss->lock);
	ss->queued += rows;
	pthread_mutex_unlock(&ss->lock);
	return 0;
}

void mlfs_store_wait(struct mlfs_store *store, uint64_t ticket)
{
	pthread_mutex_lock(&store->queue_lock);
	while (store->done_ticket < ticket && store->writer_running)
		pthread_cond_wait(&store->batch_done, &store->queue_lock);
	pthread_mutex_unlock(&store->queue_lock);
}

static int prepare_insert(sqlite3 *db, struct mlfs_subsys *ss, unsigned ncols)
{
	size_t cap = 128 + MLFS_SUBSYS_NAME_MAX + ncols * 2, len;
	char *sql = malloc(cap);
	unsigned i;
	int rc;

	if (!sql)
		return -ENOMEM;
	len = (size_t)snprintf(sql, cap, "INSERT INTO \"ds_%s\" VALUES (?", ss->name);
	for (i = 0; i < ncols; i++)
		len += (size_t)snprintf(sql + len, cap - len, ",?");
	snprintf(sql + len, cap - len, ")");
	rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &ss->insert, NULL);
	free(sql);
	return store_errno(db, rc);
}

/* Rows beyond the subsystem's cap go, oldest first; caller holds db_lock, inside a txn. */
static int apply_retention(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t min_seq,
			   uint64_t max_seq, uint64_t *ret_min_seq)
{
	char sql[160];
	uint64_t keep_from;

	*ret_min_seq = min_seq;
	if (max_seq - min_seq + 1 <= store->rows_max)
		return 0;
	keep_from = max_seq - store->rows_max + 1;
	snprintf(sql, sizeof(sql), "DELETE FROM \"ds_%s\" WHERE seq < %llu", ss->name,
		 (unsigned long long)keep_from);
	*ret_min_seq = keep_from;
	return store_exec(store->db, sql);
}

static int insert_batch(struct mlfs_store *store, struct mlfs_batch *batch, uint64_t first_seq)
{
	sqlite3_stmt *stmt = batch->ss->insert;
	const struct mlfs_value *cell = batch->cells;
	unsigned row, col;
	int rc;

	for (row = 0; row < batch->rows; row++) {
		sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(first_seq + row));
		for (col = 0; col < batch->ncols; col++, cell++) {
			if (cell->type == MLFS_VALUE_REAL)
				sqlite3_bind_double(stmt, (int)col + 2, cell->r);
			else
				sqlite3_bind_int64(stmt, (int)col + 2, cell->i);
		}
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (rc != SQLITE_DONE)
			return store_errno(store->db, rc);
	}
	return 0;
}

/* Per-subsystem effect of one transaction, applied to memory only once it commits. */
struct commit_delta {
	struct mlfs_subsys *ss;
	uint64_t min_seq, max_seq;
	int64_t last_ingest_ns; /* before this transaction, to restore if it fails */
};

static struct commit_delta *delta_for(struct commit_delta *deltas, unsigned *n,
				      struct mlfs_subsys *ss)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (deltas[i].ss == ss)
			return &deltas[i];
	deltas[*n].ss = ss;
	pthread_mutex_lock(&ss->lock);
	deltas[*n].min_seq = ss->min_seq;
	deltas[*n].max_seq = ss->max_seq;
	deltas[*n].last_ingest_ns = ss->last_ingest_ns;
	pthread_mutex_unlock(&ss->lock);
	return &deltas[(*n)++];
}

/*
 * A batch whose writer already had a batch fail is dropped too, unseen: the rows a
 * file keeps are then its first ones, never a run with a hole, and its close
 * reports the failure. (Its result is stable here: the writer's waiter reads and
 * clears it only once this batch is done.)
 */
static bool follows_failure(const struct mlfs_batch *b)
{
	return b->result && *b->result != 0;
}

static int commit_list(struct mlfs_store *store, struct mlfs_batch *list, int64_t now,
		       struct commit_delta *deltas, unsigned *ndeltas)
{
	struct mlfs_batch *b;
	unsigned i;
	int r;

	r = store_exec(store->db, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	for (b = list; b && r == 0; b = b->next) {
		struct commit_delta *d;

		if (atomic_load(&b->ss->removed) || follows_failure(b))
			continue;
		if (!b->ss->insert)
			r = prepare_insert(store->db, b->ss, b->ncols);
		if (r < 0)
			break;
		d = delta_for(deltas, ndeltas, b->ss);
		r = insert_batch(store, b, d->max_seq + 1);
		if (d->max_seq == 0)
			d->min_seq = 1;
		d->max_seq += b->rows;
	}
	for (i = 0; i < *ndeltas && r == 0; i++)
		r = apply_retention(store, deltas[i].ss, deltas[i].min_seq, deltas[i].max_seq,
				    &deltas[i].min_seq);
	if (r == 0) {
		/* The commit time goes in with the rows: status shows it after a restart. */
		for (i = 0; i < *ndeltas; i++) {
			pthread_mutex_lock(&deltas[i].ss->lock);
			deltas[i].ss->last_ingest_ns = now;
			deltas[i].ss->counters_dirty = true;
			pthread_mutex_unlock(&deltas[i].ss->lock);
		}
		store_subsys_flush_counters(store);
		r = store_exec(store->db, "COMMIT");
	}
	if (r < 0) {
		store_exec(store->db, "ROLLBACK");
		store_subsys_mark_dirty(store);
		for (i = 0; i < *ndeltas; i++) {
			pthread_mutex_lock(&deltas[i].ss->lock);
			deltas[i].ss->last_ingest_ns = deltas[i].last_ingest_ns;
			pthread_mutex_unlock(&deltas[i].ss->lock);
		}
	}
	return r;
}

/*
 * A failed commit rolled back its own rows only: what committed before stays.
 * Its rows are dropped and counted, and each waiting writer learns why.
 */
static void report_failure(struct mlfs_store *store, struct mlfs_batch *list, int r)
{
	struct mlfs_batch *b;
	uint64_t rows = 0;
	char what[160];

	for (b = list; b; b = b->next) {
		if (b->result && *b->result == 0)
			*b->result = r;
		count_drops(b->ss, b->rows);
		rows += b->rows;
	}
	store->failing_last_ns = store_now_ns();
	if (store->failing == 0) {
		store->failing = r;
		store->failing_rows = 0;
		store->failing_since_ns = store->failing_last_ns;
		if (store->log)
			store->log(r, store->path, "commits of queued rows fail; their rows are "
				   "dropped and counted until one succeeds");
	}
	store->failing_rows += rows;
	if (store->log && r != store->failing) {
		snprintf(what, sizeof(what), "commits now fail for another reason (%llu rows "
			 "dropped so far)", (unsigned long long)store->failing_rows);
		store->log(r, store->path, what);
		store->failing = r;
	}
}

/* A commit long enough after the last failure ends the episode, with one line for it all. */
static void report_recovery(struct mlfs_store *store)
{
	char what[160];

	if (store->failing == 0 || store_now_ns() - store->failing_last_ns < STORE_FAIL_QUIET_NS)
		return;
	snprintf(what, sizeof(what), "commits succeed again; %llu rows were dropped in %.1f s",
		 (unsigned long long)store->failing_rows,
		 (double)(store->failing_last_ns - store->failing_since_ns) / 1e9);
	store->failing = 0;
	if (store->log)
		store->log(0, store->path, what);
}

/* Commit @list under db_lock, then show its rows in the subsystems' counters. */
static void commit_batches(struct mlfs_store *store, struct mlfs_batch *list, unsigned nbatches)
{
	struct commit_delta *deltas = calloc(nbatches, sizeof(*deltas));
	unsigned ndeltas = 0, i;
	int64_t now = store_now_ns();
	int r;

	pthread_mutex_lock(&store->db_lock);
	store->writer_committing = true;
	r = deltas ? commit_list(store, list, now, deltas, &ndeltas) : -ENOMEM;
	store->writer_committing = false;
	pthread_mutex_unlock(&store->db_lock);

	if (r < 0) {
		report_failure(store, list, r);
	} else {
		struct mlfs_batch *b;

		for (b = list; b; b = b->next) {
			if (!follows_failure(b))
				continue;
			count_drops(b->ss, b->rows);
			/* Dropped for the episode's failure: they are in its count. */
			if (store->failing)
				store->failing_rows += b->rows;
		}
		report_recovery(store);
	}
	for (i = 0; r == 0 && i < ndeltas; i++) {
		struct mlfs_subsys *ss = deltas[i].ss;

		pthread_mutex_lock(&ss->lock);
		ss->min_seq = deltas[i].min_seq;
		ss->max_seq = deltas[i].max_seq;
		pthread_mutex_unlock(&ss->lock);
	}
	free(deltas);
}

int store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct mlfs_store *store = arg;

	store->wal_frames = frames;
	/* Other commits (modes, feedback, models) checkpoint in place, as SQLite would. */
	if (frames >= STORE_CHECKPOINT_FRAMES && !store->writer_committing) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		store->wal_frames = 0;
	}
	return SQLITE_OK;
}

/*
 * A passive checkpoint once the WAL has grown: it copies what no reader's snapshot
 * still needs into the database. One that fails (a full disk) leaves the WAL as it
 * was, and the next commit tries again.
 */
static void checkpoint_if_due(struct mlfs_store *store)
{
	pthread_mutex_lock(&store->db_lock);
	if (store->wal_frames >= STORE_CHECKPOINT_FRAMES) {
		sqlite3_wal_checkpoint_v2(store->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		store->wal_frames = 0;
	}
	pthread_mutex_unlock(&store->db_lock);
}

void *store_writer_main(void *arg)
{
	struct mlfs_store *store = arg;

	pthread_mutex_lock(&store->queue_lock);
	for (;;) {
		struct mlfs_batch *list, *b, *next;
		uint64_t last;
		unsigned n = 0;

		while (!store->queue_head && !store->stopping)
			pthread_cond_wait(&store->queue_filled, &store->queue_lock);
		if (!store->queue_head)
			break;
		list = store->queue_head;
		last = store->queue_tail->ticket;
		store->queue_head = store->queue_tail = NULL;
		store->queued_rows = 0;
		/* Producers refill the queue while this transaction runs. */
		pthread_cond_broadcast(&store->queue_drained);
		pthread_mutex_unlock(&store->queue_lock);

		for (b = list; b; b = b->next)
			n++;
		commit_batches(store, list, n);
		for (b = list; b; b = next) {
			next = b->next;
			pthread_mutex_lock(&b->ss->lock);
			b->ss->queued -= b->rows;
			pthread_mutex_unlock(&b->ss->lock);
			mlfs_batch_free(b);
		}

		pthread_mutex_lock(&store->queue_lock);
		store->done_ticket = last;
		pthread_cond_broadcast(&store->batch_done);
		/* After the waiters are told: a checkpoint is no part of their commit. */
		pthread_mutex_unlock(&store->queue_lock);
		checkpoint_if_due(store);
		pthread_mutex_lock(&store->queue_lock);
	}
	pthread_mutex_unlock(&store->queue_lock);
	return NULL;
}

void store_queue_drain(struct mlfs_store *store)
{
	bool running;

	pthread_mutex_lock(&store->queue_lock);
	store->stopping = true;
	running = store->writer_running;
	pthread_cond_broadcast(&store->queue_filled);
	pthread_cond_broadcast(&store->queue_drained);
	pthread_mutex_unlock(&store->queue_lock);
	if (running)
		pthread_join(store->writer, NULL);

	pthread_mutex_lock(&store->queue_lock);
	store->writer_running = false;
	pthread_cond_broadcast(&store->batch_done);
	while (store->queue_head) {
		struct mlfs_batch *b = store->queue_head;

		store->queue_head = b->next;
		mlfs_batch_free(b);
	}
	store->queue_tail = NULL;
	pthread_mutex_unlock(&store->queue_lock);
}
