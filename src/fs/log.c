// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The daemon's log: stderr while it runs in the foreground (-f, -d), syslog once
 * it is a daemon. One line per event; library areas never print. Progress of
 * long work (a training's grid points) goes to the terminal only: syslog gets
 * its start and its end.
 */
#include <stdio.h>
#include <syslog.h>

#include "fs_i.h"

static bool to_stderr = true;

void mlfs_log_init(bool foreground)
{
	to_stderr = foreground;
	if (!foreground)
		openlog("mlfs", LOG_PID, LOG_DAEMON);
}

void mlfs_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (to_stderr) {
		char line[1024];

		/* One write(2) per line, so lines of concurrent threads never interleave. */
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "mlfs: %s\n", line);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}

void mlfs_log_progress(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!to_stderr)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mlfs: %s\n", line);
}
