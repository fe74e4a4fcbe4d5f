#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# <subsys>/status: its keys in their order, and each value following what the user did:
# columns and target, rows (and retention with -o rows_max), bytes of CSV accepted,
# drops, queued, last_ingest, the mode and its reason, feedback reports.
source "$(dirname "$0")/lib.sh"

KEYS="name origin columns target rows rows_total rows_max bytes drops queued last_ingest mode \
mode_reason mode_changed mode_changes feedback model_version autoretrain training"

mlfs_start
cd "$MNT"

mkdir blk
check_eq "$(cut -d: -f1 blk/status | tr '\n' ' ')" "$KEYS " "keys of status, in order"
check_eq "$(grep -vc '^[a-z_]*: ' blk/status)" 0 "lines of status that are not \"key: value\""
check_eq "$(status_of blk name)" blk "name"
check_eq "$(status_of blk origin)" user "origin of a subsystem made with mkdir"
check_eq "$(status_of blk columns)" "" "columns before any header"
check_eq "$(status_of blk target)" - "target before any header"
for key in rows rows_total bytes drops queued feedback; do
	check_eq "$(status_of blk $key)" 0 "$key of a new subsystem"
done
check_eq "$(status_of blk rows_max)" 10000000 "default rows_max"
check_eq "$(status_of blk last_ingest)" - "last_ingest before any row"
check_eq "$(status_of blk mode)" learning "mode of a new subsystem"
check_eq "$(status_of blk mode_reason)" "created (user subsystem)" "mode_reason of a new subsystem"
check_eq "$(status_of blk mode_changes)" 1 "mode_changes of a new subsystem"

# ---- rows: one write(2) of header and rows; bytes counts what was written ----
printf 'sectors,queue,target\n8,1,3\n16,2,4\n' >"$T/a.csv"
start=$(now_utc)
cat "$T/a.csv" >>blk/dataset
end=$(now_utc)
check_eq "$(status_of blk columns)" sectors,queue,target "columns"
check_eq "$(status_of blk target)" target "target"
check_eq "$(status_of blk rows)" 2 "rows"
check_eq "$(status_of blk rows_total)" 2 "rows_total"
check_eq "$(status_of blk bytes)" "$(wc -c <"$T/a.csv")" "bytes after one write"
check_eq "$(status_of blk queued)" 0 "queued after close"
check_eq "$(status_of blk drops)" 0 "drops"
ingest=$(status_of blk last_ingest)
check_match "$ingest" "$ISO_TIME" "last_ingest"
[[ ! ${ingest:0:19} < $start && ! ${ingest:0:19} > $end ]] ||
	bad "last_ingest $ingest is not between $start and $end"
printf '32,3,5\n' >>blk/dataset
check_eq "$(status_of blk rows)" 3 "rows after one more"
[[ $(status_of blk last_ingest) > $ingest ]] || bad "last_ingest did not move on with a new row"

# ---- mode and feedback ----
echo recommendation >blk/mode
check_eq "$(status_of blk mode)" recommendation "mode after a change"
check_match "$(status_of blk mode_reason)" '^written to mode by uid 0 \(bash, pid [0-9]+\)$' \
	"mode_reason after a change"
check_eq "$(status_of blk mode_changes)" 2 "mode_changes after a change"
echo 'a=1 b=2' >blk/feedback
check_eq "$(status_of blk feedback)" 2 "feedback after two reports"

# ---- -o rows_max: the oldest rows go; rows_total keeps counting ----
mlfs_stop
mlfs_start -o rows_max=5
cd "$MNT"
check_eq "$(status_of blk rows_max)" 5 "rows_max with -o rows_max=5"
mkdir ret
{
	echo n,target
	seq 1 12 | sed 's/$/,0/'
} >>ret/dataset
check_eq "$(status_of ret rows)" 5 "rows with rows_max=5 after 12"
check_eq "$(status_of ret rows_total)" 12 "rows_total with rows_max=5 after 12"
check_eq "$(tail -n +2 ret/dataset | cut -d, -f1 | tr '\n' ' ')" "8 9 10 11 12 " \
	"the newest rows are the ones kept"

# ---- bytes counts every byte written, however the writes fall ----
# (bash's printf writes line by line; the last line here has no newline.)
mkdir lines
printf 'x,target\n1,2\n3,4' >>lines/dataset
check_eq "$(status_of lines rows)" 2 "rows written by printf"
check_eq "$(status_of lines bytes)" 16 "bytes of printf 'x,target\\n1,2\\n3,4'"
mkdir parts
expect_errno ok py_write parts/dataset 'x,target\n' '1,' '2\n3,4\n'
check_eq "$(status_of parts bytes)" 17 "bytes of 17 bytes written in three writes"
