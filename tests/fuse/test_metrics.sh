#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# /metrics in Prometheus's text format, as promtool checks it: rows, drops, the
# queue and the mode per subsystem, each arm's efficiency from the kernel's
# windows (through mlproxy-standin), prediction latency from queries and kernel
# recommendations, the model and its training; and it reads like status says.
source "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || skip "promtool is missing (Debian package prometheus)"
[[ -n ${MLPROXY_STANDIN:-} && -x ${MLPROXY_STANDIN:-} ]] ||
	fail "MLPROXY_STANDIN must name the stand-in (meson sets it)"
SOCK=$T/mlproxy.sock
"$MLPROXY_STANDIN" --socket "$SOCK" --interval-ms 2 --window 200 2>>"$T/standin.log" &
STARTED_PIDS+=($!)
wait_for "the stand-in's socket" '[[ -S $SOCK ]]' 5

mlfs_start -o "kdev=$SOCK"
cd "$MNT"

# metric NAME LABELS: the value of the sample NAME{LABELS} in /metrics.
metric() {
	awk -v want="$1{$2}" '$1 == want { print $2 }' "$MNT/metrics"
}

check_eq "$(ls | grep -c '^metrics$')" 1 "metrics at the top of the tree"
check_eq "$(stat -c %A metrics)" -r--r----- "metrics is read only"
expect_fail "Permission denied" bash -c "echo x > $MNT/metrics"

mkdir web
printf 'conns,p99_us,target\n' >web/dataset
seq 1 40 | awk '{ print $1 "," ($1 * 37) % 100 "," ($1 % 3 == 0) }' >>web/dataset
echo 'train classify' >web/control
wait_for "web's model" '[ "$(status_of web model_version)" = 1 ]' 60
echo collaboration >web/mode
python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(25):
    os.write(fd, b"%d,%d\n" % (i, i * 7 % 100))
    os.read(fd, 64)
' web/recommendation

# The demo subsystem trains on its samples, and its windows bring efficiency.
wait_for "demo's samples" '[ "$(status_of demo rows 2>/dev/null || echo 0)" -ge 200 ]' 30
echo 'train' >demo/control
wait_for "demo's model" '[ "$(status_of demo model_version)" = 1 ]' 60
echo collaboration >demo/mode
wait_for "two windows of demo with both arms" \
	'[ "$(metric mlfs_windows_total "subsys=\"demo\"")" -ge 2 ] &&
	 [ -n "$(metric mlfs_arm_efficiency "subsys=\"demo\",arm=\"ml\"")" ]' 30

out=$(promtool check metrics <"$MNT/metrics" 2>&1) || bad "promtool check metrics: $out"
check_eq "$out" "" "promtool's complaints"

check_eq "$(metric mlfs_rows 'subsys="web"')" "$(status_of web rows)" "web's rows"
check_eq "$(metric mlfs_rows_dropped_total 'subsys="web"')" 0 "web's drops"
check_eq "$(metric mlfs_mode 'subsys="web",mode="collaboration"')" 1 "web's mode"
check_eq "$(metric mlfs_mode 'subsys="web",mode="learning"')" 0 "web's former mode"
check_eq "$(metric mlfs_model_version 'subsys="web"')" 1 "web's model version"
check_eq "$(metric mlfs_training 'subsys="web"')" 0 "web's training, done"
# Every query's prediction is counted, in cumulative buckets that end at the count.
check_eq "$(metric mlfs_prediction_duration_seconds_count 'subsys="web"')" 25 \
	"web's predictions"
check_eq "$(metric mlfs_prediction_duration_seconds_bucket 'subsys="web",le="+Inf"')" 25 \
	"web's +Inf bucket"
check_eq "$(awk '$1 ~ /^mlfs_prediction_duration_seconds_bucket\{subsys="web"/ { print $2 }' \
	metrics | sort -c -n && echo sorted)" sorted "web's buckets, cumulative"
check_match "$(metric mlfs_prediction_duration_seconds_sum 'subsys="web"')" '^[0-9.e-]+$' \
	"web's prediction time"
# The kernel's subsystem: a recommendation per sample, and both arms' efficiency.
[ "$(metric mlfs_prediction_duration_seconds_count 'subsys="demo"')" -gt 0 ] ||
	bad "no prediction counted for demo"
check_match "$(metric mlfs_arm_efficiency 'subsys="demo",arm="default"')" '^[0-9.e+]+$' \
	"demo's default arm"
check_eq "$(metric mlfs_lower_is_better 'subsys="demo"')" 0 "demo's metric is a throughput"
# Nothing for an arm without outcomes.
check_eq "$(metric mlfs_arm_efficiency 'subsys="web",arm="ml"')" "" "web's ML arm, no windows"

mlfs_stop
exit $((FAILED > 0))
