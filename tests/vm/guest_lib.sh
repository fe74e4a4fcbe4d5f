# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# What the guest scripts share, sourced from /mlfs-vm/lib.sh (run-vm --files puts it
# there; busybox sh).

fail() {
	echo "FAIL: $*"
	exit 1
}

# wait_for WHAT CONDITION: the shell CONDITION within 60 s (TCG is slow).
wait_for() {
	i=0
	while ! eval "$2"; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "$1: not within 60 s"
		sleep 0.1
	done
}
