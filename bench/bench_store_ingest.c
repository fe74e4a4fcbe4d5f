// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * bench_store_ingest: time one side of the store-ingest benchmark on a new database
 * and print the seconds taken on stdout.
 *
 *   bench_store_ingest store DB ROWS [BATCH_ROWS]
 *	the store's own path: batches of BATCH_ROWS rows (default 4096; one 128 KiB
 *	write() to a dataset file carries about 2800 of these rows) queued with
 *	mlfs_store_ingest(MLFS_INGEST_WAIT), timed until the last ticket commits.
 *	Also how bench/run fills the 10M-row database of the memory benchmark.
 *   bench_store_ingest loop DB ROWS
 *	the baseline: one transaction, one prepared INSERT of seq + 8 integers,
 *	step/reset per row, with the store's pragmas (WAL, synchronous=NORMAL,
 *	cache_size=-32768), into a table of the same shape as the store's.
 *
 * Both sides compute the same rows (bench_rows.h) inside the timed region, and both
 * leave the database closing (the final checkpoint) outside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_rows.h"
#include "store.h"

#define BATCH_ROWS_DEFAULT 4096u
#define SUBSYS_NAME "b"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_u64(const char *text, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || v == 0 || text[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

static void fill_columns(struct mlfs_columns *cols)
{
	unsigned i;

	memset(cols, 0, sizeof(*cols));
	cols->n = BENCH_COLS;
	cols->target = BENCH_COLS - 1;
	for (i = 0; i < BENCH_COLS; i++) {
		snprintf(cols->names[i], sizeof(cols->names[i]), "%s", bench_col_names[i]);
		cols->types[i] = MLFS_VALUE_INT;
	}
}

/* Queue every row in batches, wait for the last ticket; *ret_secs covers just that. */
static int ingest_rows(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t rows,
		       unsigned batch_rows, double *ret_secs)
{
	uint64_t row = 0, ticket = 0;
	int result = 0, r;
	double t0;

	t0 = now_s();
	while (row < rows) {
		struct mlfs_batch *batch = mlfs_batch_new(ss, BENCH_COLS, batch_rows);
		struct mlfs_value *cells;

		if (!batch)
			return -ENOMEM;
		while (row < rows && (cells = mlfs_batch_append(batch))) {
			unsigned col;

			for (col = 0; col < BENCH_COLS; col++) {
				cells[col].type = MLFS_VALUE_INT;
				cells[col].i = bench_value(row, col);
			}
			row++;
		}
		mlfs_batch_set_result(batch, &result);
		r = mlfs_store_ingest(store, batch, MLFS_INGEST_WAIT, &ticket);
		if (r < 0)
			return r;
	}
	mlfs_store_wait(store, ticket);
	*ret_secs = now_s() - t0;
	return result;
}

static int run_store(const char *path, uint64_t rows, unsigned batch_rows, double *ret_secs)
{
	struct mlfs_store_options opts = {
		.path = path,
		.rows_max = rows > MLFS_STORE_ROWS_MAX_DEFAULT ? rows : MLFS_STORE_ROWS_MAX_DEFAULT,
	};
	struct mlfs_subsys_status st;
	struct mlfs_store *store = NULL;
	struct mlfs_subsys *ss = NULL;
	struct mlfs_columns cols;
	char errbuf[256];
	int r;

	r = mlfs_store_open(&opts, &store, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(stderr, "bench_store_ingest: %s: %s\n", path, errbuf);
		return r;
	}
	r = mlfs_store_start(store);
	if (r < 0)
		goto out_close;
	r = mlfs_store_subsys_create(store, SUBSYS_NAME, MLFS_ORIGIN_USER, &ss);
	if (r < 0)
		goto out_close;
	fill_columns(&cols);
	r = mlfs_store_subsys_define(store, ss, &cols);
	if (r < 0)
		goto out_unref;
	r = ingest_rows(store, ss, rows, batch_rows, ret_secs);
	if (r < 0)
		goto out_unref;
	mlfs_subsys_status(ss, &st);
	if (st.rows != rows || st.drops != 0) {
		fprintf(stderr,
			"bench_store_ingest: store holds %" PRIu64 " rows, %" PRIu64
			" dropped; expected %" PRIu64 "\n",
			st.rows, st.drops, rows);
		r = -EIO;
	}
out_unref:
	mlfs_subsys_unref(ss);
out_close:
	if (r < 0)
		fprintf(stderr, "bench_store_ingest: store: %s\n", strerror(-r));
	mlfs_store_close(store);
	return r;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "bench_store_ingest: %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return -EIO;
}

/* The same table the store creates for a subsystem of these columns. */
static int create_table(sqlite3 *db)
{
	char sql[512];
	size_t len;
	unsigned i;

	len = (size_t)snprintf(sql, sizeof(sql),
			       "CREATE TABLE \"ds_" SUBSYS_NAME "\" (seq INTEGER PRIMARY KEY");
	for (i = 0; i < BENCH_COLS; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", \"%s\" INTEGER NOT NULL",
					bench_col_names[i]);
	snprintf(sql + len, sizeof(sql) - len, ")");
	return exec_sql(db, sql);
}

static int insert_rows(sqlite3 *db, sqlite3_stmt *stmt, uint64_t rows, double *ret_secs)
{
	uint64_t row;
	double t0;
	int r, rc;

	t0 = now_s();
	r = exec_sql(db, "BEGIN");
	for (row = 0; row < rows && r == 0; row++) {
		unsigned col;

		sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(row + 1));
		for (col = 0; col < BENCH_COLS; col++)
			sqlite3_bind_int64(stmt, (int)col + 2, bench_value(row, col));
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "bench_store_ingest: insert: %s\n", sqlite3_errmsg(db));
			r = -EIO;
		}
	}
	if (r == 0)
		r = exec_sql(db, "COMMIT");
	*ret_secs = now_s() - t0;
	return r;
}

static int run_loop(const char *path, uint64_t rows, double *ret_secs)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db = NULL;
	int r;

	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_store_ingest: %s: %s\n", path, sqlite3_errmsg(db));
		r = -EIO;
		goto out_close;
	}
	/* What mlfs_store_open() sets on the store's writing connection. */
	r = exec_sql(db, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = exec_sql(db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768");
	if (r == 0)
		r = create_table(db);
	if (r < 0)
		goto out_close;
	if (sqlite3_prepare_v2(db, "INSERT INTO \"ds_" SUBSYS_NAME "\" VALUES (?,?,?,?,?,?,?,?,?)",
			       -1, &stmt, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_store_ingest: prepare: %s\n", sqlite3_errmsg(db));
		r = -EIO;
		goto out_close;
	}
	r = insert_rows(db, stmt, rows, ret_secs);
	sqlite3_finalize(stmt);
out_close:
	sqlite3_close(db);
	return r;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s store DB ROWS [BATCH_ROWS]\n"
		"       %s loop DB ROWS\n",
		prog, prog);
}

int main(int argc, char *argv[])
{
	uint64_t rows, batch_rows = BATCH_ROWS_DEFAULT;
	double secs = 0;
	int r;

	if (argc < 4 || argc > 5 || parse_u64(argv[3], &rows) < 0 ||
	    (argc == 5 && (parse_u64(argv[4], &batch_rows) < 0 || batch_rows > 1u << 24))) {
		usage(argv[0]);
		return 2;
	}
	/*
	 * mlfs_store_open() crashes on a path without a '/' (make_parent_dirs() writes
	 * into the "." that dirname() returns), so insist on the absolute paths
	 * bench/run gives.
	 */
	if (argv[2][0] != '/') {
		fprintf(stderr, "bench_store_ingest: %s: give an absolute path\n", argv[2]);
		return 2;
	}
	if (access(argv[2], F_OK) == 0) {
		fprintf(stderr, "bench_store_ingest: %s exists; give a new database\n", argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "store") == 0 && argc <= 5) {
		r = run_store(argv[2], rows, (unsigned)batch_rows, &secs);
	} else if (strcmp(argv[1], "loop") == 0 && argc == 4) {
		r = run_loop(argv[2], rows, &secs);
	} else {
		usage(argv[0]);
		return 2;
	}
	if (r < 0)
		return 1;
	printf("%.3f\n", secs);
	return 0;
}
