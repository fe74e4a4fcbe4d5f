#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# What stops a collector: an unknown name stops mlfs at the start, saying which;
# a daemon without the privilege to load BPF (root, every capability dropped) says
# so once per collector and serves the tree without them.
source "$(dirname "$0")/lib.sh"

expect_fail 'unknown collector "nope" (known: blk, readahead)' \
	"$MLFS" "$MNT" -f -o "db=$DB,collectors=nope"
expect_fail 'an empty collector name' "$MLFS" "$MNT" -f -o "db=$DB,collectors="
! mountpoint -q "$MNT" || fail "mounted despite an unknown collector"

command -v setpriv >/dev/null || skip "setpriv is missing (Debian package util-linux)"

# mount_for FD_WORD MOUNTPOINT CMD... &: mount a FUSE tree on MOUNTPOINT, as root,
# then become CMD (the background job's pid), with FD_WORD replaced by the /dev/fuse
# descriptor it is to serve: the daemon itself needs no privilege at all to mount.
mount_for() {
	exec "$PYTHON" -S - "$@" <<'PY'
import ctypes, os, sys
word, mnt, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
fd = os.open('/dev/fuse', os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = 'fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions' % fd
if libc.mount(b'mlfs', mnt.encode(), b'fuse.mlfs', 0, opts.encode()) != 0:
    sys.exit('mount: ' + os.strerror(ctypes.get_errno()))
os.set_inheritable(fd, True)
os.execvp(argv[0], [a.replace(word, '/dev/fd/%d' % fd) for a in argv])
PY
}

# mlfs as root, but with every capability gone: no CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN.
mount_for @FUSE@ "$MNT" setpriv --inh-caps=-all --bounding-set=-all \
	"$MLFS" @FUSE@ -f -o "db=$DB,collectors=blk,readahead" 2>>"$LOG" &
MLFS_PID=$!
STARTED_PIDS+=("$MLFS_PID")
wait_for "mounted" 'mountpoint -q "$MNT"' 10 || fail "$(cat "$LOG")"
wait_for "the daemon has started its collectors" 'grep -q "readahead: eBPF collector" "$LOG"' 10
check_eq "$(grep '^CapEff' "/proc/$MLFS_PID/status" | tr -d '\t')" CapEff:0000000000000000 \
	"the daemon's capabilities"

# The tree works: a user's subsystem takes rows.
cd "$MNT"
mkdir web
printf 'conns,target\n3,1\n' >web/dataset
check_eq "$(cat web/dataset)" $'conns,target\n3,1' "dataset without collectors"
check_eq "$(ls | grep -cx 'blk\|readahead' || true)" 0 "no collector subsystems"

for c in blk readahead; do
	check_eq "$(grep -c "$c: eBPF collector" "$LOG")" 1 "log lines about $c"
	check_match "$(grep "$c: eBPF collector" "$LOG")" \
		"^mlfs: $c: eBPF collector (cannot load \(Operation not permitted\): not permitted: it needs CAP_BPF and CAP_PERFMON|not built into this mlfs).*; running without it$" \
		"why $c does not run"
done
mlfs_stop

exit $((FAILED > 0))
