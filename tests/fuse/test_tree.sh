#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The shape of the tree: the root and its category views, subsystem directories and
# their files with their permission bits, the same inode in both views, mkdir and
# rmdir of subsystems, which names they take, and what the tree refuses (EPERM).
source "$(dirname "$0")/lib.sh"

mlfs_start
cd "$MNT"

# ---- a new tree ----
CATEGORIES="datasets feedback models modes recommendations"
TOP="datasets feedback metrics models modes recommendations"
check_eq "$(ls | tr '\n' ' ')" "$TOP " "ls of a new tree"
[[ -f metrics ]] || bad "metrics is not a regular file"
for c in $CATEGORIES; do
	[[ -d $c ]] || bad "$c is not a directory"
	check_eq "$(ls "$c")" "" "ls $c of a new tree"
done

# ---- a subsystem: its files and the category views ----
mkdir blk
check_eq "$(ls | tr '\n' ' ')" "blk $TOP " "ls after mkdir blk"
FILES="control dataset dataset.svg dataset.svm efficiency.svg feedback mode model model.scale \
recommendation status"
check_eq "$(ls blk | tr '\n' ' ')" "$FILES " "ls blk"
# Root writes, the group reads (see test_access.sh), others get nothing.
check_eq "$(stat -c '%A %n' blk blk/* | tr '\n' ' ')" \
	"drwxr-x--- blk --w------- blk/control -rw-r----- blk/dataset -r--r----- blk/dataset.svg \
-r--r----- blk/dataset.svm -r--r----- blk/efficiency.svg -rw-r----- blk/feedback \
-rw-r----- blk/mode -rw-r----- blk/model -rw-r----- blk/model.scale \
-rw-r----- blk/recommendation -r--r----- blk/status " \
	"permission bits of a subsystem made with mkdir"
for c in $CATEGORIES; do
	check_eq "$(ls "$c")" blk "ls $c"
	[[ -f $c/blk ]] || bad "$c/blk is not a regular file"
done
# The two views are one file each: one inode, one content, a write through either shows in both.
check_eq "$(stat -c %i datasets/blk)" "$(stat -c %i blk/dataset)" "inode of datasets/blk and blk/dataset"
check_eq "$(stat -c %i modes/blk)" "$(stat -c %i blk/mode)" "inode of modes/blk and blk/mode"
check_eq "$(stat -c %i feedback/blk)" "$(stat -c %i blk/feedback)" "inode of feedback/blk and blk/feedback"
printf 'x,target\n1,2\n' >>datasets/blk
check_eq "$(cat blk/dataset)" $'x,target\n1,2' "blk/dataset after a write to datasets/blk"
echo collaboration >modes/blk
check_eq "$(cat blk/mode)" collaboration "blk/mode after a write to modes/blk"
echo 'lat=3' >feedback/blk
check_eq "$(cat feedback/blk)" "$(cat blk/feedback)" "feedback/blk and blk/feedback"
check_eq "$(cat blk/mode)" "$(cat modes/blk)" "modes/blk and blk/mode"

# ---- names a subsystem may have ----
long63=$(printf 'n%.0s' {1..63})
for name in a Z9 A.b_c-1 0start "$long63"; do
	mkdir "$name" || bad "mkdir $name failed"
	[[ -f $name/status ]] || bad "$name has no status file"
	check_eq "$(ls datasets | grep -cxF -- "$name")" 1 "datasets/ lists $name once"
done

# ---- names it may not: EINVAL or ENAMETOOLONG, one log line each, nothing created ----
before=$(ls)
for name in .hidden -dash 'a b' 'semi;colon' 'é' 'tab	x' status control lost+found; do
	expect_refused "Invalid argument" "mkdir" mkdir -- "$name"
done
expect_refused "File name too long" "mkdir" mkdir "${long63}x"
check_eq "$(ls)" "$before" "ls after refused names"
# Names the tree itself has, and a subsystem that exists: EEXIST.
for name in $TOP blk; do
	expect_fail "File exists" mkdir "$name"
done

# ---- what the tree refuses: EPERM, one log line each (the daemon sees these as root) ----
expect_refused "Operation not permitted" "sub" mkdir blk/sub
expect_refused "Operation not permitted" "sub" mkdir datasets/sub
expect_refused "Operation not permitted" "datasets" rmdir datasets
expect_refused "Operation not permitted" "modes" rmdir modes
expect_refused "Operation not permitted" "feedback" rmdir feedback
expect_fail "Not a directory" rmdir blk/dataset
expect_fail "No such file or directory" rmdir nosuch
expect_fail "Operation not permitted" rm blk/dataset
expect_fail "Operation not permitted" rm datasets/blk
expect_fail "Operation not permitted" mv blk blk2
expect_fail "Operation not permitted" touch blk/newfile
expect_fail "Operation not permitted" touch newfile
check_eq "$(ls)" "$before" "ls after refused changes"
check_eq "$(ls blk | tr '\n' ' ')" "$FILES " "ls blk after refused changes"

# ---- rmdir: the subsystem goes from every view at once, with its rows; the name can be
# reused at once too (the category entries must not outlive it in the kernel's cache) ----
old_ino=$(stat -c %i blk)
rmdir blk
[[ ! -e blk ]] || bad "blk still exists after rmdir"
for c in datasets feedback modes; do
	[[ -z $(ls "$c" | grep -xF blk) ]] || bad "$c/blk still listed after rmdir blk"
	[[ ! -e $c/blk ]] || bad "$c/blk still exists after rmdir blk"
done
[[ -z $(sqlite3 "$DB" .tables | tr -s ' ' '\n' | grep -xF ds_blk) ]] ||
	bad "table ds_blk still in the database after rmdir blk"
mkdir blk
[[ $(stat -c %i blk) != "$old_ino" ]] || bad "a new blk has the inode of the removed one"
check_eq "$(cat blk/dataset)" "" "dataset of a new blk made after rmdir blk"
check_eq "$(cat blk/mode)" learning "mode of a new blk"
check_eq "$(status_of blk rows)" 0 "rows of a new blk"
check_eq "$(tail -n +2 blk/feedback)" "" "feedback of a new blk"
echo emergency >modes/blk || bad "echo emergency > modes/blk right after rmdir blk; mkdir blk"
printf 'y,target\n3,4\n' >>datasets/blk || bad "write to datasets/blk right after mkdir blk"
check_eq "$(cat blk/mode)" emergency "blk/mode after a write to modes/blk"
check_eq "$(cat blk/dataset)" $'y,target\n3,4' "blk/dataset after a write to datasets/blk"
