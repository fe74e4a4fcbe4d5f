// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * A mount left behind by a dead daemon. When mlfs dies without unmounting
 * (kill -9, a crash, the OOM killer), the kernel keeps its mount and answers
 * every access with ENOTCONN, "Transport endpoint is not connected", until
 * someone unmounts it; libfuse refuses to mount there. Before mounting, mlfs
 * looks: a mount point that answers ENOTCONN and whose topmost mount is of type
 * fuse.mlfs is a dead mlfs's, since a live daemon's mount answers; mlfs detaches
 * it. Any other mount, dead or alive, is left alone.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "fs_i.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo; undo it in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * The file system type of the topmost mount on @path (an absolute path without
 * symbolic links), from /proc/self/mountinfo, whose later lines are the later
 * mounts. Returns 0, -ENOENT when nothing is mounted there, or -errno.
 */
static int mount_type(const char *path, char *ret_type, size_t len)
{
	char *line = NULL, *save, *target, *tok;
	size_t cap = 0;
	bool found = false;
	FILE *f;
	int i;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root target options [optional...] - type source ... */
		tok = strtok_r(line, " \n", &save);
		for (i = 1; tok && i < 5; i++)
			tok = strtok_r(NULL, " \n", &save);
		target = tok;
		if (!target)
			continue;
		unescape(target);
		if (strcmp(target, path) != 0)
			continue;
		while ((tok = strtok_r(NULL, " \n", &save)) && strcmp(tok, "-") != 0)
			;
		tok = tok ? strtok_r(NULL, " \n", &save) : NULL;
		if (!tok)
			continue;
		snprintf(ret_type, len, "%s", tok);
		found = true;
	}
	free(line);
	fclose(f);
	return found ? 0 : -ENOENT;
}

/*
 * The mount point as the kernel names it in mountinfo. realpath() of the mount
 * point itself would stat the dead mount and fail, so only its directory is
 * resolved.
 */
static int mount_point_path(const char *mountpoint, char ret[PATH_MAX])
{
	char *dir_copy = strdup(mountpoint), *base_copy = strdup(mountpoint);
	char dir[PATH_MAX];
	const char *base;
	int r = 0;

	if (!dir_copy || !base_copy) {
		r = -ENOMEM;
		goto out;
	}
	base = basename(base_copy);
	if (!realpath(dirname(dir_copy), dir))
		r = -errno;
	else if (strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		r = -EINVAL; /* such a mount point resolves only through itself */
	else if (snprintf(ret, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", base) >= PATH_MAX)
		r = -ENAMETOOLONG;
out:
	free(dir_copy);
	free(base_copy);
	return r;
}

/* Detach the topmost mount on @mountpoint if it is a dead mlfs's: 1, 0 when none, or -errno. */
static int clear_one(const char *mountpoint, char *errbuf, size_t errlen)
{
	char path[PATH_MAX], type[64];
	struct statfs st;
	int r;

	/*
	 * statfs() always asks the daemon, where stat() may be answered from the
	 * kernel's attribute cache, and libfuse, satisfied by stat(), would mount on
	 * top of the dead mount.
	 */
	if (statfs(mountpoint, &st) == 0 || errno != ENOTCONN)
		return 0; /* libfuse says what else may be wrong with it */
	r = mount_point_path(mountpoint, path);
	if (r == 0)
		r = mount_type(path, type, sizeof(type));
	if (r < 0) {
		snprintf(errbuf, errlen, "%s: Transport endpoint is not connected, and its mount "
			 "cannot be identified (%s); clear it with 'umount -l %s'", mountpoint,
			 strerror(-r), mountpoint);
		return -ENOTCONN;
	}
	if (strcmp(type, "fuse.mlfs") != 0) {
		snprintf(errbuf, errlen, "%s: a dead mount of type %s, not mlfs's, is in the way; "
			 "clear it with 'umount -l %s'", mountpoint, type, mountpoint);
		return -ENOTCONN;
	}
	if (umount2(path, MNT_DETACH) < 0) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: a dead mlfs is still mounted there and cannot be "
			 "unmounted (%s); clear it with 'fusermount3 -u -z %s' or, as root, "
			 "'umount -l %s'", mountpoint, strerror(-r), mountpoint, mountpoint);
		return r;
	}
	return 1;
}

int fs_stale_mount_clear(const char *mountpoint, char *errbuf, size_t errlen)
{
	int n, r = 0;

	/* Daemons killed one after another, each mounted on the last, leave a stack. */
	for (n = 0; n < FS_STALE_MOUNTS_MAX; n++) {
		r = clear_one(mountpoint, errbuf, errlen);
		if (r <= 0)
			break;
	}
	return r < 0 ? r : n;
}
