/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
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
#include "store.h"

struct mlfs_fs {
	struct mlfs_store *store;
	struct mlfs_kdev *kdev; /* the kernel proxy's device */
	struct fuse_session *se;
	time_t started;
};

/* ---- logging: stderr in the foreground, syslog once daemonised ---- */

void mlfs_log_init(bool foreground);
void mlfs_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
	struct mlfs_subsys *ss; /* a reference */
	uid_t uid;              /* who opened it, for mode-change reasons */
	pid_t pid;

	pthread_mutex_t lock; /* serialises the operations on this open file */
	off_t pos;            /* bytes of the stream already returned by read */
	char *text;           /* show()'s whole text, or produce()'s unit that did not fit */
	size_t text_len, text_off;
	size_t text_cap;
	void *priv; /* the kind's own state */
};

/* Append printf output to f->text (show() uses it). Returns 0 or -ENOMEM. */
int fs_file_printf(struct fs_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2026-11-22T00:49:30.123Z" into @buf of at least 32 bytes; "-" for 0. */
void fs_format_time(int64_t ns, char *buf, size_t cap);

extern const struct fs_file_ops fs_dataset_ops;
extern const struct fs_file_ops fs_dataset_svm_ops;
extern const struct fs_file_ops fs_mode_ops;
extern const struct fs_file_ops fs_feedback_ops;
extern const struct fs_file_ops fs_status_ops;

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

/* The FUSE low-level operations of the tree. */
extern const struct fuse_lowlevel_ops mlfs_fs_ops;

#endif
