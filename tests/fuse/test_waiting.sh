#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Operations that wait do not stop the tree. While another process holds the
# database's write lock, writers of datasets wait (their rows fill the queue,
# and close waits for the commit); meanwhile, even with a single FUSE thread,
# listings, status, modes and queries answer, and when the lock goes every row
# arrives. A mode change, which is written to the database, waits its turn.
source "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
mlfs_start -o max_threads=1 -o queue_rows=1000
cd "$MNT"

mkdir q busy
printf 'x,target\n1,1\n2,1\n3,2\n4,2\n5,1\n6,2\n7,1\n8,2\n9,1\n10,2\n' >q/dataset
printf 'a,target\n0,0\n' >busy/dataset
echo 'train classify' >q/control
wait_for "q's model" '[ "$(status_of q model_version)" = 1 ]' 60

# Another process takes the write lock for a few seconds (the daemon waits up to 10).
sqlite3 "$DB" 'BEGIN IMMEDIATE' '.shell touch '"$T/locked"'; sleep 4' 'COMMIT' &
holder=$!
wait_for "the lock" '[ -e "$T/locked" ]' 10
seq 1 20000 | sed 's/$/,1/' >>busy/dataset &
writer=$!
wait_for "a full queue" '[ "$(status_of busy queued)" -ge 1000 ]' 10
alive "$writer" || bad "the writer finished while the database was locked"

check_match "$(timeout 2 ls "$MNT")" busy "a listing while a writer waits"
check_eq "$(timeout 2 cat busy/mode)" learning "busy/mode while its writer waits"
echo collaboration >q/mode &
changer=$!
check_eq "$(timeout 2 python3 -c '
import os
fd = os.open("q/recommendation", os.O_RDWR)
os.write(fd, b"2\n")
print(os.read(fd, 64).decode().strip())')" 1 "a query while a writer waits"
check_match "$(timeout 2 cat busy/status)" 'queued: [0-9]+' "busy/status while its writer waits"

check_eq "$(timeout 2 cat q/mode)" learning "q/mode while its change waits"

wait "$writer" || bad "the writer failed"
wait "$changer" || bad "the mode change failed"
check_eq "$(cat q/mode)" collaboration "q/mode once the lock is gone"
wait "$holder" || bad "the lock holder failed"
check_eq "$(status_of busy rows)" 20001 "busy's rows once the lock is gone"

mlfs_stop
exit $((FAILED > 0))
