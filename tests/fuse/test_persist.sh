#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Everything survives umount and a new mount of the same database: the subsystems (and
# the absence of removed ones), rows and column types, modes and their history,
# feedback, status, inode numbers; rows written right before umount, and rows written
# through a descriptor still open when the tree was unmounted lazily.
source "$(dirname "$0")/lib.sh"

mlfs_start
cd "$MNT"

mkdir blk net gone open
printf 'a,target\n1,2\n' >>open/dataset
py_write blk/dataset 'sectors,ratio,target\n8,0.5,1\n16,0.25,0\n' >/dev/null
printf 'a,target\n1,2\n' >>net/dataset
printf 'a,target\n1,2\n' >>gone/dataset
echo collaboration >blk/mode
echo emergency >net/mode
echo recommendation >net/mode
echo 'recommendation=7 arm=ml throughput=812.5' >blk/feedback
echo 'latency_us,90' >>net/feedback
rmdir gone

# Rows written right before umount, by a writer that closed, are kept.
seq 1 5000 | sed 's/$/,0/' >>net/dataset
# snapshot: what a user sees of the tree, file by file.
snapshot() {
	local s f
	ls "$MNT"
	for s in blk net; do
		for f in dataset dataset.svm mode feedback; do
			echo "== $s/$f"
			cat "$MNT/$s/$f"
		done
		echo "== $s/status"
		grep -v '^last_ingest:' "$MNT/$s/status"
		stat -c '%i %A %n' "$MNT/$s" "$MNT/$s"/* "$MNT"/*/"$s"
	done
	sqlite3 "$DB" 'SELECT s.name, h.mode, h.at, h.reason FROM mode_history h
		JOIN subsystems s ON s.id = h.subsys_id ORDER BY h.id'
	sqlite3 "$DB" '.schema ds_blk'
}
before=$(snapshot)
ingest_blk=$(status_of blk last_ingest)
ingest_net=$(status_of net last_ingest)

# And rows of a writer still open across a lazy unmount: they arrive when it closes.
exec 3>>open/dataset
printf '3,4\n' >&3

cd "$T"
fusermount3 -u -z "$MNT"
! mountpoint -q "$MNT" || bad "$MNT still mounted after fusermount3 -u -z"
printf '5,6\n' >&3 || bad "write to a descriptor open across a lazy unmount"
exec 3>&-
wait_exit "$MLFS_PID" 10 || fail "mlfs still running 10 s after the last file of a lazy unmount"
rc=0
wait "$MLFS_PID" || rc=$?
check_eq "$rc" 0 "exit status of mlfs after a lazy unmount"

mlfs_start
cd "$MNT"
after=$(snapshot)
if [[ $after != "$before" ]]; then
	bad "the tree differs after umount and mount: $(diff <(echo "$before") <(echo "$after"))"
fi
[[ ! -e gone ]] || bad "a removed subsystem came back after remount"
check_eq "$(cat open/dataset)" $'a,target\n1,2\n3,4\n5,6' \
	"rows written through a descriptor open across a lazy unmount"
check_eq "$(status_of net rows)" 5001 "rows of net, 5000 written right before umount"

# A second remount, after writes to the new mount, keeps both old and new.
echo learning >blk/mode
printf '40,0.5,1\n' >>blk/dataset
mlfs_stop
mlfs_start
cd "$MNT"
check_eq "$(cat blk/mode)" learning "mode after the second remount"
check_eq "$(cat blk/dataset)" $'sectors,ratio,target\n8,0.5,1\n16,0.25,0\n40,0.5,1' \
	"rows after the second remount"
check_eq "$(status_of blk mode_changes)" 3 "mode_changes after the second remount"
check_eq "$(status_of blk rows)" 3 "rows of blk after the second remount"

# status's last_ingest is the time of the newest row, whoever mounted it.
mlfs_stop
mlfs_start
check_eq "$(status_of net last_ingest)" "$ingest_net" "last_ingest after remount"
