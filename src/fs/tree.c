// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The /mlfs tree. Inode numbers are computed, never allocated, so the daemon keeps
 * no inode table and forget() has nothing to free:
 *
 *   1                        the root
 *   2 + i                    category directory i (datasets/, modes/, feedback/)
 *   id << 8                  the directory of subsystem id (ids are never reused)
 *   id << 8 | slot           file kind fs_file_kinds[slot - 1] of that subsystem
 *
 * A category directory's entries are the same inodes as the files in the
 * subsystem directories, like hard links.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fs_i.h"

#define INO_ROOT 1
#define INO_CATEGORY_BASE 2
#define INO_ROOT_FILE_BASE 200 /* after every category's inode */
#define INO_SUBSYS_SHIFT 8
#define INO_SLOT_MASK 0xff

/* How long the kernel may cache names and attributes: subsystems come and go. */
#define CACHE_SECONDS 1.0

/* Append only: a kind's place is part of its inode number. */
const struct fs_file_ops *const fs_file_kinds[] = {
	&fs_dataset_ops, &fs_dataset_svm_ops, &fs_mode_ops, &fs_feedback_ops, &fs_status_ops,
	&fs_model_ops, &fs_model_scale_ops, &fs_control_ops, &fs_recommendation_ops,
	&fs_efficiency_svg_ops, &fs_dataset_svg_ops,
};
const unsigned fs_file_kinds_count = sizeof(fs_file_kinds) / sizeof(fs_file_kinds[0]);

/* Files at the top of the tree, about every subsystem at once. Append only too. */
static const struct fs_file_ops *const root_files[] = {
	&fs_metrics_ops,
};
#define ROOT_FILES (sizeof(root_files) / sizeof(root_files[0]))

_Static_assert(INO_CATEGORY_BASE + sizeof(fs_file_kinds) / sizeof(fs_file_kinds[0]) <=
		       INO_ROOT_FILE_BASE,
	       "category inodes run into the root files'");

enum node_type { NODE_ROOT, NODE_CATEGORY, NODE_SUBSYS, NODE_FILE, NODE_ROOT_FILE, NODE_NONE };

struct node {
	enum node_type type;
	unsigned kind;          /* NODE_CATEGORY, NODE_FILE: index into fs_file_kinds; */
				/* NODE_ROOT_FILE: into root_files */
	struct mlfs_subsys *ss; /* NODE_SUBSYS, NODE_FILE: a reference */
};

static struct mlfs_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static fuse_ino_t subsys_ino(const struct mlfs_subsys *ss)
{
	return (fuse_ino_t)mlfs_subsys_id(ss) << INO_SUBSYS_SHIFT;
}

static bool category_kind(const char *name, unsigned *ret_kind)
{
	unsigned k;

	for (k = 0; k < fs_file_kinds_count; k++)
		if (fs_file_kinds[k]->category && strcmp(fs_file_kinds[k]->category, name) == 0) {
			*ret_kind = k;
			return true;
		}
	return false;
}

static bool root_file(const char *name, unsigned *ret_kind)
{
	unsigned k;

	for (k = 0; k < ROOT_FILES; k++)
		if (strcmp(root_files[k]->name, name) == 0) {
			*ret_kind = k;
			return true;
		}
	return false;
}

static bool file_kind(const char *name, unsigned *ret_kind)
{
	unsigned k;

	for (k = 0; k < fs_file_kinds_count; k++)
		if (strcmp(fs_file_kinds[k]->name, name) == 0) {
			*ret_kind = k;
			return true;
		}
	return false;
}

/* Resolve an inode; the caller drops node->ss with mlfs_subsys_unref(). */
static struct node resolve(struct mlfs_fs *fs, fuse_ino_t ino)
{
	struct node n = { .type = NODE_NONE };
	unsigned slot;

	if (ino == INO_ROOT) {
		n.type = NODE_ROOT;
		return n;
	}
	if (ino >= INO_ROOT_FILE_BASE && ino < INO_ROOT_FILE_BASE + ROOT_FILES) {
		n.type = NODE_ROOT_FILE;
		n.kind = (unsigned)(ino - INO_ROOT_FILE_BASE);
		return n;
	}
	if (ino < (1u << INO_SUBSYS_SHIFT)) {
		unsigned k = (unsigned)(ino - INO_CATEGORY_BASE);

		if (ino >= INO_CATEGORY_BASE && k < fs_file_kinds_count &&
		    fs_file_kinds[k]->category) {
			n.type = NODE_CATEGORY;
			n.kind = k;
		}
		return n;
	}
	slot = ino & INO_SLOT_MASK;
	if (slot > fs_file_kinds_count)
		return n;
	n.ss = mlfs_store_subsys_get_id(fs->store, (int64_t)(ino >> INO_SUBSYS_SHIFT));
	if (!n.ss)
		return n;
	n.type = slot == 0 ? NODE_SUBSYS : NODE_FILE;
	n.kind = slot ? slot - 1 : 0;
	return n;
}

static mode_t file_mode(const struct fs_file_ops *ops, struct mlfs_subsys *ss)
{
	mode_t mode = ops->mode;

	/* Rows of kernel and eBPF subsystems come from their source only. */
	if (ops == &fs_dataset_ops && mlfs_subsys_origin(ss) != MLFS_ORIGIN_USER)
		mode &= ~0222;
	return mode;
}

/*
 * The owner's bits are the kind's; the group (-o group=) may read and search
 * what the owner may, and write nothing; others get nothing, even with
 * allow_other.
 */
static mode_t with_group(mode_t owner)
{
	return (owner & 0700) | ((owner & 0500) >> 3);
}

static void fill_attr(struct mlfs_fs *fs, fuse_ino_t ino, const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_atime = st->st_mtime = st->st_ctime = fs->started;
	switch (n->type) {
	case NODE_ROOT:
	case NODE_CATEGORY:
	case NODE_SUBSYS:
		st->st_mode = S_IFDIR | with_group(0755);
		st->st_nlink = 2;
		break;
	case NODE_FILE: {
		const struct fs_file_ops *ops = fs_file_kinds[n->kind];
		struct mlfs_subsys_status status;

		st->st_mode = S_IFREG | with_group(file_mode(ops, n->ss));
		st->st_nlink = ops->category ? 2 : 1;
		/* Contents are generated: size 0, like sysfs; reads go to the daemon (direct_io). */
		st->st_size = 0;
		st->st_blksize = 1 << 20;
		if (ops == &fs_dataset_ops || ops == &fs_dataset_svm_ops ||
		    ops == &fs_dataset_svg_ops) {
			mlfs_subsys_status(n->ss, &status);
			if (status.last_ingest_ns)
				st->st_mtime = (time_t)(status.last_ingest_ns / 1000000000);
		}
		break;
	}
	case NODE_ROOT_FILE:
		st->st_mode = S_IFREG | with_group(root_files[n->kind]->mode);
		st->st_nlink = 1;
		st->st_blksize = 1 << 20;
		break;
	case NODE_NONE:
		break;
	}
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino, const struct node *n)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.attr_timeout = CACHE_SECONDS;
	e.entry_timeout = CACHE_SECONDS;
	fill_attr(fs_of(req), ino, n, &e.attr);
	fuse_reply_entry(req, &e);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mlfs_fs *fs = fs_of(req);
	struct node p = resolve(fs, parent), n = { .type = NODE_NONE };
	fuse_ino_t ino = 0;
	unsigned kind;

	switch (p.type) {
	case NODE_ROOT:
		if (category_kind(name, &kind)) {
			n.type = NODE_CATEGORY;
			n.kind = kind;
			ino = INO_CATEGORY_BASE + kind;
		} else if (root_file(name, &kind)) {
			n.type = NODE_ROOT_FILE;
			n.kind = kind;
			ino = INO_ROOT_FILE_BASE + kind;
		} else if ((n.ss = mlfs_store_subsys_get(fs->store, name))) {
			n.type = NODE_SUBSYS;
			ino = subsys_ino(n.ss);
		}
		break;
	case NODE_CATEGORY:
		if ((n.ss = mlfs_store_subsys_get(fs->store, name))) {
			n.type = NODE_FILE;
			n.kind = p.kind;
			ino = subsys_ino(n.ss) | (p.kind + 1);
		}
		break;
	case NODE_SUBSYS:
		if (file_kind(name, &kind)) {
			n.type = NODE_FILE;
			n.kind = kind;
			n.ss = mlfs_subsys_ref(p.ss);
			ino = subsys_ino(n.ss) | (kind + 1);
		}
		break;
	default:
		break;
	}
	if (n.type == NODE_NONE)
		fuse_reply_err(req, p.type == NODE_FILE || p.type == NODE_ROOT_FILE ? ENOTDIR : ENOENT);
	else
		reply_entry(req, ino, &n);
	mlfs_subsys_unref(n.ss);
	mlfs_subsys_unref(p.ss);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct mlfs_fs *fs = fs_of(req);
	struct node n = resolve(fs, ino);
	struct stat st;

	if (n.type == NODE_NONE) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(fs, ino, &n, &st);
	fuse_reply_attr(req, &st, CACHE_SECONDS);
	mlfs_subsys_unref(n.ss);
}

/*
 * Only truncation to zero is accepted, as a no-op: `>` in a shell opens with O_TRUNC,
 * and rows are never thrown away by a redirection (rmdir removes a dataset).
 */
static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct mlfs_fs *fs = fs_of(req);
	struct node n = resolve(fs, ino);
	struct stat st;

	if (n.type == NODE_NONE) {
		fuse_reply_err(req, ENOENT);
	} else if (to_set & ~(FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			      FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME)) {
		fuse_reply_err(req, EPERM);
	} else if ((to_set & FUSE_SET_ATTR_SIZE) && n.type == NODE_ROOT_FILE) {
		fuse_reply_err(req, EINVAL); /* read only */
	} else if ((to_set & FUSE_SET_ATTR_SIZE) &&
		   (n.type != NODE_FILE || attr->st_size != 0 || !fs_file_kinds[n.kind]->write)) {
		fuse_reply_err(req, n.type == NODE_FILE ? EINVAL : EISDIR);
	} else {
		fill_attr(fs, ino, &n, &st);
		fuse_reply_attr(req, &st, CACHE_SECONDS);
	}
	mlfs_subsys_unref(n.ss);
}

static void mkdir_now(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mlfs_fs *fs = fs_of(req);
	struct node n = { .type = NODE_SUBSYS };
	unsigned kind;
	int r;

	if (parent != INO_ROOT) {
		mlfs_log(LOG_WARNING, "mkdir %s: subsystems are made at the top of the tree only",
			 name);
		fuse_reply_err(req, EPERM);
		return;
	}
	r = category_kind(name, &kind) ? -EEXIST
				       : mlfs_store_subsys_create(fs->store, name, MLFS_ORIGIN_USER,
								  &n.ss);
	if (r < 0) {
		if (r != -EEXIST)
			mlfs_log(LOG_WARNING, "mkdir %s: %s", name,
				 r == -EINVAL ? "invalid subsystem name (allowed: 1-63 of "
						"A-Z a-z 0-9 _ . -, not a name of the tree itself)"
					      : strerror(-r));
		fuse_reply_err(req, -r);
		return;
	}
	mlfs_log(LOG_INFO, "%s: subsystem created", name);
	reply_entry(req, subsys_ino(n.ss), &n);
	mlfs_subsys_unref(n.ss);
}

/*
 * The kernel dropped <name> from the root itself; its entries in the category
 * directories it must be told about, or they live on until their timeout. Called
 * after the reply, and about other directories than the one being changed.
 */
static void forget_views(struct mlfs_fs *fs, const char *name)
{
	unsigned k;

	for (k = 0; k < fs_file_kinds_count; k++)
		if (fs_file_kinds[k]->category)
			fuse_lowlevel_notify_inval_entry(fs->se, INO_CATEGORY_BASE + k, name,
							 strlen(name));
}

static void rmdir_now(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mlfs_fs *fs = fs_of(req);
	struct mlfs_subsys *ss = NULL;
	unsigned kind;
	int r;

	if (parent != INO_ROOT)
		r = resolve(fs, parent).type == NODE_NONE ? -ENOENT : -EPERM;
	else if (category_kind(name, &kind))
		r = -EPERM;
	else if (!(ss = mlfs_store_subsys_get(fs->store, name)))
		r = -ENOENT;
	else if (mlfs_subsys_origin(ss) != MLFS_ORIGIN_USER)
		r = -EPERM;
	else
		r = mlfs_store_subsys_remove(fs->store, ss);
	if (r == 0)
		mlfs_log(LOG_INFO, "%s: subsystem removed with its rows", name);
	else if (r != -ENOENT)
		mlfs_log(LOG_WARNING, "rmdir %s: %s", name,
			 r == -EPERM ? "only subsystems made with mkdir can be removed"
				     : strerror(-r));
	mlfs_subsys_unref(ss);
	fuse_reply_err(req, -r);
	if (r == 0)
		forget_views(fs, name);
}

/* mkdir and rmdir create and drop a subsystem's tables: a worker does them. */
struct dir_job {
	struct fs_job job;
	fuse_req_t req;
	fuse_ino_t parent;
	bool remove;
	char name[]; /* libfuse's copy goes when the handler returns */
};

static void dir_job_run(struct fs_job *job)
{
	struct dir_job *j = (struct dir_job *)job;

	if (j->remove)
		rmdir_now(j->req, j->parent, j->name);
	else
		mkdir_now(j->req, j->parent, j->name);
	free(j);
}

static void defer_dir(fuse_req_t req, fuse_ino_t parent, const char *name, bool remove)
{
	size_t len = strlen(name);
	struct dir_job *j = malloc(sizeof(*j) + len + 1);

	if (!j) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	j->job.run = dir_job_run;
	j->req = req;
	j->parent = parent;
	j->remove = remove;
	memcpy(j->name, name, len + 1);
	fs_workers_submit(fs_of(req)->workers, &j->job);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	defer_dir(req, parent, name, false);
}

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	defer_dir(req, parent, name, true);
}

/* The tree's files are the daemon's: none can be added, removed or renamed. */
static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	mlfs_log(LOG_WARNING, "unlink %s: the tree's files cannot be removed (rmdir removes a "
			      "subsystem)", name);
	fuse_reply_err(req, EPERM);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	mlfs_log(LOG_WARNING, "create %s: the tree has no room for new files", name);
	fuse_reply_err(req, EPERM);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	mlfs_log(LOG_WARNING, "rename %s: the tree's names cannot change", name);
	fuse_reply_err(req, EPERM);
}

/* ---- directories: the listing is taken at opendir, so a reader sees one state ---- */

struct dir_listing {
	char *buf;
	size_t len, cap;
	size_t *ends; /* where each entry ends: its offset for the next readdir */
	size_t n, ends_cap;
};

static int listing_add(fuse_req_t req, struct dir_listing *d, const char *name, fuse_ino_t ino,
		       mode_t type)
{
	struct stat st = { .st_ino = ino, .st_mode = type };
	size_t need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);

	if (d->len + need > d->cap) {
		size_t cap = (d->cap ? d->cap * 2 : 4096) + need;
		char *b = realloc(d->buf, cap);

		if (!b)
			return -ENOMEM;
		d->buf = b;
		d->cap = cap;
	}
	if (d->n == d->ends_cap) {
		size_t cap = d->ends_cap ? d->ends_cap * 2 : 64;
		size_t *e = realloc(d->ends, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		d->ends = e;
		d->ends_cap = cap;
	}
	fuse_add_direntry(req, d->buf + d->len, d->cap - d->len, name, &st, (off_t)(d->len + need));
	d->len += need;
	d->ends[d->n++] = d->len;
	return 0;
}

static int list_dir(fuse_req_t req, fuse_ino_t ino, const struct node *n, struct dir_listing *d)
{
	struct mlfs_subsys **list;
	unsigned k;
	int count, i, r;

	r = listing_add(req, d, ".", ino, S_IFDIR);
	if (r == 0)
		r = listing_add(req, d, "..", INO_ROOT, S_IFDIR);
	if (r == 0 && n->type == NODE_SUBSYS) {
		for (k = 0; k < fs_file_kinds_count && r == 0; k++)
			r = listing_add(req, d, fs_file_kinds[k]->name, subsys_ino(n->ss) | (k + 1),
					S_IFREG);
		return r;
	}
	for (k = 0; n->type == NODE_ROOT && k < fs_file_kinds_count && r == 0; k++)
		if (fs_file_kinds[k]->category)
			r = listing_add(req, d, fs_file_kinds[k]->category, INO_CATEGORY_BASE + k,
					S_IFDIR);
	for (k = 0; n->type == NODE_ROOT && k < ROOT_FILES && r == 0; k++)
		r = listing_add(req, d, root_files[k]->name, INO_ROOT_FILE_BASE + k, S_IFREG);
	if (r < 0)
		return r;
	count = mlfs_store_subsys_list(fs_of(req)->store, &list);
	if (count < 0)
		return count;
	for (i = 0; i < count && r == 0; i++) {
		if (n->type == NODE_ROOT)
			r = listing_add(req, d, mlfs_subsys_name(list[i]), subsys_ino(list[i]),
					S_IFDIR);
		else
			r = listing_add(req, d, mlfs_subsys_name(list[i]),
					subsys_ino(list[i]) | (n->kind + 1), S_IFREG);
	}
	mlfs_subsys_list_free(list, count);
	return r;
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node n = resolve(fs_of(req), ino);
	struct dir_listing *d;
	int r;

	if (n.type == NODE_NONE || n.type == NODE_FILE || n.type == NODE_ROOT_FILE) {
		fuse_reply_err(req, n.type == NODE_NONE ? ENOENT : ENOTDIR);
		mlfs_subsys_unref(n.ss);
		return;
	}
	d = calloc(1, sizeof(*d));
	r = d ? list_dir(req, ino, &n, d) : -ENOMEM;
	mlfs_subsys_unref(n.ss);
	if (r < 0) {
		if (d) {
			free(d->ends);
			free(d->buf);
		}
		free(d);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)d;
	fuse_reply_open(req, fi);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct dir_listing *d = (struct dir_listing *)(uintptr_t)fi->fh;
	size_t start = (size_t)off, end = start, i;

	/* Whole entries only, as many as fit in @size. */
	for (i = 0; i < d->n; i++) {
		if (d->ends[i] <= start)
			continue;
		if (d->ends[i] - start > size)
			break;
		end = d->ends[i];
	}
	fs_reply_copy(req, start < d->len ? d->buf + start : NULL, end - start);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_listing *d = (struct dir_listing *)(uintptr_t)fi->fh;

	free(d->ends);
	free(d->buf);
	free(d);
	fuse_reply_err(req, 0);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st = { .f_bsize = 4096, .f_namemax = MLFS_SUBSYS_NAME_MAX };

	fuse_reply_statfs(req, &st);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	/* Bigger requests: 1 MiB reads and writes of datasets mean fewer round trips. */
	conn->max_write = 1 << 20;
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node n = resolve(fs_of(req), ino);
	const struct fs_file_ops *ops;
	bool writing = (fi->flags & O_ACCMODE) != O_RDONLY;

	if (n.type != NODE_FILE && n.type != NODE_ROOT_FILE) {
		fuse_reply_err(req, n.type == NODE_NONE ? ENOENT : EISDIR);
		mlfs_subsys_unref(n.ss);
		return;
	}
	ops = n.type == NODE_ROOT_FILE ? root_files[n.kind] : fs_file_kinds[n.kind];
	/* default_permissions checks the bits, but root passes them: refuse here too. */
	if (writing && !((n.ss ? file_mode(ops, n.ss) : ops->mode) & 0200)) {
		mlfs_log(LOG_WARNING, "%s%s%s: read-only, not opened for writing",
			 n.ss ? mlfs_subsys_name(n.ss) : "", n.ss ? "/" : "", ops->name);
		fuse_reply_err(req, EACCES);
	} else
		fs_file_open(req, ops, n.ss, fi);
	mlfs_subsys_unref(n.ss);
}

const struct fuse_lowlevel_ops mlfs_fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.unlink = fs_unlink,
	.mknod = fs_mknod,
	.rename = fs_rename,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
	.statfs = fs_statfs,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.flush = fs_flush,
	.fsync = fs_fsync,
	.release = fs_release,
};
