// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The store on a real database file in a temporary directory: migrations,
 * subsystems, the ingest queue, snapshots, retention, modes, feedback, and what
 * survives a close and reopen.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mlfs-test-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/mlfs.db", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct mlfs_store *open_store(uint64_t rows_max, unsigned queue_rows)
{
	struct mlfs_store_options opts = { .path = path, .rows_max = rows_max,
					   .queue_rows = queue_rows };
	struct mlfs_store *store = NULL;
	char err[256];
	int r;

	r = mlfs_store_open(&opts, &store, err, sizeof(err));
	ck_assert_msg(r == 0, "open: %s (%d)", err, r);
	ck_assert_int_eq(mlfs_store_start(store), 0);
	return store;
}

static int sql_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static struct mlfs_subsys *make_subsys(struct mlfs_store *store, const char *name, unsigned ncols)
{
	struct mlfs_columns *cols = calloc(1, sizeof(*cols));
	struct mlfs_subsys *ss;
	unsigned i;

	ck_assert_int_eq(mlfs_store_subsys_create(store, name, MLFS_ORIGIN_USER, &ss), 0);
	cols->n = ncols;
	cols->target = ncols - 1;
	for (i = 0; i < ncols; i++) {
		snprintf(cols->names[i], sizeof(cols->names[i]), "c%u", i);
		cols->types[i] = MLFS_VALUE_INT;
	}
	ck_assert_int_eq(mlfs_store_subsys_define(store, ss, cols), 0);
	free(cols);
	return ss;
}

/* Queue rows first..first+n-1, each row (k, 10k, ...) and wait for their commit. */
static void ingest_rows(struct mlfs_store *store, struct mlfs_subsys *ss, unsigned ncols,
			int64_t first, unsigned n)
{
	struct mlfs_batch *b = mlfs_batch_new(ss, ncols, n);
	uint64_t ticket = 0;
	unsigned i, c;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i++) {
		struct mlfs_value *row = mlfs_batch_append(b);

		ck_assert_ptr_nonnull(row);
		for (c = 0; c < ncols; c++) {
			row[c].type = MLFS_VALUE_INT;
			row[c].i = (first + i) * (c ? 10 * (int64_t)c : 1);
		}
	}
	ck_assert_ptr_null(mlfs_batch_append(b));
	ck_assert_int_eq(mlfs_store_ingest(store, b, MLFS_INGEST_WAIT, &ticket), 0);
	mlfs_store_wait(store, ticket);
}

static unsigned count_rows(struct mlfs_cursor *c, int64_t *ret_first)
{
	const struct mlfs_value *row;
	unsigned n = 0;

	while (mlfs_cursor_next(c, &row) == 1) {
		if (n == 0 && ret_first)
			*ret_first = row[0].i;
		n++;
	}
	return n;
}

START_TEST(test_new_database_is_migrated_and_wal)
{
	struct mlfs_store *store = open_store(0, 0);

	mlfs_store_close(store);
	ck_assert_int_ge(sql_int("PRAGMA user_version"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'subsystems'"),
			 1);
	ck_assert_int_eq(sql_int("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}
END_TEST

START_TEST(test_newer_schema_is_refused)
{
	struct mlfs_store_options opts = { .path = path };
	struct mlfs_store *store = open_store(0, 0);
	char err[256];

	mlfs_store_close(store);
	sql_exec("PRAGMA user_version = 9999");
	store = NULL;
	ck_assert_int_eq(mlfs_store_open(&opts, &store, err, sizeof(err)), -EPROTONOSUPPORT);
	ck_assert_ptr_null(store);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
	/* Refusing must not have changed it. */
	ck_assert_int_eq(sql_int("PRAGMA user_version"), 9999);
}
END_TEST

START_TEST(test_older_database_is_upgraded)
{
	struct mlfs_store *store;
	char cmd[160];

	/* A database from before mlfs: version 0, with a table of the user's. */
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sub'", dir);
	ck_assert_int_eq(system(cmd), 0);
	sql_exec("CREATE TABLE mine (x); INSERT INTO mine VALUES (42)");
	store = open_store(0, 0);
	mlfs_store_close(store);
	ck_assert_int_ge(sql_int("PRAGMA user_version"), 1);
	ck_assert_int_eq(sql_int("SELECT x FROM mine"), 42);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM subsystems"), 0);
}
END_TEST

/* A database of schema version 1, from before models: upgraded, its subsystems kept. */
START_TEST(test_version_1_database_is_upgraded)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "old", 2);
	int latest;

	ingest_rows(store, ss, 2, 1, 5);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	latest = sql_int("PRAGMA user_version");
	sql_exec("ALTER TABLE subsystems DROP COLUMN autoretrain; DROP TABLE labels; "
		 "DROP TABLE models; ALTER TABLE subsystems DROP COLUMN model_version;"
		 "PRAGMA user_version = 1");

	store = open_store(0, 0);
	ss = mlfs_store_subsys_get(store, "old");
	ck_assert_ptr_nonnull(ss);
	ck_assert_int_eq(mlfs_subsys_model_version(ss), 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	ck_assert_int_eq(sql_int("PRAGMA user_version"), latest);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM \"ds_old\""), 5);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM models"), 0);
}
END_TEST

START_TEST(test_one_daemon_per_database)
{
	struct mlfs_store_options opts = { .path = path };
	struct mlfs_store *store = open_store(0, 0), *second = NULL;
	char err[256];

	ck_assert_int_eq(mlfs_store_open(&opts, &second, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_unopenable_path)
{
	struct mlfs_store_options opts = { .path = "/proc/mlfs/x.db" };
	struct mlfs_store *store = NULL;
	char err[256];

	ck_assert_int_lt(mlfs_store_open(&opts, &store, err, sizeof(err)), 0);
	ck_assert_ptr_null(store);
}
END_TEST

START_TEST(test_subsystem_names)
{
	struct mlfs_store *store = open_store(0, 0);
	char longname[80];

	memset(longname, 'a', 64);
	longname[64] = '\0';
	ck_assert_int_eq(mlfs_store_subsys_create(store, "blk-io_2.x", MLFS_ORIGIN_USER, NULL), 0);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "blk-io_2.x", MLFS_ORIGIN_USER, NULL),
			 -EEXIST);
	ck_assert_int_eq(mlfs_store_subsys_create(store, longname, MLFS_ORIGIN_USER, NULL),
			 -ENAMETOOLONG);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "", MLFS_ORIGIN_USER, NULL), -EINVAL);
	ck_assert_int_eq(mlfs_store_subsys_create(store, ".hidden", MLFS_ORIGIN_USER, NULL),
			 -EINVAL);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "a b", MLFS_ORIGIN_USER, NULL), -EINVAL);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "x\"y", MLFS_ORIGIN_USER, NULL), -EINVAL);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "datasets", MLFS_ORIGIN_USER, NULL),
			 -EINVAL);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_define_columns_once)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 3);
	struct mlfs_columns *cols = calloc(1, sizeof(*cols));

	mlfs_subsys_columns(ss, cols);
	ck_assert_uint_eq(cols->n, 3);
	ck_assert_str_eq(cols->names[2], "c2");
	/* The same columns again: accepted, nothing changes. */
	ck_assert_int_eq(mlfs_store_subsys_define(store, ss, cols), 0);
	strcpy(cols->names[1], "other");
	ck_assert_int_eq(mlfs_store_subsys_define(store, ss, cols), -EEXIST);
	free(cols);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

/* A kernel's or a collector's subsystem is never seen without its columns, even on reopen. */
START_TEST(test_create_with_columns)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_columns *cols = calloc(1, sizeof(*cols)), *got = calloc(1, sizeof(*got));
	struct mlfs_subsys *ss;

	cols->n = 2;
	cols->target = 1;
	strcpy(cols->names[0], "load");
	strcpy(cols->names[1], "best");
	cols->types[0] = cols->types[1] = MLFS_VALUE_INT;
	ck_assert_int_eq(mlfs_store_subsys_create_defined(store, "k", MLFS_ORIGIN_KERNEL, cols, &ss),
			 0);
	mlfs_subsys_columns(ss, got);
	ck_assert_uint_eq(got->n, 2);
	ck_assert_str_eq(got->names[1], "best");
	mlfs_subsys_unref(ss);
	cols->target = 2;
	ck_assert_int_eq(mlfs_store_subsys_create_defined(store, "bad", MLFS_ORIGIN_KERNEL, cols,
							  NULL),
			 -EINVAL);
	ck_assert_ptr_null(mlfs_store_subsys_get(store, "bad"));
	mlfs_store_close(store);

	store = open_store(0, 0);
	ss = mlfs_store_subsys_get(store, "k");
	ck_assert_ptr_nonnull(ss);
	memset(got, 0, sizeof(*got));
	mlfs_subsys_columns(ss, got);
	ck_assert_uint_eq(got->n, 2);
	ck_assert_str_eq(got->names[0], "load");
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	free(cols);
	free(got);
}
END_TEST

START_TEST(test_ingest_and_read_in_order)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 4);
	const struct mlfs_value *row;
	struct mlfs_cursor *c;
	struct mlfs_subsys_status st;
	int64_t expect = 1;

	ingest_rows(store, ss, 4, 1, 500);
	ingest_rows(store, ss, 4, 501, 500);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &c), 0);
	while (mlfs_cursor_next(c, &row) == 1) {
		ck_assert_int_eq(row[0].i, expect);
		ck_assert_int_eq(row[3].i, expect * 30);
		expect++;
	}
	ck_assert_int_eq(expect, 1001);
	mlfs_cursor_close(c);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 1000);
	ck_assert_uint_eq(st.queued, 0);
	ck_assert_uint_eq(st.drops, 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_reals_keep_their_type)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	struct mlfs_batch *b = mlfs_batch_new(ss, 2, 1);
	struct mlfs_value *row = mlfs_batch_append(b);
	const struct mlfs_value *got;
	struct mlfs_cursor *c;
	uint64_t t;

	row[0] = (struct mlfs_value){ .r = 2.5, .type = MLFS_VALUE_REAL };
	row[1] = (struct mlfs_value){ .i = -7, .type = MLFS_VALUE_INT };
	ck_assert_int_eq(mlfs_store_ingest(store, b, MLFS_INGEST_WAIT, &t), 0);
	mlfs_store_wait(store, t);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &c), 0);
	ck_assert_int_eq(mlfs_cursor_next(c, &got), 1);
	ck_assert_int_eq(got[0].type, MLFS_VALUE_REAL);
	ck_assert_double_eq(got[0].r, 2.5);
	ck_assert_int_eq(got[1].type, MLFS_VALUE_INT);
	ck_assert_int_eq(got[1].i, -7);
	mlfs_cursor_close(c);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_cursor_reads_a_snapshot)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	struct mlfs_cursor *old, *now;

	ingest_rows(store, ss, 2, 1, 100);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &old), 0);
	ingest_rows(store, ss, 2, 101, 50);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &now), 0);
	ck_assert_uint_eq(count_rows(old, NULL), 100);
	ck_assert_uint_eq(count_rows(now, NULL), 150);
	/* Rewinding stays in the same snapshot. */
	ingest_rows(store, ss, 2, 151, 10);
	ck_assert_int_eq(mlfs_cursor_rewind(old), 0);
	ck_assert_uint_eq(count_rows(old, NULL), 100);
	mlfs_cursor_close(old);
	mlfs_cursor_close(now);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_retention_drops_oldest)
{
	struct mlfs_store *store = open_store(10, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	struct mlfs_subsys_status st;
	struct mlfs_cursor *c;
	int64_t first = 0;

	ingest_rows(store, ss, 2, 1, 7);
	ingest_rows(store, ss, 2, 8, 18);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 10);
	ck_assert_uint_eq(st.rows_total, 25);
	ck_assert_uint_eq(st.rows_max, 10);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &c), 0);
	ck_assert_uint_eq(count_rows(c, &first), 10);
	ck_assert_int_eq(first, 16);
	mlfs_cursor_close(c);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_nonwaiting_source_drops_and_counts)
{
	struct mlfs_store *store = open_store(0, 8);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	struct mlfs_batch *b = mlfs_batch_new(ss, 2, 9);
	struct mlfs_subsys_status st;
	unsigned i;

	/* More rows than the queue holds: a kernel source must not wait for room. */
	for (i = 0; i < 9; i++)
		memset(mlfs_batch_append(b), 0, 2 * sizeof(struct mlfs_value));
	ck_assert_int_eq(mlfs_store_ingest(store, b, 0, NULL), -EAGAIN);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.drops, 9);
	ck_assert_uint_eq(st.rows, 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	/* Drops are kept across restarts. */
	ck_assert_int_eq(sql_int("SELECT drops FROM subsystems WHERE name = 's'"), 9);
}
END_TEST

START_TEST(test_waiting_source_gets_backpressure)
{
	struct mlfs_store *store = open_store(0, 16);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	struct mlfs_subsys_status st;
	int i;

	/* 200 batches through a 16-row queue: all wait for room, none is lost. */
	for (i = 0; i < 200; i++)
		ingest_rows(store, ss, 2, i * 10 + 1, 10);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 2000);
	ck_assert_uint_eq(st.drops, 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_close_commits_queued_rows)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);
	int i;

	for (i = 0; i < 20; i++) {
		struct mlfs_batch *b = mlfs_batch_new(ss, 2, 100);

		while (mlfs_batch_append(b))
			;
		ck_assert_int_eq(mlfs_store_ingest(store, b, MLFS_INGEST_WAIT, NULL), 0);
	}
	mlfs_subsys_unref(ss);
	mlfs_store_close(store); /* no wait: close must commit them */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM \"ds_s\""), 2000);
}
END_TEST

START_TEST(test_everything_survives_reopen)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "keep", 3);
	struct mlfs_feedback fb = { .recommendation = 7, .arm = MLFS_ARM_ML, .metric = "iops",
				    .value = 1.5 };
	const struct mlfs_feedback_row *fr;
	struct mlfs_feedback_cursor *fc;
	struct mlfs_subsys_status st;
	struct mlfs_cursor *c;

	ingest_rows(store, ss, 3, 1, 42);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_COLLABORATION, "test"), 0);
	ck_assert_int_eq(mlfs_store_feedback_add(store, ss, "user", &fb, 1), 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);

	store = open_store(0, 0);
	ss = mlfs_store_subsys_get(store, "keep");
	ck_assert_ptr_nonnull(ss);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 42);
	ck_assert_uint_eq(st.ncols, 3);
	ck_assert_int_eq(st.mode, MLFS_MODE_COLLABORATION);
	ck_assert_str_eq(st.mode_reason, "test");
	ck_assert_uint_eq(st.mode_changes, 2);
	ck_assert_uint_eq(st.feedback, 1);
	ck_assert_int_eq(mlfs_cursor_open(store, ss, &c), 0);
	ck_assert_uint_eq(count_rows(c, NULL), 42);
	mlfs_cursor_close(c);
	ck_assert_int_eq(mlfs_feedback_cursor_open(store, ss, &fc), 0);
	ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &fr), 1);
	ck_assert_int_eq(fr->fb.recommendation, 7);
	ck_assert_int_eq(fr->fb.arm, MLFS_ARM_ML);
	ck_assert_str_eq(fr->fb.metric, "iops");
	ck_assert_str_eq(fr->source, "user");
	ck_assert_double_eq(fr->fb.value, 1.5);
	ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &fr), 0);
	mlfs_feedback_cursor_close(fc);
	/* New rows continue the sequence after a restart. */
	ingest_rows(store, ss, 3, 43, 8);
	mlfs_subsys_status(ss, &st);
	ck_assert_uint_eq(st.rows, 50);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_mode_history)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "m", 2);

	ck_assert_int_eq(mlfs_subsys_mode(ss), MLFS_MODE_LEARNING);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_EMERGENCY, "a"), 0);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_EMERGENCY, "again"), 0);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_RECOMMENDATION, "b"), 0);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_MAX, "bad"), -EINVAL);
	ck_assert_int_eq(mlfs_subsys_mode(ss), MLFS_MODE_RECOMMENDATION);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	/* created, emergency, recommendation: a repeat of the current mode is not a change. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM mode_history"), 3);
	ck_assert_int_eq(sql_int("SELECT mode = 'recommendation' FROM modes WHERE name = 'm'"), 1);
}
END_TEST

START_TEST(test_remove_deletes_everything)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "gone", 2);
	struct mlfs_feedback fb = { .recommendation = -1, .metric = "x", .value = 1 };

	ingest_rows(store, ss, 2, 1, 10);
	ck_assert_int_eq(mlfs_store_feedback_add(store, ss, "user", &fb, 1), 0);
	ck_assert_int_eq(mlfs_store_subsys_remove(store, ss), 0);
	ck_assert(mlfs_subsys_removed(ss));
	ck_assert_ptr_null(mlfs_store_subsys_get(store, "gone"));
	ck_assert_int_eq(mlfs_store_subsys_remove(store, ss), -ENOENT);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'ds_gone'"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM feedback"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM mode_history"), 0);
	/* The name is free again. */
	store = open_store(0, 0);
	ck_assert_int_eq(mlfs_store_subsys_create(store, "gone", MLFS_ORIGIN_USER, NULL), 0);
	mlfs_store_close(store);
}
END_TEST

static void add_model(struct mlfs_store *store, struct mlfs_subsys *ss, const char *text,
		      int64_t want_version)
{
	struct mlfs_model_record rec = { .origin = "uploaded", .kind = "classify",
					 .params = "rbf C=1 gamma=0.5", .cv_accuracy = NAN,
					 .cv_mse = NAN, .rows_used = -1, .seconds = NAN };

	rec.model_text = (char *)text;
	rec.model_len = strlen(text);
	ck_assert_int_eq(mlfs_store_model_add(store, ss, &rec), 0);
	ck_assert_int_eq(rec.version, want_version);
}

START_TEST(test_model_versions)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "m", 2);
	struct mlfs_model_record rec;

	ck_assert_int_eq(mlfs_subsys_model_version(ss), 0);
	ck_assert_int_eq(mlfs_store_model_load(store, ss, 0, &rec), -ENOENT);
	add_model(store, ss, "model one", 1);
	add_model(store, ss, "model two", 2);
	ck_assert_int_eq(mlfs_subsys_model_version(ss), 2);
	ck_assert_int_eq(mlfs_store_model_load(store, ss, 0, &rec), 0);
	ck_assert_str_eq(rec.model_text, "model two");
	ck_assert_str_eq(rec.scale_text, "");
	ck_assert(isnan(rec.cv_accuracy));
	mlfs_model_record_fini(&rec);
	/* Rollback: the newest version before the active one. */
	ck_assert_int_eq(mlfs_store_model_previous(store, ss), 1);
	ck_assert_int_eq(mlfs_store_model_activate(store, ss, 1), 0);
	ck_assert_int_eq(mlfs_store_model_previous(store, ss), -ENOENT);
	ck_assert_int_eq(mlfs_store_model_activate(store, ss, 7), -ENOENT);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);

	store = open_store(0, 0);
	ss = mlfs_store_subsys_get(store, "m");
	ck_assert_int_eq(mlfs_subsys_model_version(ss), 1);
	ck_assert_int_eq(mlfs_store_model_load(store, ss, 0, &rec), 0);
	ck_assert_str_eq(rec.model_text, "model one");
	ck_assert_str_eq(rec.origin, "uploaded");
	ck_assert_str_eq(rec.params, "rbf C=1 gamma=0.5");
	mlfs_model_record_fini(&rec);
	/* A new model after a rollback takes the next free number. */
	add_model(store, ss, "model three", 3);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

struct label_sums {
	unsigned rows;
	double sum;
};

static int sum_label(void *ctx, const double *x, unsigned n, double target)
{
	struct label_sums *s = ctx;

	ck_assert_uint_eq(n, 3);
	s->rows++;
	s->sum += x[0] + x[1] + x[2] + target;
	return 0;
}

START_TEST(test_labels)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "l", 4);
	const double a[3] = { 1, 2.5, -3 }, b[3] = { 0.125, 0, 7 };
	struct label_sums sums = { 0 };

	ck_assert_int_eq(mlfs_store_label_add(store, ss, a, 3, 32), 0);
	ck_assert_int_eq(mlfs_store_label_add(store, ss, b, 3, 8), 0);
	ck_assert_int_eq(mlfs_store_label_add(store, ss, b, 0, 8), -EINVAL);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);

	store = open_store(0, 0);
	ss = mlfs_store_subsys_get(store, "l");
	ck_assert_int_eq(mlfs_store_labels_each(store, ss, sum_label, &sums), 0);
	ck_assert_uint_eq(sums.rows, 2);
	ck_assert_double_eq(sums.sum, 1 + 2.5 - 3 + 32 + 0.125 + 0 + 7 + 8);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

START_TEST(test_sync)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "s", 2);

	ingest_rows(store, ss, 2, 1, 10);
	ck_assert_int_eq(mlfs_store_sync(store), 0);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

/* Pictures read the newest rows, reports and mode changes only, still oldest first. */
START_TEST(test_tails)
{
	struct mlfs_store *store = open_store(0, 0);
	struct mlfs_subsys *ss = make_subsys(store, "t", 2);
	struct mlfs_feedback fb[30];
	struct mlfs_mode_change changes[8];
	const struct mlfs_feedback_row *row;
	struct mlfs_feedback_cursor *fc;
	struct mlfs_cursor *c;
	int64_t first = 0;
	unsigned i;

	ck_assert_int_eq(mlfs_cursor_open_tail(store, ss, 0, &c), -EINVAL);
	ck_assert_int_eq(mlfs_cursor_open_tail(store, ss, 10, &c), 0);
	ck_assert_uint_eq(count_rows(c, NULL), 0);
	mlfs_cursor_close(c);
	ingest_rows(store, ss, 2, 1, 50);
	ck_assert_int_eq(mlfs_cursor_open_tail(store, ss, 10, &c), 0);
	ck_assert_uint_eq(count_rows(c, &first), 10);
	ck_assert_int_eq(first, 41);
	/* A snapshot like any cursor's: rows committed later are not in it. */
	ingest_rows(store, ss, 2, 51, 5);
	ck_assert_int_eq(mlfs_cursor_rewind(c), 0);
	ck_assert_uint_eq(count_rows(c, &first), 10);
	ck_assert_int_eq(first, 41);
	mlfs_cursor_close(c);
	ck_assert_int_eq(mlfs_cursor_open_tail(store, ss, 1000, &c), 0);
	ck_assert_uint_eq(count_rows(c, &first), 55);
	ck_assert_int_eq(first, 1);
	mlfs_cursor_close(c);

	for (i = 0; i < 30; i++) {
		fb[i] = (struct mlfs_feedback){ .recommendation = -1, .arm = MLFS_ARM_ML,
						.value = i };
		snprintf(fb[i].metric, sizeof(fb[i].metric), "m");
	}
	ck_assert_int_eq(mlfs_store_feedback_add(store, ss, "user", fb, 30), 0);
	ck_assert_int_eq(mlfs_feedback_cursor_open_tail(store, ss, 5, &fc), 0);
	for (i = 25; i < 30; i++) {
		ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &row), 1);
		ck_assert_double_eq(row->fb.value, i);
	}
	ck_assert_int_eq(mlfs_feedback_cursor_next(fc, &row), 0);
	mlfs_feedback_cursor_close(fc);

	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_COLLABORATION, "a"), 0);
	ck_assert_int_eq(mlfs_store_mode_set(store, ss, MLFS_MODE_RECOMMENDATION, "b"), 0);
	ck_assert_int_eq(mlfs_store_mode_history(store, ss, changes, 8), 3);
	ck_assert_int_eq(changes[0].mode, MLFS_MODE_LEARNING);
	ck_assert_int_eq(changes[2].mode, MLFS_MODE_RECOMMENDATION);
	ck_assert_int_le(changes[0].at_ns, changes[2].at_ns);
	ck_assert_int_eq(mlfs_store_mode_history(store, ss, changes, 2), 2);
	ck_assert_int_eq(changes[0].mode, MLFS_MODE_COLLABORATION);
	ck_assert_int_eq(changes[1].mode, MLFS_MODE_RECOMMENDATION);
	mlfs_subsys_unref(ss);
	mlfs_store_close(store);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_new_database_is_migrated_and_wal);
	tcase_add_test(tc, test_newer_schema_is_refused);
	tcase_add_test(tc, test_older_database_is_upgraded);
	tcase_add_test(tc, test_version_1_database_is_upgraded);
	tcase_add_test(tc, test_one_daemon_per_database);
	tcase_add_test(tc, test_unopenable_path);
	tcase_add_test(tc, test_subsystem_names);
	tcase_add_test(tc, test_define_columns_once);
	tcase_add_test(tc, test_create_with_columns);
	tcase_add_test(tc, test_ingest_and_read_in_order);
	tcase_add_test(tc, test_reals_keep_their_type);
	tcase_add_test(tc, test_cursor_reads_a_snapshot);
	tcase_add_test(tc, test_retention_drops_oldest);
	tcase_add_test(tc, test_nonwaiting_source_drops_and_counts);
	tcase_add_test(tc, test_waiting_source_gets_backpressure);
	tcase_add_test(tc, test_close_commits_queued_rows);
	tcase_add_test(tc, test_everything_survives_reopen);
	tcase_add_test(tc, test_mode_history);
	tcase_add_test(tc, test_remove_deletes_everything);
	tcase_add_test(tc, test_model_versions);
	tcase_add_test(tc, test_labels);
	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_tails);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
