#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest script for run-vm: the whole kernel loop on a real kernel. The modules load;
# mlfs mounts and takes the demo subsystem's samples from /dev/mlproxy; a mode
# written to /mlfs reaches sysfs; efficiency feedback arrives for both arms; the
# daemon killed drops the kernel to emergency with a reason; a new daemon
# reconnects; everything unloads cleanly (run-vm fails on any kernel warning).
set -eu

fail() {
	echo "FAIL: $*"
	exit 1
}

# wait_for WHAT CONDITION: the shell CONDITION within 20 s (TCG is slow).
wait_for() {
	i=0
	while ! eval "$2"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$1: not within 20 s"
		sleep 0.1
	done
}

stat_of() {
	sed -n "s/^$1 //p" /sys/kernel/mlproxy/demo/stats
}

modprobe mlproxy
modprobe mlproxy_demo interval_ms=5
[ -c /dev/mlproxy ] || fail "no /dev/mlproxy"
[ "$(stat -c %a /dev/mlproxy)" = 600 ] || fail "/dev/mlproxy is not root-only"
[ "$(cat /sys/kernel/mlproxy/demo/mode)" = learning ] || fail "demo does not start in learning"

mkdir -p /mlfs
mount -t fuse mlfs /mlfs -o db=/var/lib/mlfs/mlfs.db
wait_for "demo in /mlfs" '[ -d /mlfs/demo ]'
[ "$(head -n 1 /mlfs/demo/dataset)" = load,seq_pct,queue,best_batch ] || fail "dataset header"
wait_for "50 samples" '[ "$(sed -n "s/^rows: //p" /mlfs/demo/status)" -ge 50 ]'
grep -q '^origin: kernel$' /mlfs/demo/status || fail "demo is not the kernel's"
[ "$(stat_of daemon)" = connected ] || fail "sysfs does not see the daemon"

echo collaboration >/mlfs/demo/mode
wait_for "collaboration in sysfs" '[ "$(cat /sys/kernel/mlproxy/demo/mode)" = collaboration ]'
[ "$(cat /mlfs/modes/demo)" = collaboration ] || fail "modes/demo after the change"

# Windows report both arms; outcomes are per decision. Until a model recommends
# (the models issue), the ML arm's windows count no decisions: the rows are there.
wait_for "a window of feedback" 'grep -q ",kernel,,,window," /mlfs/demo/feedback'
grep -q ',kernel,,default,decisions,' /mlfs/demo/feedback || fail "no default-arm feedback"
grep -q ',kernel,,ml,decisions,' /mlfs/demo/feedback || fail "no ML-arm feedback"
grep -q ',kernel,,default,throughput,' /mlfs/demo/feedback || fail "no outcomes"

# The daemon dies: the kernel falls to emergency on its own, and says why.
pid=$(pidof mlfs)
kill -9 "$pid"
wait_for "emergency after the daemon died" '[ "$(cat /sys/kernel/mlproxy/demo/mode)" = emergency ]'
stat_of reason | grep -q 'daemon gone' || fail "reason after the daemon died: $(stat_of reason)"
umount -l /mlfs

# A new daemon reconnects; the kernel returns to learning, not higher.
mount -t fuse mlfs /mlfs -o db=/var/lib/mlfs/mlfs.db
wait_for "learning after reconnecting" '[ "$(cat /sys/kernel/mlproxy/demo/mode)" = learning ]'
wait_for "the reason in /mlfs" 'grep -q "^mode_reason: kernel: daemon back" /mlfs/demo/status'
rows=$(sed -n 's/^rows: //p' /mlfs/demo/status)
wait_for "samples after reconnecting" '[ "$(sed -n "s/^rows: //p" /mlfs/demo/status)" -gt "$rows" ]'

umount /mlfs
rmmod mlproxy_demo
rmmod mlproxy
[ ! -e /dev/mlproxy ] || fail "/dev/mlproxy is still there after rmmod"
echo "mlproxy loop passed under $(uname -r)"
