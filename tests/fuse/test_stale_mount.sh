#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# A daemon killed with SIGKILL leaves its mount: every access says "Transport endpoint
# is not connected". The next mlfs on that mount point detaches it, says so in one
# log line, and mounts; the rows are there. A dead FUSE mount that is not mlfs's is
# left alone: mlfs refuses to start, and its message says how to clear it.
source "$(dirname "$0")/lib.sh"

mlfs_start
mkdir "$MNT/s"
printf 'a,target\n1,2\n3,4\n' >"$MNT/s/dataset"
kill -KILL "$MLFS_PID"
wait "$MLFS_PID" 2>/dev/null || true
expect_fail "Transport endpoint is not connected" ls "$MNT"
check_match "$(findmnt -rn -o FSTYPE "$MNT")" '^fuse\.mlfs$' "the dead daemon's mount"

log_mark
mlfs_start
wait_for "the restart's log" 'log_since_mark | grep -q "mounted on $MNT"' 10
check_eq "$(log_since_mark | grep -cx "mlfs: $MNT: detached the mount of an mlfs that died without unmounting")" \
	1 "log lines about the dead mount"
check_eq "$(cat "$MNT/s/dataset")" $'a,target\n1,2\n3,4' "rows after the restart"
check_eq "$(findmnt -rn -o TARGET "$MNT" | wc -l)" 1 "mounts on $MNT after the restart"
mlfs_stop

# A dead FUSE mount of another file system: /dev/fuse opened, mounted, and closed.
"$PYTHON" -S - "$MNT" <<'PY' || fail "cannot make a dead FUSE mount of type fuse.other"
import ctypes, os, sys
fd = os.open('/dev/fuse', os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = ('fd=%d,rootmode=40000,user_id=0,group_id=0' % fd).encode()
if libc.mount(b'other', sys.argv[1].encode(), b'fuse.other', 0, opts) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
os.close(fd)
PY
expect_fail "Transport endpoint is not connected" ls "$MNT"
rc=0
out=$("$MLFS" "$MNT" -f -o "db=$DB" 2>&1) || rc=$?
check_eq "$rc" 1 "exit status of mlfs on another file system's dead mount"
check_eq "$out" "mlfs: $MNT: a dead mount of type fuse.other, not mlfs's, is in the way; clear it with 'umount -l $MNT'" \
	"message on another file system's dead mount"
check_match "$(findmnt -rn -o FSTYPE "$MNT")" '^fuse\.other$' "the other mount, left alone"
umount -l "$MNT"
