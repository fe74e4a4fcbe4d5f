#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# mlfs.service's start, without systemd: its ExecStart= (this test's mount point and
# database in place of /mlfs and the default's) under its CapabilityBoundingSet= and
# NoNewPrivileges=. The command returns once the tree is mounted (Type=forking:
# units ordered after mlfs.service find /mlfs there), the eBPF collectors load with
# those capabilities, the daemon keeps none, and the tree works. Then, where strace
# is installed, every system call the daemon makes doing it is one its
# SystemCallFilter= allows.
source "$(dirname "$0")/lib.sh"

unit=${MLFS_UNIT:?MLFS_UNIT must name the built mlfs.service (meson sets it)}
command -v setpriv >/dev/null || skip "setpriv is missing (Debian package util-linux)"
command -v svm-train >/dev/null || skip "svm-train is missing (Debian package libsvm-tools)"

unit_value() {
	sed -n "s/^$1=//p" "$unit"
}
check_eq "$(unit_value Type)" forking "the unit's Type="

# ExecStart= as this test runs it.
read -ra exec_start <<<"$(unit_value ExecStart)"
argv=("$MLFS")
for a in "${exec_start[@]:1}"; do
	case $a in
	/mlfs) argv+=("$MNT") ;;
	db=*) argv+=("db=$DB") ;;
	'$MLFS_OPTIONS') ;;
	*) argv+=("$a") ;;
	esac
done
[[ ${argv[*]} == *"$MNT"*"db=$DB"* ]] || fail "unexpected ExecStart= in $unit: ${exec_start[*]}"
# The collectors, where this machine can run them: they need CAP_BPF and CAP_PERFMON.
collectors=no
if [[ -r /sys/kernel/btf/vmlinux ]] && ! "$MLFS" --help | grep -q 'not built'; then
	argv+=(-o collectors=blk)
	collectors=yes
fi

bounding=-all
for c in $(unit_value CapabilityBoundingSet); do
	c=${c#CAP_}
	bounding+=",+${c,,}"
done
nnp=()
[[ $(unit_value NoNewPrivileges) == yes ]] && nnp=(--no-new-privs)
as_the_unit=(setpriv --inh-caps=-all --bounding-set="$bounding" "${nnp[@]}")

# What a user does with the tree, the same in both runs.
use_the_tree() {
	cd "$MNT"
	mkdir web
	awk 'BEGIN { srand(3); print "conns,p99_us,target"
		for (i = 0; i < 60; i++) { c = int(rand() * 100); p = int(rand() * 1000)
			print c "," p "," (c * 10 > p ? 1 : 0) } }' >web/dataset
	check_eq "$(tail -n +2 web/dataset | count_lines)" 60 "rows read back"
	echo collaboration >web/mode
	echo 'throughput,812.5' >web/feedback
	echo train >web/control
	wait_for "training done" '[[ $(status_of web training) == done ]]'
	check_eq "$(status_of web model_version)" 1 "model_version after training"
	check_match "$(exec 3<>web/recommendation; echo 90,100 >&3; cat <&3)" '^[01]$' \
		"a query's answer"
	if [[ $collectors == yes ]]; then
		check_eq "$(status_of blk collector)" running "the blk collector"
	fi
	cd "$T"
}

# The daemon: the one process that holds the database open.
daemon_pid() {
	pids_holding "$DB" | head -n 1
}

# ---- as the unit starts it ----
rc=0
"${as_the_unit[@]}" "${argv[@]}" 2>>"$LOG" || rc=$?
check_eq "$rc" 0 "exit status of the start command"
mountpoint -q "$MNT" || fail "the start command returned before $MNT was mounted: $(cat "$LOG")"
pid=$(daemon_pid)
[[ -n $pid ]] || fail "no daemon holds $DB"
STARTED_PIDS+=("$pid")
# As from a full set (test_access.sh): CAP_SYS_ADMIN (21) permitted, to unmount.
check_eq "$(grep '^CapEff' "/proc/$pid/status" | tr -d '\t')" CapEff:0000000000000000 \
	"the daemon's effective capabilities"
check_eq "$(grep '^CapPrm' "/proc/$pid/status" | tr -d '\t')" CapPrm:0000000000200000 \
	"the daemon's permitted capabilities"
check_eq "$(grep '^CapBnd' "/proc/$pid/status" | tr -d '\t')" CapBnd:0000000000000000 \
	"the daemon's bounding set"
use_the_tree
umount "$MNT"
wait_exit "$pid" 10 || fail "mlfs still running 10 s after umount"

# ---- the same under strace: the system calls it makes ----
if ! command -v strace >/dev/null; then
	echo "strace is missing (Debian package strace): SystemCallFilter= not checked" >&2
	exit $((FAILED > 0))
fi
# A sanitizer's runtime makes system calls of its own, which no installed mlfs makes.
if [[ -n ${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-} ]]; then
	echo "a sanitizer build (ASAN_OPTIONS, UBSAN_OPTIONS): SystemCallFilter= not checked" >&2
	exit $((FAILED > 0))
fi
rm -rf "${DB%/*}"
"${as_the_unit[@]}" strace -f -qq -o "$T/trace" "${argv[@]}" 2>>"$LOG" &
STARTED_PIDS+=("$!")
wait_for "mounted under strace" 'mountpoint -q "$MNT"' 30 || fail "$(cat "$LOG")"
use_the_tree
umount "$MNT"
wait_exit "$!" 30 || fail "strace and mlfs still running 30 s after umount"

# The unit's filter, its @groups expanded as this systemd defines them; its socket
# families; and MemoryDenyWriteExecute=: no mapping both writable and executable.
"$PYTHON" - "$T/trace" "$(unit_value RestrictAddressFamilies)" "$(unit_value MemoryDenyWriteExecute)" \
	$(unit_value SystemCallFilter) <<'PY' || bad "the unit's sandbox"
import re, subprocess, sys
groups, current = {}, None
for line in subprocess.run(['systemd-analyze', 'syscall-filter'], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    if line.startswith('@'):
        current = groups.setdefault(line.strip(), [])
    elif current is not None and line.strip() and not line.strip().startswith('#'):
        current.append(line.strip())
def expand(name, seen):
    if not name.startswith('@'):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    return set().union(*(expand(n, seen) for n in groups[name]))
allowed = set().union(*(expand(n, set()) for n in sys.argv[4:]))
families = set(sys.argv[2].split())
used, used_families, wx = set(), set(), []
for line in open(sys.argv[1]):
    m = re.match(r'\d+\s+([a-z0-9_]+)\((.*)', line)
    if not m:
        continue
    used.add(m.group(1))
    if m.group(1) == 'socket':
        used_families.add(m.group(2).split(',')[0])
    if m.group(1) in ('mmap', 'mprotect', 'pkey_mprotect') and \
            'PROT_WRITE' in m.group(2) and 'PROT_EXEC' in m.group(2):
        wx.append(line.strip())
failures = []
if not used:
    failures.append('no system calls in the trace')
refused = sorted(used - allowed)
if refused:
    failures.append('the daemon calls %s, which SystemCallFilter= does not allow'
                    % ', '.join(refused))
if families and used_families - families:
    failures.append('the daemon opens sockets of %s, which RestrictAddressFamilies= refuses'
                    % ', '.join(sorted(used_families - families)))
if sys.argv[3] == 'yes' and wx:
    failures.append('writable and executable memory, which MemoryDenyWriteExecute= refuses: %s'
                    % wx[0])
if failures:
    sys.exit('; '.join(failures))
print('%d system calls, all allowed; sockets: %s' % (len(used), ' '.join(sorted(used_families))))
PY

exit $((FAILED > 0))
