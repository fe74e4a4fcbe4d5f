// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The readahead actuator: the one place mlfs writes a kernel setting, the
 * read_ahead_kb of the block device the user named (-o readahead_dev=). It
 * remembers the value the device had when mlfs started (the default, what the
 * mode gate's default arm uses) and puts it back at the end.
 *
 * Like bpftune with sysctls, it keeps what it wrote last: when sysfs shows
 * something else, an administrator changed the setting behind mlfs's back, and
 * mlfs says so once and leaves the device alone, restore included, until it
 * restarts. No file stays open: each access opens sysfs anew, so the daemon may
 * fork (daemonise) after the actuator was made.
 *
 * Not thread-safe: the gate calls it under its lock; the daemon frees it alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "collector_i.h"

struct mlfs_ra_actuator {
	char name[32];	  /* loop0 */
	char path[160];	  /* its queue/read_ahead_kb in sysfs */
	uint32_t dev;	  /* the kernel's encoding, major << 20 | minor */
	long default_kb;  /* the value when mlfs started, restored at the end */
	long last_kb;	  /* what mlfs wrote last (the default until it writes) */
	bool hands_off;	  /* someone else changed it: never touched again */
	bool said_change; /* the first change was logged */
	int last_error;	  /* of the last failed access, to log each failure once */
	mlfs_collector_log_fn log;
};

static int read_text(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

static int read_kb(const char *path, long *ret)
{
	char text[32], *end;
	long kb;
	int r;

	r = read_text(path, text, sizeof(text));
	if (r < 0)
		return r;
	errno = 0;
	kb = strtol(text, &end, 10);
	if (errno || end == text || kb < 0)
		return -EIO;
	*ret = kb;
	return 0;
}

static int write_kb(const char *path, long kb)
{
	char text[32];
	int fd, len, r = 0;

	len = snprintf(text, sizeof(text), "%ld\n", kb);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int ra_actuator_open_at(const char *root, const char *name, mlfs_collector_log_fn log,
			struct mlfs_ra_actuator **ret, char *errbuf, size_t errlen)
{
	struct mlfs_ra_actuator *a;
	char path[256], text[32];
	unsigned major, minor;
	struct stat st;
	int r;

	if (!strncmp(name, "/dev/", 5))
		name += 5;
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) >= sizeof(a->name)) {
		snprintf(errbuf, errlen,
			 "\"%.40s\" is not a block device's name (loop0, /dev/loop0)", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/dev/%s", root, name);
	if (stat(path, &st) == 0 && !S_ISBLK(st.st_mode)) {
		snprintf(errbuf, errlen, "/dev/%s is not a block device", name);
		return -ENOTBLK;
	}
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/dev", root, name);
	r = read_text(path, text, sizeof(text));
	if (r < 0 || sscanf(text, "%u:%u", &major, &minor) != 2) {
		snprintf(errbuf, errlen, "no block device %s (not in /sys/class/block)", name);
		return -ENOENT;
	}
	/* A partition shares its disk's queue: the disk's setting is the one in force. */
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/partition", root, name);
	if (access(path, F_OK) == 0) {
		snprintf(errbuf, errlen, "%s is a partition: read_ahead_kb is its disk's", name);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(errbuf, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->path, sizeof(a->path), "%s/sys/class/block/%s/queue/read_ahead_kb", root, name);
	a->dev = major << 20 | minor;
	a->log = log;
	r = read_kb(a->path, &a->default_kb);
	/* Writing the value it has changes nothing, and shows now whether mlfs may write. */
	if (r == 0)
		r = write_kb(a->path, a->default_kb);
	if (r < 0) {
		snprintf(errbuf, errlen, "%s: %s", a->path + strlen(root), strerror(-r));
		free(a);
		return r;
	}
	a->last_kb = a->default_kb;
	*ret = a;
	return 0;
}

int mlfs_ra_actuator_open(const char *name, mlfs_collector_log_fn log,
			  struct mlfs_ra_actuator **ret, char *errbuf, size_t errlen)
{
	return ra_actuator_open_at("", name, log, ret, errbuf, errlen);
}

const char *ra_actuator_name(const struct mlfs_ra_actuator *a)
{
	return a->name;
}

uint32_t ra_actuator_dev(const struct mlfs_ra_actuator *a)
{
	return a->dev;
}

long ra_actuator_default(const struct mlfs_ra_actuator *a)
{
	return a->default_kb;
}

bool ra_actuator_hands_off(const struct mlfs_ra_actuator *a)
{
	return a->hands_off;
}

static void failed(struct mlfs_ra_actuator *a, const char *what, int err)
{
	if (err != a->last_error)
		a->log(LOG_ERR, "%s: cannot %s read_ahead_kb: %s", a->name, what, strerror(-err));
	a->last_error = err;
}

/* The value in sysfs is still ours: 0; otherwise someone else set it, and -EBUSY for good. */
static int still_ours(struct mlfs_ra_actuator *a)
{
	long now;
	int r;

	if (a->hands_off)
		return -EBUSY;
	r = read_kb(a->path, &now);
	if (r < 0) {
		failed(a, "read", r);
		return r;
	}
	if (now == a->last_kb)
		return 0;
	a->hands_off = true;
	a->log(LOG_WARNING,
	       "%s: read_ahead_kb is %ld, not the %ld mlfs left there: someone "
	       "else changed it; mlfs leaves %s alone until it restarts",
	       a->name, now, a->last_kb, a->name);
	return -EBUSY;
}

static int set(struct mlfs_ra_actuator *a, long kb)
{
	int r = write_kb(a->path, kb);

	/*
	 * Read back: the kernel keeps whole pages (6 becomes 4). After a failed write,
	 * too, what is there is what mlfs left, not a stranger's value.
	 */
	read_kb(a->path, &a->last_kb);
	if (r < 0) {
		failed(a, "write", r);
		return r;
	}
	a->last_error = 0;
	return 0;
}

int ra_actuator_apply(struct mlfs_ra_actuator *a, long kb)
{
	long before = a->last_kb;
	int r;

	r = still_ours(a);
	if (r < 0 || kb == a->last_kb)
		return r;
	r = set(a, kb);
	/* Every later change is in the feedback file; the first says what will come back. */
	if (r == 0 && !a->said_change)
		a->log(LOG_INFO, "%s: read_ahead_kb %ld -> %ld; mlfs restores %ld when it stops",
		       a->name, before, a->last_kb, a->default_kb);
	a->said_change |= r == 0;
	return r;
}

int ra_actuator_restore(struct mlfs_ra_actuator *a)
{
	int r;

	r = still_ours(a);
	if (r < 0 || a->last_kb == a->default_kb)
		return r == -EBUSY ? 0 : r;
	r = set(a, a->default_kb);
	if (r == 0)
		a->log(LOG_INFO, "%s: read_ahead_kb restored to %ld", a->name, a->default_kb);
	return r;
}

void mlfs_ra_actuator_free(struct mlfs_ra_actuator *a)
{
	if (!a)
		return;
	ra_actuator_restore(a);
	free(a);
}
