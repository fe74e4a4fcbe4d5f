// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * <subsys>/mode and modes/<subsys>: the mode word. A write changes the mode only
 * when it is exactly one of the four words (one trailing newline allowed); the
 * change is stored in the mode history with who made it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "fs_i.h"

static int mode_show(struct fs_file *f)
{
	return fs_file_printf(f, "%s\n", mlfs_mode_name(mlfs_subsys_mode(f->ss)));
}

/* "echo" or "?" for the process that wrote, so the history says who changed the mode. */
static void process_name(pid_t pid, char *buf, size_t cap)
{
	char path[32];
	FILE *fp;

	snprintf(buf, cap, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return;
	if (fgets(buf, (int)cap, fp))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

static void quote_for_log(const char *buf, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < cap; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
	}
	out[n] = '\0';
}

static int mode_write(struct fs_file *f, const char *buf, size_t len)
{
	char reason[MLFS_REASON_MAX], comm[20], shown[64];
	enum mlfs_mode mode;
	int r;

	r = mlfs_mode_parse(buf, len, &mode);
	if (r < 0) {
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		quote_for_log(buf, len < 24 ? len : 24, shown, sizeof(shown));
		mlfs_log(LOG_WARNING, "%s/mode: \"%s%s\" is not a mode; write one of emergency, "
				      "learning, collaboration, recommendation",
			 mlfs_subsys_name(f->ss), shown, len > 24 ? "..." : "");
		return r;
	}
	process_name(f->pid, comm, sizeof(comm));
	snprintf(reason, sizeof(reason), "written to mode by uid %u (%s, pid %d)",
		 (unsigned)f->uid, comm, (int)f->pid);
	r = mlfs_subsys_request_mode(f->fs->store, f->ss, mode, reason);
	if (r < 0)
		mlfs_log(LOG_ERR, "%s/mode: mode %s refused: %s", mlfs_subsys_name(f->ss),
			 mlfs_mode_name(mode), strerror(-r));
	else
		mlfs_log(LOG_INFO, "%s: mode %s, %s", mlfs_subsys_name(f->ss),
			 mlfs_mode_name(mode), reason);
	return r;
}

const struct fs_file_ops fs_mode_ops = {
	.name = "mode",
	.category = "modes",
	.mode = 0644,
	.blocking = true,
	.show = mode_show,
	.write = mode_write,
};
