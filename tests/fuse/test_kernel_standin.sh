#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The daemon's kernel path, against mlproxy-standin: the module's policy and demo
# workload in user space, speaking /dev/mlproxy's records on a socket. The kernel's
# subsystem appears with its columns and fills; a user's mode change reaches the
# kernel side; the kernel's own mode changes show with their reason; the daemon
# going away puts the subsystem in emergency, and coming back reconnects it.
source "$(dirname "$0")/lib.sh"

[[ -n ${MLPROXY_STANDIN:-} && -x ${MLPROXY_STANDIN:-} ]] ||
	fail "MLPROXY_STANDIN must name the stand-in (meson sets it)"
SOCK=$T/mlproxy.sock
STATS=$T/standin.stats

"$MLPROXY_STANDIN" --socket "$SOCK" --stats "$STATS" --interval-ms 2 2>>"$T/standin.log" &
STARTED_PIDS+=($!)
for ((i = 0; i < 100; i++)); do [[ -S $SOCK ]] && break; sleep 0.02; done
[[ -S $SOCK ]] || fail "mlproxy-standin did not create $SOCK"

# stat_of KEY: a line of the stand-in's stats, as /sys/kernel/mlproxy/demo/stats.
stat_of() {
	sed -n "s/^$1: //p" "$STATS"
}

check_eq "$(stat_of mode)" emergency "stand-in's demo mode before any reader"
mlfs_start -o "kdev=$SOCK"
cd "$MNT"

wait_for "demo appears" 'test -d demo'
check_eq "$(status_of demo origin)" kernel "origin of the kernel's subsystem"
check_eq "$(head -n 1 demo/dataset)" load,seq_pct,queue,best_batch "dataset header"
wait_for "100 rows of samples" '[[ $(status_of demo rows) -ge 100 ]]'
check_match "$(sed -n 2p demo/dataset)" '^[0-9]+,[0-9]+,[0-9]+,[0-9]+$' "a sample row"
check_match "$(sqlite3 "$DB" '.schema ds_demo')" '"load" INTEGER' "typed kernel columns"

# Connecting brought it back from emergency, and the reason says so.
check_eq "$(cat demo/mode)" learning "mode once the daemon reads"
check_eq "$(status_of demo mode_reason)" "kernel: daemon back" "reason of the kernel's change"
check_eq "$(stat_of connected)" 1 "stand-in sees its reader"

# A user's mode change goes to the kernel side.
echo collaboration >demo/mode
wait_for "kernel side in collaboration" '[[ $(stat_of mode) == collaboration ]]'
check_eq "$(cat modes/demo)" collaboration "mode file after the change"

# Outcomes and windows arrive as feedback from the kernel.
wait_for "a window of feedback" "grep -q ',kernel,,,window,' demo/feedback"
check_match "$(grep -m1 ',kernel,,default,throughput,' demo/feedback)" \
	',kernel,,default,throughput,[0-9]+\.0$' "an outcome of the default arm"
check_match "$(grep -m1 ',default,decisions,' demo/feedback)" ',kernel,,default,decisions,' \
	"the default arm's decisions in a window"
# The pictures: the windows' means, per arm, and a chart per declared column.
check_match "$(cat demo/efficiency.svg)" '>throughput_mean per efficiency window of the kernel' \
	"efficiency.svg draws the kernel's windows"
check_match "$(cat demo/dataset.svg)" '>best_batch</text>' "dataset.svg has the target's chart"

# The kernel's rows are its own: no user rows, no rmdir.
expect_refused "Permission denied" "read-only" sh -c 'echo 1,2,3,4 >> demo/dataset'
expect_refused "Operation not permitted" "only subsystems made with mkdir" rmdir demo

# The daemon goes: emergency, and why. It comes back: reconnected, learning again.
mlfs_stop
wait_for "kernel side in emergency" '[[ $(stat_of mode) == emergency ]]'
check_eq "$(stat_of reason)" "daemon gone" "stand-in's reason with no reader"
mlfs_start -o "kdev=$SOCK"
cd "$MNT"
wait_for "reconnected" '[[ $(stat_of connected) == 1 ]]'
wait_for "learning again" '[[ $(cat demo/mode) == learning ]]'
check_eq "$(status_of demo mode_reason)" "kernel: daemon back" "reason after reconnecting"
rows=$(status_of demo rows)
wait_for "rows keep coming after the restart" '[[ $(status_of demo rows) -gt $rows ]]'
sqlite3 "$DB" "SELECT mode || '|' || reason FROM mode_history h JOIN subsystems s
	ON s.id = h.subsys_id WHERE s.name = 'demo' ORDER BY h.id" >"$T/history"
grep -q '^collaboration|written to mode by uid 0' "$T/history" ||
	bad "the user's change is in the mode history"
grep -q '^emergency|kernel: registered in mode emergency' "$T/history" ||
	bad "the emergency of the restart is in the mode history"

# Without the stand-in, the daemon says so once and runs on.
mlfs_stop
kill "${STARTED_PIDS[0]}"
wait_exit "${STARTED_PIDS[0]}" 5 || bad "stand-in did not stop on SIGTERM"
log_mark
mlfs_start -o "kdev=$SOCK"
cd "$MNT"
check_eq "$(cat demo/mode)" learning "the subsystem and its data stay without the kernel"
expect_refused "No such device" "mode recommendation refused" \
	bash -c 'echo recommendation > demo/mode'
mlfs_stop
check_eq "$(grep -c 'running without the kernel proxy' "$LOG")" 1 \
	"the missing device is logged once"

exit $((FAILED > 0))
