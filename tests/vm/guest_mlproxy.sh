#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Guest script for run-vm: the whole kernel loop on a real kernel. The modules load;
# mlfs mounts and takes the demo subsystem's samples from /dev/mlproxy; a mode
# written to /mlfs reaches sysfs; efficiency feedback arrives for both arms; the
# daemon killed drops the kernel to emergency with a reason; a new daemon
# reconnects; everything unloads cleanly (run-vm fails on any kernel warning).
set -eu
. /mlfs-vm/lib.sh

stat_of() {
	sed -n "s/^$1 //p" /sys/kernel/mlproxy/demo/stats
}

modprobe mlproxy
modprobe mlproxy_demo interval_ms=5
[ -c /dev/mlproxy ] || fail "no /dev/mlproxy"
[ "$(stat -c %a /dev/mlproxy)" = 600 ] || fail "/dev/mlproxy is not root-only"
[ "$(cat /sys/kernel/mlproxy/demo/mode)" = learning ] || fail "demo does not start in learning"

mkdir -p /mlfs
mount -t fuse mlfs /mlfs -o db=/var/lib/mlfs/mlfs.db,train_rows=300
wait_for "demo in /mlfs" '[ -d /mlfs/demo ]'
[ "$(head -n 1 /mlfs/demo/dataset)" = load,seq_pct,queue,best_batch ] || fail "dataset header"
wait_for "50 samples" '[ "$(sed -n "s/^rows: //p" /mlfs/demo/status)" -ge 50 ]'
grep -q '^origin: kernel$' /mlfs/demo/status || fail "demo is not the kernel's"
[ "$(stat_of daemon)" = connected ] || fail "sysfs does not see the daemon"

# Learning mode collects a dataset; a model trained on it in the guest recommends for
# every sample (300 rows at most: training runs under emulation here).
wait_for "400 samples" '[ "$(sed -n "s/^rows: //p" /mlfs/demo/status)" -ge 400 ]'
echo train >/mlfs/demo/control
i=0
until grep -q '^training: done' /mlfs/demo/status; do
	grep -q '^training: failed' /mlfs/demo/status && fail "training failed: $(grep training /mlfs/demo/status)"
	i=$((i + 1))
	[ $i -lt 1200 ] || fail "training: not done within 120 s"
	sleep 0.1
done
wait_for "recommendations in sysfs" '[ "$(stat_of recommendation)" != none ]'

echo collaboration >/mlfs/demo/mode
wait_for "collaboration in sysfs" '[ "$(cat /sys/kernel/mlproxy/demo/mode)" = collaboration ]'
[ "$(cat /mlfs/modes/demo)" = collaboration ] || fail "modes/demo after the change"

# Both arms decide, and the feedback says how each did: per window and per decision.
wait_for "the ML arm decides" '[ "$(stat_of decisions_ml)" -gt 20 ]'
grep -q ',kernel,[0-9][0-9]*,ml,throughput,' /mlfs/demo/feedback ||
	fail "no outcome of a decision that used a recommendation"
# The A/B evidence, over ten windows of collaboration (a window is about one phase
# of the workload, and in a phase whose best batch is near 32 the default wins):
# the model's arm is better.
collab_from=$(grep -c ',kernel,,,window,' /mlfs/demo/feedback)
mean_of() {
	grep ",kernel,,$1,throughput_mean," /mlfs/demo/feedback | tail -n 10 | cut -d, -f6 |
		awk '{ s += $1; n++ } END { if (n == 10) printf "%d", s / n }'
}
wait_for "ten windows in collaboration" \
	'[ "$(grep -c ",kernel,,,window," /mlfs/demo/feedback)" -ge $((collab_from + 10)) ]'
ml=$(mean_of ml)
def=$(mean_of default)
echo "collaboration: ML arm throughput $ml, default arm $def"
# A daemon built with AddressSanitizer (CI's second run) answers several times slower
# under qemu's emulation, and late recommendations lose windows: there both arms must
# have decided, and the margin is the plain build's to show.
if grep -q __asan_init /usr/bin/mlfs; then
	echo "collaboration: a sanitized daemon, both arms measured; the margin is not judged"
	[ -n "$ml" ] && [ -n "$def" ] || fail "an arm without ten windows' means"
else
	[ "$ml" -gt "$def" ] || fail "the model's arm ($ml) does not beat the default's ($def)"
fi

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
wait_for "the daemon gone after umount" '! pidof mlfs >/dev/null'

# The device itself: one opener at a time; a malformed write is refused whole.
exec 3<>/dev/mlproxy
if (exec 4<>/dev/mlproxy) 2>/dev/null; then
	fail "a second open of /dev/mlproxy succeeded"
fi
mode=$(cat /sys/kernel/mlproxy/demo/mode)
if printf 'MLPX but not a record at all, just bytes' >&3 2>/dev/null; then
	fail "a malformed record was accepted"
fi
[ "$(cat /sys/kernel/mlproxy/demo/mode)" = "$mode" ] || fail "a refused write changed the mode"
exec 3>&-

rmmod mlproxy_demo
rmmod mlproxy
[ ! -e /dev/mlproxy ] || fail "/dev/mlproxy is still there after rmmod"
echo "mlproxy loop passed under $(uname -r)"
