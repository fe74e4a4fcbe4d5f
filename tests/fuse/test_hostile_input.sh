#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Hostile input, from a table (hostile_input.tsv): bad writes to every writable file and
# bad records from a fake kernel on the device protocol. Each write must fail with the
# errno the table says and each record be skipped, with exactly one log line matching
# the table's; then everything accepted before is checked to be there, unchanged:
# dataset bytes, mode and its history, model version and text, feedback, and the
# samples the kernel sent. The daemon must still be running and still take good input.
source "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
TABLE=$HERE/hostile_input.tsv
SOCK=$T/kdev.sock

# The fake kernel first: mlfs connects to it at start.
coproc FK { exec "$PYTHON" "$HERE/fake_kernel.py" "$SOCK"; }
FK_STARTED=$FK_PID
# It exits by itself once the daemon hangs up; if the test stops first, it is stopped.
stop_fake_kernel() {
	kill "$FK_STARTED" 2>/dev/null || true
}
on_cleanup stop_fake_kernel
read -r -t 10 state <&"${FK[0]}" || fail "fake_kernel.py did not start"
check_eq "$state" listening "fake kernel"
mlfs_start -o "kdev=$SOCK"
read -r -t 10 state <&"${FK[0]}" || fail "mlfs did not connect to the fake kernel"
check_eq "$state" connected "fake kernel"

# kernel_send EXPR: one packet from the fake kernel.
kernel_send() {
	echo "$1" >&"${FK[1]}"
	read -r -t 10 state <&"${FK[0]}" || fail "fake kernel: no answer to $1"
	[[ $state == sent ]] || fail "fake kernel: $state"
}

# log_wait_one ERE WHAT: the reader logs on its own thread: wait for a line, then a
# moment more so that a second one would be seen, and check there is exactly one.
log_wait_one() {
	local i
	for ((i = 0; i < 250; i++)); do
		[[ $(wc -l <"$LOG") -gt $LOG_MARK ]] && break
		sleep 0.02
	done
	sleep 0.2
	log_expect_one "$1" "$2"
}

# ---- what is accepted first, to be found unchanged at the end ----
cd "$MNT"
mkdir h
{
	echo a,b,target
	for i in $(seq 1 12); do echo "$i,$((i * 3)).5,$((i % 2))"; done
} >h/dataset
echo collaboration >h/mode
echo 'recommendation=1 arm=ml lat=3' >h/feedback
: >"$T/good.model"
check_eq "$("$PYTHON" "$HERE/hostile_write.py" "$T/good.model" MODEL)" ok "writing the good model"
cp "$T/good.model" h/model
kernel_send "R.register(1, 'dev', [('x', 1), ('y', 1), ('target', 1)])"
for i in 1 2 3; do kernel_send "R.sample(1, [$i, $((i * i)), $((i % 2))], seq=$i)"; done
wait_for "the fake kernel's samples" '[[ $(status_of dev rows 2>/dev/null) == 3 ]]' 10

dataset=$(sha256sum <h/dataset)
dataset_rows=$(status_of h rows)
changes=$(status_of h mode_changes)
feedback=$(cat h/feedback)
model=$(cat h/model)
version=$(status_of h model_version)
dev=$(cat dev/dataset)
root=$(ls)
check_eq "$version" 1 "model version after the good upload"

# ---- the table ----
rows=0
while IFS=$'\t' read -r file input want re; do
	[[ -z $file || $file == \#* ]] && continue
	rows=$((rows + 1))
	log_mark
	if [[ $file == kdev ]]; then
		kernel_send "$input"
		log_wait_one "$re" "kernel record $input"
		alive "$MLFS_PID" || fail "mlfs died after the kernel record $input"
		continue
	fi
	got=$("$PYTHON" "$HERE/hostile_write.py" "$file" "$input")
	[[ $got == "$want" ]] || bad "$file <- ${input:0:70}: got \"$got\", want \"$want\""
	log_expect_one "$re" "$file <- ${input:0:70}"
done <"$TABLE"
((rows >= 30)) || bad "the table has $rows rows, fewer than 30"

# ---- nothing accepted before is lost or changed ----
check_eq "$(sha256sum <h/dataset)" "$dataset" "h/dataset bytes after the table"
check_eq "$(status_of h rows)" "$dataset_rows" "h rows after the table"
check_eq "$(cat h/mode)" collaboration "h/mode after the table"
check_eq "$(status_of h mode_changes)" "$changes" "h mode_changes after the table"
check_eq "$(cat h/feedback)" "$feedback" "h/feedback after the table"
check_eq "$(status_of h model_version)" "$version" "h model_version after the table"
check_eq "$(cat h/model)" "$model" "h/model after the table"
check_eq "$(ls)" "$root" "the tree's root after the kernel's refused registrations"

# The daemon still takes good input, from users and from the kernel; the one good
# sample before junk in a packet was taken, the junk was not.
alive "$MLFS_PID" || fail "mlfs is not running after the table"
echo 13,40.5,1 >>h/dataset
check_eq "$(status_of h rows)" $((dataset_rows + 1)) "h rows after a good write"
kernel_send "R.sample(1, [7, 8, 9], seq=4)"
wait_for "a good sample after the bad records" '[[ $(status_of dev rows) == 5 ]]' 10
check_eq "$(cat dev/dataset)" "$dev"$'\n4,5,6\n7,8,9' "dev/dataset after the kernel's records"
cd "$T"
mlfs_stop
