/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The store: one SQLite database holding every subsystem, its rows, its mode
 * history and its feedback. Every source of samples (user writes, the kernel
 * device, eBPF collectors) goes through one ingest queue drained by one writer
 * thread in batched transactions; readers stream from their own snapshot.
 */
#ifndef MLFS_STORE_H
#define MLFS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "mode.h"

struct mlfs_store;
struct mlfs_subsys;
struct mlfs_batch;
struct mlfs_cursor;
struct mlfs_feedback_cursor;

#define MLFS_SUBSYS_NAME_MAX 63 /* bytes, without NUL */
#define MLFS_REASON_MAX 160     /* bytes of a mode change's reason, with NUL */

struct mlfs_store_options {
	const char *path;    /* database file; created with its directory if missing */
	uint64_t rows_max;   /* retention: rows kept per subsystem, oldest dropped first */
	unsigned queue_rows; /* rows the ingest queue holds before sources wait or drop */
};

/* Defaults the daemon uses when the user gives no option. */
#define MLFS_STORE_ROWS_MAX_DEFAULT 10000000ULL
#define MLFS_STORE_QUEUE_ROWS_DEFAULT 65536u

/*
 * mlfs_store_open() - open or create the database at @opts->path, apply pending
 * migrations from schema/, and load the subsystems. No thread is started, so the
 * caller may still fork (daemonise) before mlfs_store_start().
 * Returns 0, or -errno with a one-line reason in @errbuf (e.g. a database whose
 * schema is newer than this program: -EPROTONOSUPPORT).
 */
int mlfs_store_open(const struct mlfs_store_options *opts, struct mlfs_store **ret_store,
		    char *errbuf, size_t errlen);

/* Start the writer thread. Returns 0 or -errno. */
int mlfs_store_start(struct mlfs_store *store);

/*
 * mlfs_store_close() - commit everything queued, stop the writer, close the
 * database. Accepts NULL.
 */
void mlfs_store_close(struct mlfs_store *store);

/*
 * Where the writer logs its failures, called from its thread: @subsys names a
 * subsystem or the database file. An episode of failed commits (a full disk)
 * gives one call with its -errno when it starts, and one with @err 0 at the first
 * commit 5 s or more after its last failure.
 */
typedef void (*mlfs_store_log_fn)(int err, const char *subsys, const char *what);
void mlfs_store_set_log(struct mlfs_store *store, mlfs_store_log_fn fn);

/* ---- subsystems ---- */

enum mlfs_origin {
	MLFS_ORIGIN_USER,   /* made with mkdir; columns from the first CSV header */
	MLFS_ORIGIN_KERNEL, /* registered by a kernel subsystem through mlproxy */
	MLFS_ORIGIN_BPF,    /* an eBPF collector */
	MLFS_ORIGIN_MAX,
};

const char *mlfs_origin_name(enum mlfs_origin origin);

/*
 * mlfs_subsys_name_check() - 0 when @name may name a subsystem: 1 to 63 bytes of
 * [A-Za-z0-9_.-], not starting with '.' or '-', not one of the tree's own names.
 * Returns -ENAMETOOLONG or -EINVAL otherwise.
 */
int mlfs_subsys_name_check(const char *name);

/*
 * mlfs_store_subsys_create() - create an empty subsystem (no columns yet) in mode
 * learning. Returns 0 with a reference in *ret_ss (may be NULL), -EEXIST, or the
 * errors of mlfs_subsys_name_check().
 */
int mlfs_store_subsys_create(struct mlfs_store *store, const char *name, enum mlfs_origin origin,
			     struct mlfs_subsys **ret_ss);

/* Delete the subsystem, its rows, history and feedback. Returns 0 or -errno. */
int mlfs_store_subsys_remove(struct mlfs_store *store, struct mlfs_subsys *ss);

/* A new reference to a live subsystem, or NULL. */
struct mlfs_subsys *mlfs_store_subsys_get(struct mlfs_store *store, const char *name);
struct mlfs_subsys *mlfs_store_subsys_get_id(struct mlfs_store *store, int64_t id);

/*
 * mlfs_store_subsys_list() - references to all live subsystems, ordered by id, in a
 * new array the caller frees with mlfs_subsys_list_free(). Returns the count or -ENOMEM.
 */
int mlfs_store_subsys_list(struct mlfs_store *store, struct mlfs_subsys ***ret_list);
void mlfs_subsys_list_free(struct mlfs_subsys **list, int n);

struct mlfs_subsys *mlfs_subsys_ref(struct mlfs_subsys *ss);
void mlfs_subsys_unref(struct mlfs_subsys *ss); /* accepts NULL */

int64_t mlfs_subsys_id(const struct mlfs_subsys *ss);
const char *mlfs_subsys_name(const struct mlfs_subsys *ss);
enum mlfs_origin mlfs_subsys_origin(const struct mlfs_subsys *ss);
bool mlfs_subsys_removed(const struct mlfs_subsys *ss);

/* Column layout of a subsystem's rows. */
struct mlfs_columns {
	unsigned n;      /* 0 until defined */
	unsigned target; /* index of the training target, < n */
	char names[MLFS_COLUMNS_MAX][MLFS_COLUMN_NAME_MAX + 1];
	enum mlfs_value_type types[MLFS_COLUMNS_MAX];
};

/*
 * mlfs_store_subsys_define() - give a subsystem without columns its columns and
 * create its table. Defining the same columns again (names and target; types are
 * fixed by the first definition) succeeds and changes nothing; different ones
 * give -EEXIST.
 */
int mlfs_store_subsys_define(struct mlfs_store *store, struct mlfs_subsys *ss,
			     const struct mlfs_columns *cols);

/*
 * mlfs_store_subsys_create_defined() - mlfs_store_subsys_create() with @cols too, as
 * mlfs_store_subsys_define() takes them, in one transaction: the subsystem is never
 * seen without its columns (a kernel's or a collector's, whose columns are known).
 * Also -EINVAL for columns that are not valid.
 */
int mlfs_store_subsys_create_defined(struct mlfs_store *store, const char *name,
				     enum mlfs_origin origin, const struct mlfs_columns *cols,
				     struct mlfs_subsys **ret_ss);

/* Copy the subsystem's columns into @ret (n == 0: not defined yet). */
void mlfs_subsys_columns(struct mlfs_subsys *ss, struct mlfs_columns *ret);

/* What `status` shows. */
struct mlfs_subsys_status {
	enum mlfs_origin origin;
	unsigned ncols;
	uint64_t rows;       /* rows in the table now */
	uint64_t rows_total; /* rows ever committed, including those retention dropped */
	uint64_t rows_max;
	uint64_t bytes;      /* CSV bytes users wrote to the dataset */
	uint64_t drops;      /* rows lost: full queue (non-waiting sources) or failed commit */
	uint64_t queued;     /* rows accepted but not committed yet */
	int64_t last_ingest_ns; /* commit time of the newest row, 0 if none */
	enum mlfs_mode mode;
	char mode_reason[MLFS_REASON_MAX];
	int64_t mode_changed_ns;
	uint64_t mode_changes; /* rows in the mode history */
	uint64_t feedback;     /* feedback reports stored */
};

void mlfs_subsys_status(struct mlfs_subsys *ss, struct mlfs_subsys_status *ret);

enum mlfs_mode mlfs_subsys_mode(struct mlfs_subsys *ss);

/*
 * A source that decides a subsystem's mode itself (the kernel proxy) attaches
 * here, so that a user's mode change reaches it. set_mode() returns 0 or -errno;
 * on failure the change is refused.
 */
struct mlfs_mode_owner {
	int (*set_mode)(void *ctx, struct mlfs_subsys *ss, enum mlfs_mode mode);
	void *ctx;
};

/* Attach @owner (NULL: detach). The owner must outlive its attachment. */
void mlfs_subsys_set_mode_owner(struct mlfs_subsys *ss, const struct mlfs_mode_owner *owner);

/*
 * mlfs_subsys_request_mode() - a user asks for @mode: it goes to the mode's owner
 * if one is attached, then into the store with @reason. A kernel subsystem whose
 * owner is not attached (the kernel is not connected) refuses with -ENODEV.
 * Returns 0 or -errno.
 */
int mlfs_subsys_request_mode(struct mlfs_store *store, struct mlfs_subsys *ss,
			     enum mlfs_mode mode, const char *reason);

/*
 * mlfs_store_mode_set() - change the mode, recording time and @reason in the mode
 * history. Setting the current mode again records nothing. Returns 0 or -errno.
 */
int mlfs_store_mode_set(struct mlfs_store *store, struct mlfs_subsys *ss, enum mlfs_mode mode,
			const char *reason);

/* ---- ingest ---- */

/*
 * mlfs_batch_new() - an empty batch of @rows_cap rows of @ncols cells for @ss. The
 * subsystem's columns may still be undefined when it is filled, but must match
 * @ncols when it is queued. Returns NULL on -ENOMEM.
 */
struct mlfs_batch *mlfs_batch_new(struct mlfs_subsys *ss, unsigned ncols, unsigned rows_cap);
void mlfs_batch_free(struct mlfs_batch *batch); /* accepts NULL */

/* The next row's cells, to fill in, or NULL when the batch is full. */
struct mlfs_value *mlfs_batch_append(struct mlfs_batch *batch);

unsigned mlfs_batch_rows(const struct mlfs_batch *batch);

/* The cell at @row, @col, for a second look after filling (type inference). */
const struct mlfs_value *mlfs_batch_cell(const struct mlfs_batch *batch, unsigned row,
					 unsigned col);

/*
 * Where the writer reports the fate of a batch: it stores the first failure's
 * -errno in *result. The object must outlive the batch's commit (see mlfs_store_wait()).
 */
void mlfs_batch_set_result(struct mlfs_batch *batch, int *result);

enum {
	MLFS_INGEST_WAIT = 1 << 0, /* wait for room (user writes); else drop and count */
};

/*
 * mlfs_store_ingest() - queue @batch for the writer; the store owns it from here.
 * Without MLFS_INGEST_WAIT a full queue drops the batch, counts its rows as drops
 * and returns -EAGAIN, never blocking. *ret_ticket (may be NULL) identifies the
 * batch for mlfs_store_wait(). Returns 0, -EINVAL when the batch's width is not
 * the subsystem's, or -errno.
 */
int mlfs_store_ingest(struct mlfs_store *store, struct mlfs_batch *batch, unsigned flags,
		      uint64_t *ret_ticket);

/* Count @bytes of text a user wrote to the dataset, shown as `bytes` in status. */
void mlfs_subsys_count_bytes(struct mlfs_subsys *ss, uint64_t bytes);

/* Wait until every batch up to @ticket is committed or failed. */
void mlfs_store_wait(struct mlfs_store *store, uint64_t ticket);

/*
 * mlfs_store_sync() - make everything committed so far durable on disk (commits
 * use synchronous=NORMAL, which survives a crash of the daemon but not of the
 * machine). Returns 0 or -errno.
 */
int mlfs_store_sync(struct mlfs_store *store);

/* ---- reading rows ---- */

/*
 * mlfs_cursor_open() - start reading @ss's rows, oldest first, from a snapshot
 * taken now: rows committed later are not seen. Each cursor holds a database
 * connection and the snapshot until closed.
 */
int mlfs_cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss,
		     struct mlfs_cursor **ret_cursor);
void mlfs_cursor_close(struct mlfs_cursor *cursor); /* accepts NULL */

/*
 * mlfs_cursor_open_tail() - like mlfs_cursor_open(), but only the newest @rows (> 0)
 * rows of the snapshot, still oldest first. The rows are found by the table's key, so
 * reading them costs the same however many older rows there are.
 */
int mlfs_cursor_open_tail(struct mlfs_store *store, struct mlfs_subsys *ss, uint64_t rows,
			  struct mlfs_cursor **ret_cursor);

/* The columns the cursor returns (fixed at open). */
const struct mlfs_columns *mlfs_cursor_columns(const struct mlfs_cursor *cursor);

/* The next row in *ret_row (valid until the next call): 1, 0 at the end, or -errno. */
int mlfs_cursor_next(struct mlfs_cursor *cursor, const struct mlfs_value **ret_row);

/* Start again from the first row of the same snapshot. */
int mlfs_cursor_rewind(struct mlfs_cursor *cursor);

/*
 * mlfs_store_distinct_targets() - how many different target values @ss's rows
 * hold, counting no further than @limit (the scan stops there). Returns it or -errno.
 */
int mlfs_store_distinct_targets(struct mlfs_store *store, struct mlfs_subsys *ss, int limit);

/* ---- models ---- */

/* A model version as the store keeps it. Texts are owned: mlfs_model_record_fini(). */
struct mlfs_model_record {
	int64_t version;    /* 1, 2, ... per subsystem */
	int64_t created_ns;
	char origin[16];    /* trained, retrained, uploaded */
	char kind[16];      /* classify, regress */
	char params[96];
	double cv_accuracy; /* percent; NaN when unknown */
	double cv_mse;      /* NaN when unknown */
	int64_t rows_used;  /* -1 when unknown */
	double seconds;     /* NaN when unknown */
	char *model_text;
	size_t model_len;
	char *scale_text;
	size_t scale_len;
};

void mlfs_model_record_fini(struct mlfs_model_record *rec);

/*
 * mlfs_store_model_add() - keep @rec as the subsystem's next version and make it
 * the active one, in one transaction. @rec->version and created_ns are set here.
 * Returns 0 or -errno.
 */
int mlfs_store_model_add(struct mlfs_store *store, struct mlfs_subsys *ss,
			 struct mlfs_model_record *rec);

/* Load @version (0: the active one) into @ret. Returns 0, -ENOENT, or -errno. */
int mlfs_store_model_load(struct mlfs_store *store, struct mlfs_subsys *ss, int64_t version,
			  struct mlfs_model_record *ret);

/* Make @version active. Returns 0, -ENOENT, or -errno. */
int mlfs_store_model_activate(struct mlfs_store *store, struct mlfs_subsys *ss, int64_t version);

/* The newest version older than the active one, for a rollback. Returns it or -ENOENT. */
int64_t mlfs_store_model_previous(struct mlfs_store *store, struct mlfs_subsys *ss);

/* The active model's version, 0 when there is none. */
int64_t mlfs_subsys_model_version(struct mlfs_subsys *ss);

/* Whether a window where the model did worse than the default starts a retrain (default on). */
bool mlfs_subsys_autoretrain(struct mlfs_subsys *ss);
int mlfs_store_set_autoretrain(struct mlfs_store *store, struct mlfs_subsys *ss, bool on);

/* ---- labels: what feedback taught ---- */

/* Keep a row of @n features with a better @target, learnt from feedback. */
int mlfs_store_label_add(struct mlfs_store *store, struct mlfs_subsys *ss, const double *x,
			 unsigned n, double target);

/*
 * mlfs_store_labels_each() - call @fn for every label of @ss, oldest first, with
 * its features (at most MLFS_COLUMNS_MAX) and target; a negative return stops.
 * Returns 0, @fn's negative value, or -errno.
 */
int mlfs_store_labels_each(struct mlfs_store *store, struct mlfs_subsys *ss,
			   int (*fn)(void *ctx, const double *x, unsigned n, double target),
			   void *ctx);

/* ---- feedback ---- */

/*
 * mlfs_store_feedback_add() - store @n reports from @source ("user", "kernel", ...),
 * in one transaction. Returns 0 or -errno.
 */
int mlfs_store_feedback_add(struct mlfs_store *store, struct mlfs_subsys *ss, const char *source,
			    const struct mlfs_feedback *fb, unsigned n);

struct mlfs_feedback_row {
	int64_t at_ns;
	char source[16];
	struct mlfs_feedback fb;
};

/* Read a subsystem's feedback, oldest first, from a snapshot; like mlfs_cursor_*. */
int mlfs_feedback_cursor_open(struct mlfs_store *store, struct mlfs_subsys *ss,
			      struct mlfs_feedback_cursor **ret_cursor);
int mlfs_feedback_cursor_next(struct mlfs_feedback_cursor *cursor,
			      const struct mlfs_feedback_row **ret_row);
int mlfs_feedback_cursor_rewind(struct mlfs_feedback_cursor *cursor);
void mlfs_feedback_cursor_close(struct mlfs_feedback_cursor *cursor);
/* The newest @reports (> 0) reports only, oldest first, found by index: bounded work. */
int mlfs_feedback_cursor_open_tail(struct mlfs_store *store, struct mlfs_subsys *ss,
				   uint64_t reports, struct mlfs_feedback_cursor **ret_cursor);

/* ---- mode history ---- */

struct mlfs_mode_change {
	int64_t at_ns;
	enum mlfs_mode mode;
};

/*
 * mlfs_store_mode_history() - the newest @max changes of @ss's mode, oldest first,
 * into @ret (the first is the mode the subsystem was created in). Returns how many,
 * or -errno.
 */
int mlfs_store_mode_history(struct mlfs_store *store, struct mlfs_subsys *ss,
			    struct mlfs_mode_change *ret, unsigned max);

#endif
