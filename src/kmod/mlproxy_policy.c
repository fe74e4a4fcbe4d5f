// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The mode policy of src/policy, built into mlproxy.ko unchanged: the daemon
 * and the user-space stand-in compile the same two files. Including them here
 * keeps kbuild's objects inside src/kmod.
 */
#include "../policy/mode.c"
#include "../policy/policy.c"
