#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The readahead actuator and its mode gate, on a loop device this test makes (never
# a real disk): a model that recommends 512 KiB is uploaded; in collaboration both
# arms get windows and feedback rows with their throughput; recommendation applies
# the model's value; emergency, unmount, SIGTERM and SIGINT put the default back; a value
# an administrator writes behind mlfs's back is left alone and logged once. Names
# that are not a block device are refused at the start.
source "$(dirname "$0")/lib.sh"

# Refusals come first: they need neither BPF nor a loop device.
expect_fail "no block device nope0 (not in /sys/class/block)" \
	"$MLFS" "$MNT" -f -o "db=$DB,readahead_dev=nope0"
expect_fail "/dev/null is not a block device" "$MLFS" "$MNT" -f -o "db=$DB,readahead_dev=null"
expect_fail "is not a block device's name" "$MLFS" "$MNT" -f -o "db=$DB,readahead_dev=../sda"
! mountpoint -q "$MNT" || fail "mounted despite a bad readahead_dev"

[[ -r /sys/kernel/btf/vmlinux ]] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
"$MLFS" --help | grep -q 'not built' && skip "this mlfs was built without eBPF collectors"
command -v losetup >/dev/null || skip "losetup is missing (Debian package mount)"
command -v svm-train >/dev/null || skip "svm-train is missing (Debian package libsvm-tools)"

truncate -s 64M "$T/disk.img"
LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null) || skip "cannot create a loop device"
on_cleanup losetup -d "$LOOP"
if command -v udevadm >/dev/null; then udevadm settle --timeout=10 || true; fi
RA=/sys/block/${LOOP#/dev/}/queue/read_ahead_kb
echo 128 >"$RA" # the default, as mlfs will find it

# Buffered reads of the device, over and over, while the test runs: busy windows.
reader() {
	while :; do dd if="$LOOP" of=/dev/null bs=64k status=none || sleep 0.1; done
}
reader &
READER=$!
on_cleanup kill "$READER"

# A model that answers 512 for any loop device: linear in the first feature, dev, which
# is 1792 and more for loop devices (major 7), and 16 only below 500 or so.
printf '16 1:0\n16 1:10\n512 1:1000\n512 1:2000\n' >"$T/ra.svm"
svm-train -q -t 0 "$T/ra.svm" "$T/ra.model"

# feedback_of ARM METRIC: the values of the gate's rows of that arm and metric.
feedback_of() {
	awk -F, -v arm="$1" -v m="$2" '$2 == "collector" && $4 == arm && $5 == m { print $6 }' \
		readahead/feedback
}

mlfs_start -o readahead_dev=${LOOP#/dev/},collector_window_ms=200
cd "$MNT"
grep -q "the readahead gate acts on ${LOOP#/dev/} (default read_ahead_kb 128)" "$LOG" ||
	bad "the log names the device and its default"
check_eq "$(status_of readahead collector)" running "readahead collector"
check_eq "$(head -n 1 readahead/dataset)" \
	dev,insertions,accesses,offset_stddev,delta_mean,hit_ratio,bytes,read_ahead_kb \
	"readahead's columns: read_ahead_kb only as the target"
check_eq "$(status_of readahead target)" read_ahead_kb "readahead's target"
cp "$T/ra.model" readahead/model
echo collaboration >readahead/mode

# Both arms get windows: the model's 512 and the default's 128, each with its throughput.
wait_for "windows of the model's arm" '[[ $(feedback_of ml read_ahead_kb | grep -c .) -ge 3 ]]' 30
wait_for "windows of the default's arm" \
	'[[ $(feedback_of default read_ahead_kb | grep -c .) -ge 3 ]]' 30
check_eq "$(feedback_of ml read_ahead_kb | sort -u)" 512.0 "the model's value, as applied"
check_eq "$(feedback_of default read_ahead_kb | sort -u)" 128.0 "the default's value"
# Throughput in bytes per second: above 64 KiB/s (one dd block per window), below 100 GB/s.
for arm in ml default; do
	check_eq "$(feedback_of $arm throughput | awk '$1 < 327680 || $1 > 1e11' | head -n 3)" "" \
		"throughput of the $arm arm's windows"
done
# An efficiency window of 32 decisions reports each arm's mean, as the kernel's do.
wait_for "an efficiency window" '[[ -n $(feedback_of ml throughput_mean) ]]' 40
check_match "$(status_of readahead efficiency_ml)" '^[0-9.e+]+ over [0-9]+ decisions$' \
	"efficiency_ml in status"

# Emergency: the default at once, and the device left alone.
echo emergency >readahead/mode
check_eq "$(cat "$RA")" 128 "read_ahead_kb right after emergency"
n=$(feedback_of ml read_ahead_kb | grep -c .)
sleep 1.5
check_eq "$(cat "$RA")" 128 "read_ahead_kb in emergency"
check_eq "$(feedback_of ml read_ahead_kb | grep -c .)" "$n" "no model windows in emergency"

# Recommendation: the model's value every window; unmounting restores the default.
echo recommendation >readahead/mode
wait_for "512 in recommendation mode" '[[ $(cat "$RA") == 512 ]]' 10
sleep 1
check_eq "$(cat "$RA")" 512 "read_ahead_kb in recommendation mode"
mlfs_stop
check_eq "$(cat "$RA")" 128 "read_ahead_kb after umount"
grep -q "${LOOP#/dev/}: read_ahead_kb restored to 128" "$LOG" || bad "the restore is logged"

# SIGTERM and SIGINT end the loop the same way (the mode, recommendation, was kept).
# A background job starts with SIGINT ignored, and mlfs keeps an ignored signal as it
# found it (as libfuse does): for SIGINT it starts through a wrapper that restores it.
cat >"$T/sigint-default" <<EOF
#!$PYTHON
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv("$MLFS", ["$MLFS"] + sys.argv[1:])
EOF
chmod +x "$T/sigint-default"
cd "$T"
for sig in TERM INT; do
	launcher=$MLFS
	[[ $sig == INT ]] && launcher=$T/sigint-default
	MLFS=$launcher mlfs_start -o readahead_dev=${LOOP#/dev/},collector_window_ms=200
	wait_for "512 again, before SIG$sig" '[[ $(cat "$RA") == 512 ]]' 10
	kill -"$sig" "$MLFS_PID"
	wait_exit "$MLFS_PID" 10 || fail "mlfs did not exit on SIG$sig"
	rc=0
	wait "$MLFS_PID" || rc=$?
	check_eq "$rc" 0 "exit status after SIG$sig"
	! mountpoint -q "$MNT" || bad "still mounted after SIG$sig"
	check_eq "$(cat "$RA")" 128 "read_ahead_kb after SIG$sig"
done

# An administrator's value is theirs: mlfs says so once and never writes again.
mlfs_start -o readahead_dev=${LOOP#/dev/},collector_window_ms=200
wait_for "512 once more" '[[ $(cat "$RA") == 512 ]]' 10
echo 1024 >"$RA"
wait_for "the change noticed" 'grep -q "someone else changed it" "$LOG"' 10
sleep 1.5
check_eq "$(cat "$RA")" 1024 "the administrator's value, windows later"
mlfs_stop
check_eq "$(cat "$RA")" 1024 "the administrator's value after umount"
check_eq "$(grep -c 'someone else changed it' "$LOG")" 1 "log lines about the change"
check_match "$(grep 'someone else changed it' "$LOG")" \
	"^mlfs: ${LOOP#/dev/}: read_ahead_kb is 1024, not the 512 mlfs left there: someone else changed it; mlfs leaves ${LOOP#/dev/} alone until it restarts$" \
	"the log line"

exit $((FAILED > 0))
