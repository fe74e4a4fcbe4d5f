#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# What a user may write wrong, and what they must see: the errno at the system call
# that carried it, one log line that says why, and nothing of it stored (rows, mode and
# feedback as they were). Datasets, modes, feedback, and the read-only files.
# Refused names, mkdir and rmdir: test_tree.sh; refused starts of the daemon: test_mount.sh.
source "$(dirname "$0")/lib.sh"

mlfs_start
cd "$MNT"

mkdir s
py_write s/dataset 'a,b,target\n1,2.5,3\n4,0.5,6\n' >/dev/null
echo collaboration >s/mode
echo 'recommendation=1 arm=ml lat=3' >s/feedback
rows=$(cat s/dataset)
feedback=$(cat s/feedback)
changes=$(status_of s mode_changes)

unchanged() {
	check_eq "$(cat s/dataset)" "$rows" "dataset after a refused write ($1)"
	check_eq "$(cat s/mode)" collaboration "mode after a refused write ($1)"
	check_eq "$(status_of s mode_changes)" "$changes" "mode_changes after a refused write ($1)"
	check_eq "$(cat s/feedback)" "$feedback" "feedback after a refused write ($1)"
}

# ---- dataset rows: a write with any bad line is refused whole ----
DS='^mlfs: s/dataset: line [0-9]+: '
expect_write_refused EINVAL "${DS}expected 3 values, found 2" s/dataset '5,6\n'
expect_write_refused EINVAL "${DS}expected 3 values, found 4" s/dataset '5,6,7,8\n'
expect_write_refused EINVAL "${DS}column 2: \"x\" is not a number" s/dataset '5,x,7\n'
expect_write_refused EINVAL "${DS}column 2 is empty" s/dataset '5,,7\n'
expect_write_refused EINVAL "${DS}column 2: .* is not a number" s/dataset '5,2.5.1,7\n'
expect_write_refused EINVAL "${DS}column 3: .* is not a number" s/dataset '5,6,0x1f\n'
for v in nan NaN -nan inf -inf Infinity; do
	expect_write_refused EINVAL "${DS}column 2: \"$v\" is not a number" s/dataset "5,$v,7\n"
done
expect_write_refused ERANGE "${DS}column 2: \"1e999\" is out of range" s/dataset '5,1e999,7\n'
expect_write_refused ERANGE "${DS}column 1: .* is out of range" s/dataset '9223372036854775808,1,2\n'
expect_write_refused EINVAL "^mlfs: s/dataset: line 3: expected 3 values, found 2" \
	s/dataset '5,6,7\n8,9,10\n11,12\n'
expect_write_refused EINVAL "^mlfs: s/dataset: line 2: " s/dataset '5,6,7\nx,9,10\n'
expect_write_refused EINVAL "NUL" s/dataset '5,6\x00,7\n'
expect_write_refused EINVAL "NUL" s/dataset '5,6,7\n\x00\n'
unchanged "bad rows"
# Through the shell, as a user sees it.
expect_refused "Invalid argument" "$DS" bash -c 'echo 5,6 >> s/dataset'
expect_refused "Invalid argument" "$DS" bash -c 'cat >> s/dataset <<<"5,six,7"'

# A header that is not the dataset's columns, alone or before good rows.
HDR="${DS}header does not match the dataset's columns"
expect_write_refused EINVAL "$HDR" s/dataset 'a,b,c\n5,6,7\n'
expect_write_refused EINVAL "$HDR" s/dataset 'b,a,target\n'
expect_write_refused EINVAL "$HDR" s/dataset 'a,b\n'
expect_write_refused EINVAL "$HDR" s/dataset 'a,b,target,d\n5,6,7,8\n'
unchanged "bad headers"

# Lines over 65536 bytes, with or without their newline.
long=$(printf '%65533s' '')5,6,7
expect_write_refused EINVAL "${DS}line is longer than 65536 bytes" s/dataset "$long\n"
expect_write_refused EINVAL "${DS}line is longer than 65536 bytes" s/dataset "$long"
expect_write_refused EINVAL "${DS}line is longer than 65536 bytes" s/dataset "5,6,7\n$long\n"
unchanged "long lines"

# A bad last line without a newline is refused when it is taken, at close.
log_mark
expect_errno "close EINVAL" py_write s/dataset '5,6'
log_expect_one "${DS}expected 3 values, found 2" "close after writing '5,6'"
log_mark
expect_errno "close EINVAL" py_write s/dataset '5,6,7\n8,x'
log_expect_one "${DS}column 2: \"x\" is not a number" "close after writing '5,6,7\\n8,x'"
check_eq "$(tail -n 1 s/dataset)" 5,6.0,7 "the good line before a bad last line is kept"
rows=$(cat s/dataset)

# ---- a new dataset: the first line must be a header of valid, distinct names ----
mkdir n
expect_write_refused EINVAL "^mlfs: n/dataset: line 1: a new dataset's first line must be a header" \
	n/dataset '1,2,3\n'
expect_write_refused EINVAL "^mlfs: n/dataset: line 2: a new dataset's first line must be a header" \
	n/dataset '\n1,2,3\n'
expect_write_refused EINVAL "^mlfs: n/dataset: line 1: duplicate column name \"a\"" \
	n/dataset 'a,a,target\n'
expect_write_refused EINVAL '^mlfs: n/dataset: line 1: column 1: "a b" is not a name' \
	n/dataset 'a b,target\n'
expect_write_refused EINVAL '^mlfs: n/dataset: line 1: column 2 has no name' n/dataset 'a,,target\n'
expect_write_refused EINVAL '^mlfs: n/dataset: line 1: column 1: "x-y" is not a name' \
	n/dataset 'x-y,target\n'
expect_write_refused EINVAL '^mlfs: n/dataset: line 1: column 1: .* is not a name' \
	n/dataset "$(printf 'c%.0s' {1..64}),target\n"
expect_write_refused EINVAL '^mlfs: n/dataset: line 1: more than 256 columns' \
	n/dataset "$(seq -s, -f 'c%g' 1 257)\n"
# A good header in a refused write does not define the columns either.
printf 'a,target\n1,x\n' >"$T/refused.csv"
expect_refused "Invalid argument" '^mlfs: n/dataset: line 2: column 2: "x" is not a number' \
	bash -c "cat $T/refused.csv >> n/dataset"
check_eq "$(status_of n columns)" "" "columns of a dataset after refused headers"
check_eq "$(cat n/dataset)" "" "a dataset after refused headers"
expect_errno ok py_write n/dataset 'x,target\n1,2\n'
check_eq "$(cat n/dataset)" $'x,target\n1,2' "a good header after refused ones"

# ---- mode: anything but one of the four words (and one newline) ----
MODE='^mlfs: s/mode: ".*" is not a mode; write one of emergency, learning, collaboration, recommendation$'
for word in 'Learning\n' 'LEARNING' 'learning \n' ' learning\n' 'learn\n' 'learningx' '\n' \
	'learning\n\n' 'learning\r\n' 'emergency learning\n' 'learning\nemergency\n' \
	'learning\x00' 'recommendation2' 'learning\t'; do
	expect_write_refused EINVAL "$MODE" s/mode "$word"
done
expect_refused "Invalid argument" "$MODE" bash -c 'echo Emergency > s/mode'
expect_refused "Invalid argument" "$MODE" bash -c 'echo > modes/s'
unchanged "bad mode words"

# ---- feedback: a write with any bad line stores none of its lines ----
FB='^mlfs: s/feedback: line [0-9]+: '
expect_write_refused EINVAL "${FB}expected metric,value or recommendation,arm,metric,value" \
	s/feedback 'bogus\n'
expect_write_refused EINVAL "${FB}.*found 3 fields" s/feedback '1,2,3\n'
expect_write_refused EINVAL "${FB}unknown arm \"x\"" s/feedback 'arm=x lat=1\n'
expect_write_refused EINVAL "${FB}unknown arm \"ML\"" s/feedback '1,ML,lat,1\n'
expect_write_refused EINVAL "${FB}recommendation \"x\" is not an id" s/feedback 'recommendation=x lat=1\n'
expect_write_refused EINVAL "${FB}recommendation \"1.5\" is not an id" s/feedback '1.5,ml,lat,1\n'
expect_write_refused EINVAL "${FB}metric lat: \"nan\" is not a number" s/feedback 'lat=nan\n'
expect_write_refused EINVAL "${FB}metric lat: \"inf\" is not a number" s/feedback 'lat,inf\n'
expect_write_refused EINVAL "${FB}metric lat: \"1e999\" is out of range" s/feedback 'lat=1e999\n'
expect_write_refused EINVAL "${FB}metric lat is given twice" s/feedback 'lat=1 lat=2\n'
expect_write_refused EINVAL "${FB}no metric in line" s/feedback 'recommendation=1 arm=ml\n'
expect_write_refused EINVAL "${FB}\"x-y\" is not a metric name" s/feedback 'x-y=1\n'
expect_write_refused EINVAL "${FB}\"arm\" is not a metric name" s/feedback ',,arm,1\n'
expect_write_refused EINVAL "${FB}\"lat=\" is not a key=value pair" s/feedback 'lat=\n'
expect_write_refused EINVAL "${FB}more than 16 metrics in one line" s/feedback \
	"$(seq -s ' ' -f 'm%g=1' 1 17)\n"
expect_write_refused EINVAL "^mlfs: s/feedback: line 2: metric bad: \"x\" is not a number" \
	s/feedback 'good=1\nbad=x\n'
expect_write_refused EINVAL "^mlfs: s/feedback: NUL byte" s/feedback 'lat=1\x00\n'
expect_write_refused EINVAL "${FB}line is longer than 65536 bytes" s/feedback \
	"lat=1$(printf '%65536s' '')\n"
expect_refused "Invalid argument" "$FB" bash -c 'echo "arm=maybe lat=1" >> s/feedback'
unchanged "bad feedback"
check_eq "$(status_of s feedback)" 1 "status feedback after refused reports"

# ---- read-only files: EACCES at open, even for root; one log line each ----
expect_refused "Permission denied" "s/status" bash -c 'echo x > s/status'
expect_refused "Permission denied" "s/status" bash -c 'echo x >> s/status'
expect_refused "Permission denied" "s/dataset.svm" bash -c 'echo 1 1:2 >> s/dataset.svm'
expect_errno "open EACCES" py_write s/status 'x'
expect_errno "open EACCES" py_write s/dataset.svm '1 1:2\n'
expect_fail "Invalid argument" truncate -s 10 s/dataset
unchanged "writes to read-only files"
