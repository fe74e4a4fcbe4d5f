// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Open files of the tree: what every kind shares. Text is either rendered whole at
 * open (show) or streamed unit by unit (produce), with the read offset followed so
 * that a reader who seeks back sees the same snapshot again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_i.h"

int fs_file_printf(struct fs_file *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	for (;;) {
		size_t room = f->text_cap - f->text_len;

		va_start(ap, fmt);
		len = vsnprintf(f->text ? f->text + f->text_len : NULL, room, fmt, ap);
		va_end(ap);
		if (len < 0)
			return -EINVAL;
		if ((size_t)len < room)
			break;
		room = f->text_cap * 2 + (size_t)len + 256;
		char *t = realloc(f->text, room);

		if (!t)
			return -ENOMEM;
		f->text = t;
		f->text_cap = room;
	}
	f->text_len += (size_t)len;
	return 0;
}

void fs_format_time(int64_t ns, char *buf, size_t cap)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	size_t len;

	if (ns == 0 || !gmtime_r(&secs, &tm)) {
		snprintf(buf, cap, "-");
		return;
	}
	len = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, cap - len, ".%06dZ", (int)(ns % 1000000000 / 1000));
}

static struct fs_file *file_of(struct fuse_file_info *fi)
{
	return (struct fs_file *)(uintptr_t)fi->fh;
}

static void file_free(struct fs_file *f)
{
	struct mlfs_fs *fs = f->fs;

	pthread_mutex_lock(&fs->files_lock);
	if (f->prev)
		f->prev->next = f->next;
	else if (fs->open_files == f)
		fs->open_files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&fs->files_lock);
	if (f->ops->release)
		f->ops->release(f);
	mlfs_subsys_unref(f->ss);
	pthread_mutex_destroy(&f->lock);
	free(f->text);
	free(f);
}

void fs_files_free_all(struct mlfs_fs *fs)
{
	while (fs->open_files)
		file_free(fs->open_files);
}

static void open_now(fuse_req_t req, const struct fs_file_ops *ops, struct mlfs_subsys *ss,
		     struct fuse_file_info *fi)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs_file *f;
	int r = 0;

	f = calloc(1, sizeof(*f));
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->ops = ops;
	f->fs = fuse_req_userdata(req);
	f->ss = ss ? mlfs_subsys_ref(ss) : NULL; /* none: a file about every subsystem */
	f->uid = ctx->uid;
	f->pid = ctx->pid;
	pthread_mutex_init(&f->lock, NULL);
	if (ops->open)
		r = ops->open(f, fi->flags);
	if (r == 0 && ops->show && (fi->flags & O_ACCMODE) != O_WRONLY)
		r = ops->show(f);
	if (r < 0) {
		file_free(f);
		fuse_reply_err(req, -r);
		return;
	}
	pthread_mutex_lock(&f->fs->files_lock);
	f->next = f->fs->open_files;
	if (f->next)
		f->next->prev = f;
	f->fs->open_files = f;
	pthread_mutex_unlock(&f->fs->files_lock);
	fi->fh = (uintptr_t)f;
	/* Contents are generated and change: bypass the page cache, report size 0. */
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

/* Fill @buf from the stream: first what the last unit left, then whole units. */
static ssize_t stream_fill(struct fs_file *f, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size) {
		if (f->text_off < f->text_len) {
			size_t c = f->text_len - f->text_off;

			if (c > size - n)
				c = size - n;
			memcpy(buf + n, f->text + f->text_off, c);
			f->text_off += c;
			n += c;
			continue;
		}
		r = f->ops->produce(f, buf + n, size - n);
		if (r == -ENOSPC) {
			/* The next unit is larger than what is left: produce it aside. */
			if (f->text_cap < FS_UNIT_MAX) {
				char *t = realloc(f->text, FS_UNIT_MAX);

				if (!t)
					return n ? (ssize_t)n : -ENOMEM;
				f->text = t;
				f->text_cap = FS_UNIT_MAX;
			}
			r = f->ops->produce(f, f->text, f->text_cap);
			f->text_off = 0;
			f->text_len = r > 0 ? (size_t)r : 0;
		} else if (r > 0) {
			n += (size_t)r;
		}
		if (r <= 0)
			return n || r == 0 ? (ssize_t)n : r;
	}
	return (ssize_t)n;
}

/* Move the stream to @off: from the start of the snapshot if it lies behind. */
static int stream_seek(struct fs_file *f, off_t off, char *scratch, size_t cap)
{
	int r;

	if (off < f->pos) {
		r = f->ops->rewind(f);
		if (r < 0)
			return r;
		f->pos = 0;
		f->text_len = f->text_off = 0;
	}
	while (f->pos < off) {
		size_t want = (size_t)(off - f->pos) < cap ? (size_t)(off - f->pos) : cap;
		ssize_t n = stream_fill(f, scratch, want);

		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		f->pos += n;
	}
	return 0;
}

void fs_reply_copy(fuse_req_t req, const char *data, size_t len)
{
	char small[4096], *copy;

	if (len == 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	copy = len <= sizeof(small) ? small : malloc(len);
	if (!copy) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memcpy(copy, data, len);
	fuse_reply_buf(req, copy, len);
	if (copy != small)
		free(copy);
}

static void read_now(fuse_req_t req, struct fs_file *f, size_t size, off_t off)
{
	ssize_t n = 0;
	char *buf;
	int r = 0;

	if (f->ops->show) {
		size_t start = (size_t)off < f->text_len ? (size_t)off : f->text_len;
		size_t len = f->text_len - start < size ? f->text_len - start : size;

		fs_reply_copy(req, f->text + start, len);
		return;
	}
	if (!f->ops->produce) {
		fuse_reply_err(req, EBADF);
		return;
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&f->lock);
	/* A pipe-like file (query and answer) has no positions: writes moved the offset. */
	if (f->ops->pipe)
		off = f->pos;
	if (off != f->pos)
		r = stream_seek(f, off, buf, size ? size : 1);
	if (r == 0 && f->pos == off) {
		n = stream_fill(f, buf, size);
		if (n > 0)
			f->pos += n;
	}
	pthread_mutex_unlock(&f->lock);
	if (r < 0 || n < 0)
		fuse_reply_err(req, r < 0 ? -r : (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void write_now(fuse_req_t req, struct fs_file *f, const char *buf, size_t size)
{
	int r;

	pthread_mutex_lock(&f->lock);
	r = f->ops->write(f, buf, size);
	pthread_mutex_unlock(&f->lock);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_write(req, size);
}

static void flush_now(fuse_req_t req, struct fs_file *f)
{
	int r = 0;

	pthread_mutex_lock(&f->lock);
	if (f->ops->flush)
		r = f->ops->flush(f);
	pthread_mutex_unlock(&f->lock);
	fuse_reply_err(req, -r);
}

static void fsync_now(fuse_req_t req, struct fs_file *f)
{
	int r = 0;

	pthread_mutex_lock(&f->lock);
	if (f->ops->fsync)
		r = f->ops->fsync(f);
	pthread_mutex_unlock(&f->lock);
	fuse_reply_err(req, -r);
}

/* ---- who runs an operation: the FUSE thread, or a worker (the kind is blocking) ---- */

/* Writes larger than this go to a worker whatever the kind: a batch of queries takes a while. */
#define FS_INLINE_WRITE_MAX 4096

enum file_op { OP_OPEN, OP_READ, OP_WRITE, OP_FLUSH, OP_FSYNC, OP_RELEASE };

struct file_job {
	struct fs_job job;
	enum file_op op;
	fuse_req_t req;
	struct fuse_file_info fi;      /* libfuse's lives on its stack: a copy */
	const struct fs_file_ops *ops; /* OP_OPEN: the kind, */
	struct mlfs_subsys *ss;        /* and a reference to its subsystem */
	size_t size;
	off_t off;
	char data[]; /* OP_WRITE: the bytes, which libfuse reuses once the handler returns */
};

static void file_job_run(struct fs_job *job)
{
	struct file_job *j = (struct file_job *)job;

	switch (j->op) {
	case OP_OPEN:
		open_now(j->req, j->ops, j->ss, &j->fi);
		mlfs_subsys_unref(j->ss);
		break;
	case OP_READ:
		read_now(j->req, file_of(&j->fi), j->size, j->off);
		break;
	case OP_WRITE:
		write_now(j->req, file_of(&j->fi), j->data, j->size);
		break;
	case OP_FLUSH:
		flush_now(j->req, file_of(&j->fi));
		break;
	case OP_FSYNC:
		fsync_now(j->req, file_of(&j->fi));
		break;
	case OP_RELEASE:
		file_free(file_of(&j->fi));
		fuse_reply_err(j->req, 0);
		break;
	}
	free(j);
}

static struct file_job *job_new(fuse_req_t req, enum file_op op, const struct fuse_file_info *fi,
				const char *data, size_t size, off_t off)
{
	struct file_job *j = malloc(sizeof(*j) + (data ? size : 0));

	if (!j)
		return NULL;
	memset(j, 0, sizeof(*j));
	j->job.run = file_job_run;
	j->op = op;
	j->req = req;
	j->fi = *fi;
	j->size = size;
	j->off = off;
	if (data)
		memcpy(j->data, data, size);
	return j;
}

static void job_submit(struct file_job *j)
{
	struct mlfs_fs *fs = fuse_req_userdata(j->req);

	fs_workers_submit(fs->workers, &j->job);
}

/* Hand the operation to a worker. Returns 0, or -ENOMEM for the caller to reply. */
static int defer(fuse_req_t req, enum file_op op, const struct fuse_file_info *fi,
		 const char *data, size_t size, off_t off)
{
	struct file_job *j = job_new(req, op, fi, data, size, off);

	if (!j)
		return -ENOMEM;
	job_submit(j);
	return 0;
}

void fs_file_open(fuse_req_t req, const struct fs_file_ops *ops, struct mlfs_subsys *ss,
		  struct fuse_file_info *fi)
{
	struct file_job *j;

	if (!ops->blocking) {
		open_now(req, ops, ss, fi);
		return;
	}
	j = job_new(req, OP_OPEN, fi, NULL, 0, 0);
	if (!j) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	j->ops = ops;
	j->ss = ss ? mlfs_subsys_ref(ss) : NULL;
	job_submit(j);
}

void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_file *f = file_of(fi);
	int r;

	/* Text rendered at open is there already; a stream may have to ask SQLite. */
	if (f->ops->blocking && !f->ops->show) {
		r = defer(req, OP_READ, fi, NULL, size, off);
		if (r < 0)
			fuse_reply_err(req, -r);
		return;
	}
	read_now(req, f, size, off);
}

void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi)
{
	struct fs_file *f = file_of(fi);
	int r;

	if (!f->ops->write) {
		fuse_reply_err(req, EBADF);
		return;
	}
	if (f->ops->blocking || size > FS_INLINE_WRITE_MAX) {
		r = defer(req, OP_WRITE, fi, buf, size, off);
		if (r < 0)
			fuse_reply_err(req, -r);
		return;
	}
	write_now(req, f, buf, size);
}

/* A blocking kind's flush, fsync and release wait for commits and checks: a worker's. */
static void run_or_defer(fuse_req_t req, enum file_op op, struct fuse_file_info *fi)
{
	struct fs_file *f = file_of(fi);
	int r;

	if (f->ops->blocking) {
		r = defer(req, op, fi, NULL, 0, 0);
		if (r == 0)
			return;
		if (op != OP_RELEASE) {
			fuse_reply_err(req, -r);
			return;
		}
		/* A release cannot fail: the file goes now, on this thread. */
	}
	switch (op) {
	case OP_FLUSH:
		flush_now(req, f);
		break;
	case OP_FSYNC:
		fsync_now(req, f);
		break;
	default:
		file_free(f);
		fuse_reply_err(req, 0);
		break;
	}
}

void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	run_or_defer(req, OP_FLUSH, fi);
}

void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	run_or_defer(req, OP_FSYNC, fi);
}

void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	run_or_defer(req, OP_RELEASE, fi);
}
