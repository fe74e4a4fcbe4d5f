#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The eBPF collectors on a loop device this test makes (never a real disk): reads
# and writes with O_DIRECT appear in blk/dataset, one row per request (with
# -o blk_rows_per_s=0; by default a fast disk gives a sample), with the bytes that
# were asked for and positive latencies; buffered reads appear in
# readahead/dataset, per window, with their bytes and the read_ahead_kb in force
# (the target, and no feature), which follows a change of the device's setting.
source "$(dirname "$0")/lib.sh"

[[ -r /sys/kernel/btf/vmlinux ]] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
"$MLFS" --help | grep -q 'not built' && skip "this mlfs was built without eBPF collectors"
command -v losetup >/dev/null || skip "losetup is missing (Debian package mount)"

truncate -s 64M "$T/disk.img"
LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null) || skip "cannot create a loop device"
on_cleanup losetup -d "$LOOP"
# udev reads a new device to probe it: let that finish before anything is counted.
if command -v udevadm >/dev/null; then udevadm settle --timeout=10 || true; fi
# The device number as the datasets show it: stat(2)'s st_rdev.
DEV=$("$PYTHON" -c 'import os, sys; st = os.stat(sys.argv[1]).st_rdev; print(st)' "$LOOP")
QUEUE=/sys/block/${LOOP#/dev/}/queue
RA_KB=$(cat "$QUEUE/read_ahead_kb")

mlfs_start -o collectors=blk,readahead,collector_window_ms=200,blk_rows_per_s=0
cd "$MNT"
check_eq "$(status_of blk origin)" bpf "origin of blk"
check_eq "$(status_of blk collector)" running "blk collector"
check_eq "$(status_of readahead collector)" running "readahead collector"
check_eq "$(status_of blk lost_events)" 0 "blk's lost events at the start"
check_eq "$(head -n 1 blk/dataset)" dev,op,bytes,sector_distance,in_flight,queue_ns,latency_ns \
	"blk's columns"
check_eq "$(status_of blk target)" latency_ns "blk's target"
check_eq "$(head -n 1 readahead/dataset)" \
	dev,insertions,accesses,offset_stddev,delta_mean,hit_ratio,bytes,read_ahead_kb \
	"readahead's columns"
check_eq "$(status_of readahead target)" read_ahead_kb "readahead's target"
check_match "$(status_of readahead observed_by)" '^(fexit/filemap_read|tp_btf/mm_filemap_get_pages)$' \
	"where readahead takes reads from"
grep -q 'blk: eBPF collector running' "$LOG" || bad "the log says blk runs"

# blk_sum OP: bytes of the device's requests of that kind (0 read, 1 write).
blk_sum() {
	awk -F, -v d="$DEV" -v op="$1" '$1 == d && $2 == op { s += $3 } END { print s + 0 }' \
		blk/dataset
}

# 4 MiB read directly from the device in 64 requests of 64 KiB.
dd if="$LOOP" of=/dev/null bs=64k count=64 iflag=direct status=none
wait_for "4 MiB of reads in blk" '[[ $(blk_sum 0) -ge 4194304 ]]' 30
sleep 0.5
check_eq "$(blk_sum 0)" 4194304 "bytes read from $LOOP, as blk counts them"
reads=$(awk -F, -v d="$DEV" '$1 == d && $2 == 0' blk/dataset)
check_eq "$(grep -c '' <<<"$reads")" 64 "read requests"
check_eq "$(awk -F, '$3 != 65536' <<<"$reads" | head -n 3)" "" "requests of 64 KiB each"
check_eq "$(awk -F, '$7 <= 0 || $6 < 0 || $5 < 0' <<<"$reads" | head -n 3)" "" \
	"latency > 0, queue time and requests in flight >= 0"
# Each request starts where the one before ended: distance 0 but perhaps for the first.
check_match "$(awk -F, '$4 == 0' <<<"$reads" | grep -c '')" '^6[34]$' "sequential requests"

# Buffered reads: 8 MiB from the page cache, readahead rows for the device.
ra_sum() {
	awk -F, -v d="$DEV" -v kb="$1" '$1 == d && $8 == kb { s += $7 } END { print s + 0 }' \
		readahead/dataset
}
dd if="$LOOP" of=/dev/null bs=1M count=8 skip=16 status=none
wait_for "8 MiB of buffered reads in readahead" '[[ $(ra_sum "$RA_KB") -ge 8388608 ]]' 30
sleep 0.5
check_eq "$(ra_sum "$RA_KB")" 8388608 "bytes read, as readahead counts them"
rows=$(awk -F, -v d="$DEV" '$1 == d' readahead/dataset)
check_eq "$(awk -F, '{ s += $3 } END { print s }' <<<"$rows")" 2048 "pages accessed"
# A cold device: every page read had to come in, and readahead brought more.
check_match "$(awk -F, '{ s += $2 } END { print (s >= 2048) }' <<<"$rows")" '^1$' \
	"pages inserted in the page cache, at least those read"
check_eq "$(awk -F, -v kb="$RA_KB" '$8 != kb || $6 < 0 || $6 > 1' <<<"$rows" | head -n 3)" "" \
	"read_ahead_kb as in sysfs, hit ratio within [0, 1]"

# Reads of odd sizes, and into several buffers, cold: each counted whole, to the byte.
before=$(ra_sum "$RA_KB")
"$PYTHON" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.pread(fd, 12345, 56 << 20)
os.preadv(fd, [bytearray(65536), bytearray(3000)], 57 << 20)
os.lseek(fd, 58 << 20, os.SEEK_SET)
os.readv(fd, [bytearray(1 << 20), bytearray(5)])' "$LOOP"
want=$((before + 12345 + 65536 + 3000 + 1048576 + 5))
wait_for "the odd reads in readahead" '[[ $(ra_sum "$RA_KB") -ge $want ]]' 30
sleep 0.5
check_eq "$(ra_sum "$RA_KB")" "$want" "bytes of pread, preadv and readv, as readahead counts them"

# The target follows the device's setting (this test's own device).
echo 512 >"$QUEUE/read_ahead_kb"
sleep 0.5
dd if="$LOOP" of=/dev/null bs=1M count=8 skip=32 status=none
wait_for "reads under read_ahead_kb 512" '[[ $(ra_sum 512) -ge 8388608 ]]' 30

# Reads through a mapping are page faults, seen from Linux 6.10 on (mm_filemap_fault):
# each fault counts a page. Touching 16 MiB page by page faults at least once, and
# at most once a page (fault-around maps cached pages nearby without a fault).
if [[ $(uname -r) =~ ^([0-9]+)\.([0-9]+) ]] &&
	((BASH_REMATCH[1] > 6 || (BASH_REMATCH[1] == 6 && BASH_REMATCH[2] >= 10))); then
	before=$(ra_sum 512)
	"$PYTHON" -c '
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 16 << 20, prot=mmap.PROT_READ, offset=40 << 20)
sum(m[i] for i in range(0, 16 << 20, 4096))' "$LOOP"
	wait_for "page faults in readahead" '(( $(ra_sum 512) - before >= 4096 ))' 30
	check_match "$(( $(ra_sum 512) - before <= 16777216 ))" '^1$' "bytes of page faults"
fi

# Writes, after the reads: closing a written device makes udev read it again.
dd if=/dev/zero of="$LOOP" bs=64k count=16 oflag=direct conv=notrunc status=none
wait_for "1 MiB of writes in blk" '[[ $(blk_sum 1) -ge 1048576 ]]' 30
sleep 0.5
check_eq "$(blk_sum 1)" 1048576 "bytes written to $LOOP, as blk counts them"

check_eq "$(status_of blk lost_events)" 0 "blk's lost events"
check_eq "$(status_of blk drops)" 0 "blk's drops"
check_eq "$(sqlite3 "$DB" "SELECT count(*) FROM ds_blk WHERE dev = $DEV AND latency_ns > 0")" \
	"$(awk -F, -v d="$DEV" '$1 == d' blk/dataset | grep -c '')" "the same rows in SQLite"

mlfs_stop
# Rows stay, and the collector's subsystem is there, not running, without -o collectors.
mlfs_start
check_eq "$(status_of blk collector)" "not running" "blk without -o collectors"
check_match "$(status_of blk rows)" '^[1-9][0-9]*$' "blk's rows kept"
mlfs_stop

# A disk faster than the budget gives a sample: the programs are attached a share of
# the time (a tenth of a second at first, then as the budget over the disk's rate), so
# of two seconds of direct reads of 4 KiB (many ticks, however fast the machine) some
# are seen, and fewer rows than those.
mlfs_start -o collectors=blk,blk_rows_per_s=200
cd "$MNT"
before=$(blk_sum 0)
seen_before=$(status_of blk requests_seen)
reads=0 end=$((SECONDS + 2))
while ((SECONDS <= end)); do
	dd if="$LOOP" of=/dev/null bs=4k count=4000 iflag=direct status=none
	reads=$((reads + 4000))
done
sleep 0.5
seen=$(( $(status_of blk requests_seen) - seen_before ))
rows=$(( ($(blk_sum 0) - before) / 4096 ))
check_match "$(( seen > 0 && seen < reads ))" '^1$' "requests seen while attached ($seen of $reads)"
check_match "$(( rows > 0 && rows * 2 < seen ))" '^1$' "a sample of them in blk ($rows rows)"
check_eq "$(status_of blk lost_events)" 0 "blk's lost events when sampling"
cd /
mlfs_stop

exit $((FAILED > 0))
