#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Guest script for run-vm: the eBPF collectors on Debian's own kernel, whose BTF they
# were not built against (CO-RE relocates them), and which has BPF trampolines, so
# that readahead sees reads by fexit on filemap_read() (the machine of the bpf suite
# refuses that: its readahead reads from the system calls). Direct reads of a loop
# device appear in blk/dataset, one row per request; buffered reads in
# readahead/dataset.
set -eu
. /mlfs-vm/lib.sh

[ -r /sys/kernel/btf/vmlinux ] || { echo "SKIP: this kernel has no BTF"; exit 77; }
modprobe loop || fail "loop.ko did not load"
dd if=/dev/zero of=/tmp/disk.img bs=1M count=32 2>/dev/null
loop=$(losetup -f)
losetup "$loop" /tmp/disk.img
# The device number as the datasets show it, st_rdev: major * 256 + minor for a loop device.
IFS=: read -r major minor <"/sys/block/${loop#/dev/}/dev"
dev=$((major * 256 + minor))
ra_kb=$(cat "/sys/block/${loop#/dev/}/queue/read_ahead_kb")

mkdir -p /mlfs
mount -t fuse mlfs /mlfs \
	-o db=/tmp/mlfs.db,collectors=blk,readahead,collector_window_ms=200,blk_rows_per_s=0
grep -q '^collector: running' /mlfs/blk/status || fail "blk does not run: $(cat /mlfs/blk/status)"
grep -q '^collector: running' /mlfs/readahead/status || fail "readahead does not run"
# Debian's kernel has BPF trampolines: reads from the page cache's read path, not syscalls.
grep -q '^observed_by: fexit/filemap_read$' /mlfs/readahead/status ||
	fail "readahead's reads: $(grep observed_by /mlfs/readahead/status)"

# blk_sum: bytes of the loop device's reads in blk/dataset.
blk_sum() {
	awk -F, -v d="$dev" '$1 == d && $2 == 0 { s += $3 } END { print s + 0 }' /mlfs/blk/dataset
}
dd if="$loop" of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null
wait_for "4 MiB of direct reads in blk" '[ "$(blk_sum)" -ge 4194304 ]'
sleep 0.5
[ "$(blk_sum)" = 4194304 ] || fail "blk counts $(blk_sum) bytes read, not 4194304"
bad=$(awk -F, -v d="$dev" '$1 == d && $2 == 0 && ($3 != 65536 || $7 <= 0)' /mlfs/blk/dataset)
[ -z "$bad" ] || fail "rows that are not 64 KiB with a latency: $bad"

# ra_sum: bytes of the loop device's buffered reads in readahead/dataset.
ra_sum() {
	awk -F, -v d="$dev" -v kb="$ra_kb" '$1 == d && $8 == kb { s += $7 } END { print s + 0 }' \
		/mlfs/readahead/dataset
}
dd if="$loop" of=/dev/null bs=1M count=8 skip=16 2>/dev/null
wait_for "8 MiB of buffered reads in readahead" '[ "$(ra_sum)" -ge 8388608 ]'
sleep 0.5
[ "$(ra_sum)" = 8388608 ] || fail "readahead counts $(ra_sum) bytes read, not 8388608"

grep -q '^lost_events: 0$' /mlfs/blk/status || fail "blk lost events"
umount /mlfs
losetup -d "$loop"
echo "blk and readahead observed a loop device under $(uname -r)"
