/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The daemon's insides: the tree of inodes, the open files and the kinds of file
 * each subsystem directory holds. Each kind lives in a file_<name>.c of its own.
 */
#ifndef MLFS_FS_I_H
#define MLFS_FS_I_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "collector.h"
#include "model.h"
#include "store.h"

struct fs_models;
struct fs_workers;

struct mlfs_fs {
	struct mlfs_store *store;
	struct mlfs_kdev *kdev;     /* the kernel proxy's device */
	struct mlfs_bpf *bpf;       /* the eBPF collectors (-o collectors=) */
	struct fs_models *models;   /* active models and training jobs */
	struct fs_workers *workers; /* run the operations that may wait */
	struct fuse_session *se;
	time_t started;
	uid_t uid; /* the tree's owner: the daemon's user */
	gid_t gid; /* its group: -o group=, or the daemon's group */

	pthread_mutex_t files_lock;   /* protects open_files */
	struct fs_file *open_files;   /* every open file, for those never released */
};

/* ---- privileges (privileges.c) ---- */

/*
 * Drop every capability but CAP_SYS_ADMIN, which stays permitted and not
 * effective, before the first thread starts. Returns 0 or -errno.
 */
int fs_privileges_drop(void);
/* Make CAP_SYS_ADMIN effective again, to unmount. Returns 0 or -errno. */
int fs_privileges_for_unmount(void);

/* ---- workers (workers.c): operations that may wait, off the FUSE threads ---- */

struct fs_job {
	struct fs_job *next;
	void (*run)(struct fs_job *job); /* does the operation, replies, frees the job */
};

/* Threads reading FUSE requests, unless -o max_threads says otherwise (main.c). */
#define FS_FUSE_THREADS 2
/* Workers the daemon may start: operations waiting at once beyond this queue up. */
#define FS_WORKERS_MAX 16

/* Up to @max threads, started as jobs come. Returns 0 or -ENOMEM. */
int fs_workers_new(unsigned max, struct fs_workers **ret);
/* Run @job on a worker, after the jobs before it have been taken. */
void fs_workers_submit(struct fs_workers *w, struct fs_job *job);
/* Run every job still queued, then stop the threads. Accepts NULL. */
void fs_workers_free(struct fs_workers *w);

/* ---- prediction latency (latency.c) ---- */

/* The histogram's finite upper bounds, in seconds; +Inf is the count. */
#define FS_LATENCY_BUCKETS 9
extern const double fs_latency_bounds[FS_LATENCY_BUCKETS];

struct fs_latency {
	uint64_t bucket[FS_LATENCY_BUCKETS]; /* predictions within each bound */
	uint64_t count;
	double sum_seconds;
};

uint64_t fs_latency_now_ns(void);
void fs_latency_observe(struct fs_latency *l, uint64_t ns);
void fs_latency_add(struct fs_latency *into, const struct fs_latency *from);

/* ---- models (models.c) ---- */

struct fs_model_ref;

/* A training job, as status shows it. */
struct fs_train_state {
	bool running;
	char stage[24];         /* starting, sampling, scaling, grid search, final model, done... */
	unsigned point, points; /* grid points done, of all */
	unsigned fold, folds;   /* cross-validation trainings done, of all */
	char last[160];         /* "ok" or why the last job failed */
};

/* @train_rows: cap on the rows a training uses (0: the model area's default). */
int fs_models_new(struct mlfs_store *store, size_t train_rows, struct fs_models **ret);
void fs_models_free(struct fs_models *m); /* cancels and joins training; accepts NULL */

/* The active model of @ss, referenced (fs_model_ref_put), or NULL when it has none. */
struct fs_model_ref *fs_models_get(struct fs_models *m, struct mlfs_subsys *ss);
void fs_model_ref_put(struct fs_model_ref *ref); /* accepts NULL */
int fs_model_predict(struct fs_model_ref *ref, const double *x, unsigned n, double *ret_y);
int64_t fs_model_version(const struct fs_model_ref *ref);
struct mlfs_model_info;
void fs_model_info(const struct fs_model_ref *ref, struct mlfs_model_info *ret);

/* Keep @model (taken over) as the next version of @ss and make it active. */
int fs_models_install(struct fs_models *m, struct mlfs_subsys *ss, struct mlfs_model *model,
		      const char *origin);
int fs_models_rollback(struct fs_models *m, struct mlfs_subsys *ss);

/* A scaling written to model.scale (taken over), for the next model upload to use. */
int fs_models_set_pending_scale(struct fs_models *m, struct mlfs_subsys *ss, char *text,
				size_t len);
char *fs_models_take_pending_scale(struct fs_models *m, struct mlfs_subsys *ss, size_t *ret_len);

/* The latest recommendation sent to the kernel for a subsystem, with what came of it. */
struct fs_recommendation {
	uint64_t id;
	double value;
	int64_t model_version;
	enum mlfs_mode mode;
	unsigned nfeatures;
	double features[MLFS_COLUMNS_MAX];
	/* The newest recommendation whose decision's outcome came back: */
	uint64_t outcome_of; /* its id, 0 for none yet */
	bool applied;        /* the model's arm made that decision */
	double outcome;      /* the metric it achieved */
};

/* Predict for a kernel sample and remember it as the latest. -ENOENT: no model. */
int fs_models_recommend(struct fs_models *m, struct mlfs_subsys *ss, const double *x, unsigned n,
			uint64_t id, double *ret_value, uint64_t *ret_version);
void fs_models_outcome(struct fs_models *m, struct mlfs_subsys *ss, uint64_t recommendation,
		       bool ml, double default_value, double metric);
bool fs_models_last_recommendation(struct fs_models *m, struct mlfs_subsys *ss,
				   struct fs_recommendation *ret);

/* What the kernel's windows said of the model, for status. */
struct fs_efficiency {
	uint64_t windows;      /* windows reported */
	uint64_t judged;       /* with outcomes of both arms */
	uint64_t ml_not_worse; /* of those, where ML did at least as well */
	uint64_t decisions[2]; /* in the last window: [0] default arm, [1] ML */
	double means[2];       /* their mean metric, NaN without outcomes */
	bool lower_is_better;
	bool autoretrain;
};

/* A window closed: efficiency, labels from the ML arm's worse decisions, auto-retrain. */
void fs_models_window(struct fs_models *m, struct mlfs_subsys *ss, enum mlfs_mode mode,
		      const uint64_t decisions[2], const double means[2], bool lower_is_better);
void fs_models_efficiency(struct fs_models *m, struct mlfs_subsys *ss, struct fs_efficiency *ret);

/* Predictions made for @ss outside fs_models_recommend() (queries), and all of them so far. */
void fs_models_add_latency(struct fs_models *m, struct mlfs_subsys *ss,
			   const struct fs_latency *more);
void fs_models_latency(struct fs_models *m, struct mlfs_subsys *ss, struct fs_latency *ret);

/* The kind of model a subsystem's target wants, for `train` without a kind (AUTO: any). */
void fs_models_declare_kind(struct fs_models *m, struct mlfs_subsys *ss,
			    enum mlfs_model_kind kind);

/*
 * Train in the background (@with_labels: retrain, adding what feedback taught):
 * -EBUSY while a job runs. Cancel: -ENOENT when none runs.
 */
int fs_models_train(struct fs_models *m, struct mlfs_subsys *ss, bool with_labels,
		    enum mlfs_model_kind kind);
int fs_models_cancel(struct fs_models *m, struct mlfs_subsys *ss);
void fs_models_state(struct fs_models *m, struct mlfs_subsys *ss, struct fs_train_state *ret);

/* ---- a mount left by a dead daemon ---- */

#define FS_STALE_MOUNTS_MAX 16

/*
 * fs_stale_mount_clear() - detach the mounts of dead mlfs daemons on @mountpoint
 * (it answers ENOTCONN and its topmost mount is of type fuse.mlfs), to mount
 * there again. Returns how many were detached, or -errno with a one-line reason
 * in @errbuf that says how to clear what is in the way.
 */
int fs_stale_mount_clear(const char *mountpoint, char *errbuf, size_t errlen);

/* ---- logging: stderr in the foreground, syslog once daemonised ---- */

void mlfs_log_init(bool foreground);
void mlfs_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line of progress, for the terminal of a foreground daemon only. */
void mlfs_log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- open files ---- */

struct fs_file;

/*
 * A kind of file in every subsystem directory. Small files (mode, status) render
 * their text at open with show(); large ones stream it with produce(), so memory
 * stays bounded whatever the table's size.
 */
struct fs_file_ops {
	const char *name;     /* in <subsys>/ */
	const char *category; /* the directory of the same files for every subsystem, or NULL */
	mode_t mode;          /* permission bits; writable kinds also need write() */
	bool pipe;            /* reads return what comes next, whatever the offset */
	/*
	 * Its operations may wait (on the store's queue, commits, SQLite, or checking a
	 * large upload): opening, streaming reads, writes, flush, fsync and release run
	 * on a worker. The others run on the FUSE thread, but for writes so large
	 * that answering them takes a while.
	 */
	bool blocking;

	int (*open)(struct fs_file *f, int flags);
	int (*show)(struct fs_file *f);
	/*
	 * Append whole units (rows, lines) to @buf while they fit in @cap; return the
	 * bytes written, 0 at the end, -ENOSPC when not even one unit fits (the caller
	 * retries with FS_UNIT_MAX bytes), or -errno.
	 */
	ssize_t (*produce)(struct fs_file *f, char *buf, size_t cap);
	int (*rewind)(struct fs_file *f);
	int (*write)(struct fs_file *f, const char *buf, size_t len);
	int (*flush)(struct fs_file *f);
	int (*fsync)(struct fs_file *f);
	void (*release)(struct fs_file *f);
};

/* The largest unit produce() ever writes: a CSV header of every column at full length. */
#define FS_UNIT_MAX (MLFS_COLUMNS_MAX * (MLFS_COLUMN_NAME_MAX + 1) + 64)

struct fs_file {
	const struct fs_file_ops *ops;
	struct mlfs_fs *fs;
	struct mlfs_subsys *ss; /* a reference; NULL for a file at the top of the tree */
	uid_t uid;              /* who opened it, for mode-change reasons */
	pid_t pid;

	pthread_mutex_t lock; /* serialises the operations on this open file */
	off_t pos;            /* bytes of the stream already returned by read */
	char *text;           /* show()'s whole text, or produce()'s unit that did not fit */
	size_t text_len, text_off;
	size_t text_cap;
	void *priv; /* the kind's own state */
	struct fs_file *prev, *next; /* in fs->open_files, under fs->files_lock */
};

/*
 * fs_files_free_all() - free the files still open when the session ended. The kernel
 * sends no release for them when the last descriptor of a lazily unmounted tree is
 * closed after the session, or when a signal stops the daemon. Call once no worker
 * runs, before the store closes (a dataset file holds a snapshot of it).
 */
void fs_files_free_all(struct mlfs_fs *fs);

/* Append printf output to f->text (show() uses it). Returns 0 or -ENOMEM. */
int fs_file_printf(struct fs_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2026-11-22T00:49:30.123Z" into @buf of at least 32 bytes; "-" for 0. */
void fs_format_time(int64_t ns, char *buf, size_t cap);

extern const struct fs_file_ops fs_dataset_ops;
extern const struct fs_file_ops fs_dataset_svm_ops;
extern const struct fs_file_ops fs_mode_ops;
extern const struct fs_file_ops fs_feedback_ops;
extern const struct fs_file_ops fs_status_ops;
extern const struct fs_file_ops fs_model_ops;
extern const struct fs_file_ops fs_model_scale_ops;
extern const struct fs_file_ops fs_control_ops;
extern const struct fs_file_ops fs_recommendation_ops;
extern const struct fs_file_ops fs_metrics_ops; /* /metrics, of no one subsystem */
extern const struct fs_file_ops fs_efficiency_svg_ops;
extern const struct fs_file_ops fs_dataset_svg_ops;

/* Every kind, in directory order; its index + 1 is its slot in the inode number. */
extern const struct fs_file_ops *const fs_file_kinds[];
extern const unsigned fs_file_kinds_count;

/* Open a file of kind @ops of @ss and reply to @req; file.c. */
void fs_file_open(fuse_req_t req, const struct fs_file_ops *ops, struct mlfs_subsys *ss,
		  struct fuse_file_info *fi);
void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi);
void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/*
 * fs_reply_copy() - fuse_reply_buf() of a copy of @data that the calling thread owns.
 * The kernel ends a request inside the writev() that carries its reply, so the
 * reader may close the file, and release free what @data points to, before writev()
 * returns: harmless to the kernel, which copied the bytes, but a use after free for
 * anything that looks at the buffer after the call, as AddressSanitizer does.
 */
void fs_reply_copy(fuse_req_t req, const char *data, size_t len);

/* The FUSE low-level operations of the tree. */
extern const struct fuse_lowlevel_ops mlfs_fs_ops;

#endif
