// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What root's daemon keeps of root's power. Mounting, loading the eBPF
 * collectors and opening the database need capabilities; serving the tree does
 * not: it opens /dev/mlproxy (root's, 0600) and writes read_ahead_kb (root's,
 * 0644) as their owner, with no capability at all. So once the privileged start
 * is over, and before any thread starts (capabilities belong to threads, and
 * new threads copy their creator's), every capability goes, from the bounding
 * set too, but for CAP_SYS_ADMIN, which stays permitted and not effective: the
 * one thing left to do with it is to unmount at the end.
 */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <syslog.h>
#include <unistd.h>

#include "fs_i.h"

int fs_privileges_drop(void)
{
	/* A daemon that runs without capabilities (a user's mount) has nothing to drop. */
	if (capng_get_caps_process() < 0)
		return -errno;
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_PERMITTED, CAP_SYS_ADMIN) < 0)
		return -EINVAL;
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		return -EPERM;
	/* libcap-ng leaves the bounding set alone without CAP_SETPCAP (a container's choice). */
	if (capng_get_caps_process() == 0 &&
	    capng_have_capability(CAPNG_BOUNDING_SET, CAP_SYS_MODULE))
		mlfs_log(LOG_WARNING, "capabilities dropped, but not from the bounding set: "
				      "no CAP_SETPCAP");
	return 0;
}

int fs_privileges_for_unmount(void)
{
	if (capng_get_caps_process() < 0)
		return -errno;
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_SYS_ADMIN))
		return 0;
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_SYS_ADMIN) < 0)
		return -EINVAL;
	return capng_apply(CAPNG_SELECT_CAPS) < 0 ? -EPERM : 0;
}
