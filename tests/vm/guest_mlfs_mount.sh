#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2025 The mlfs authors
# Guest script for run-vm: mlfs mounts under the VM's kernel, takes a dataset and gives
# it back, and unmounts. It checks the harness itself (kernel, fuse.ko, the daemon and
# its libraries in the initramfs) before any module is involved:
#   tests/vm/run-vm --script tests/vm/guest_mlfs_mount.sh
set -eu

command -v mlfs >/dev/null || { echo "SKIP: the guest has no mlfs (run-vm --mlfs PATH)"; exit 77; }

mkdir -p /mlfs
mlfs -o db=/tmp/mlfs.db /mlfs
grep -q ' /mlfs fuse' /proc/mounts

mkdir /mlfs/demo
echo a,target >/mlfs/demo/dataset
echo 1,2 >>/mlfs/demo/dataset
got=$(cat /mlfs/demo/dataset)
want=$(printf 'a,target\n1,2')
if [ "$got" != "$want" ]; then
	echo "FAIL: /mlfs/demo/dataset reads back [$got], want [$want]"
	exit 1
fi

umount /mlfs
if grep -q ' /mlfs fuse' /proc/mounts; then
	echo "FAIL: /mlfs is still mounted after umount"
	exit 1
fi
echo "mlfs mounted, kept a dataset and unmounted under $(uname -r)"
