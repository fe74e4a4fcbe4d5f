#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Who may do what. Only root sees the tree, even with -o allow_other; with
# -o group=G as well, G's members read the datasets, status, recommendations and
# the rest, and change nothing: no mode, model, control verb, row or subsystem.
# Tested with a real unprivileged user, made here and removed at the end. The
# database and its directory are root's alone, and the daemon keeps no
# capability but CAP_SYS_ADMIN, permitted and not effective, to unmount with.
source "$(dirname "$0")/lib.sh"

for tool in useradd userdel groupadd groupdel setpriv; do
	command -v "$tool" >/dev/null || skip "$tool is missing (Debian packages passwd, util-linux)"
done
user=mlfs-t$$
groupadd "$user" || fail "groupadd $user"
# userdel may take the group with the user (USERGROUPS_ENAB): then it is gone already.
on_cleanup sh -c 'if getent group "$1" >/dev/null; then groupdel "$1"; fi' - "$user"
useradd -M -N -g "$user" -s /usr/sbin/nologin "$user" || fail "useradd $user"
on_cleanup userdel "$user"
member=(setpriv --reuid="$user" --regid="$user" --init-groups)
stranger=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# The mount point lies in the test's directory: others must get as far as the mount.
chmod 755 "$T"

# ---- root only, by default and with allow_other alone ----
mlfs_start
mkdir "$MNT/web"
printf 'conns,target\n12,1\n40,0\n30,1\n' >"$MNT/web/dataset"
seq 1 12 | awk '{ print $1 "," $1 % 2 }' >>"$MNT/web/dataset"
expect_fail "Permission denied" "${member[@]}" ls "$MNT"
mlfs_stop
mlfs_start -o allow_other
expect_fail "Permission denied" "${member[@]}" ls "$MNT"
expect_fail "Permission denied" "${stranger[@]}" cat "$MNT/web/status"
mlfs_stop

# ---- allow_other and a group: its members read ----
mlfs_start -o allow_other -o group="$user"
check_eq "$("${member[@]}" ls "$MNT" | head -1)" datasets "ls by a member"
check_eq "$("${member[@]}" tail -n 1 "$MNT/web/dataset")" 12,0 "dataset read by a member"
check_eq "$("${member[@]}" tail -n 1 "$MNT/datasets/web")" 12,0 "datasets/web read by a member"
check_match "$("${member[@]}" cat "$MNT/web/status")" 'rows: 15' "status read by a member"
check_match "$("${member[@]}" cat "$MNT/web/recommendation")" '^none' \
	"recommendation read by a member"
check_eq "$("${member[@]}" cat "$MNT/web/mode")" learning "mode read by a member"
# ... and change nothing.
expect_fail "Permission denied" "${member[@]}" bash -c "echo emergency > $MNT/web/mode"
expect_fail "Permission denied" "${member[@]}" bash -c "echo train > $MNT/web/control"
expect_fail "Permission denied" "${member[@]}" bash -c "echo 5,1 >> $MNT/web/dataset"
expect_fail "Permission denied" "${member[@]}" bash -c "echo x > $MNT/web/model"
expect_fail "Permission denied" "${member[@]}" bash -c "echo arm=ml >> $MNT/web/feedback"
expect_fail "Permission denied" "${member[@]}" mkdir "$MNT/theirs"
expect_fail "Permission denied" "${member[@]}" rmdir "$MNT/web"
# A query writes: members ask nothing of the model.
expect_fail "Permission denied" "${member[@]}" python3 -c \
	"import os; os.open('$MNT/web/recommendation', os.O_RDWR)"
# Others still see nothing.
expect_fail "Permission denied" "${stranger[@]}" ls "$MNT"
check_eq "$(cat "$MNT/web/mode")" learning "mode after the refused writes"
check_eq "$(status_of web rows)" 15 "rows after the refused writes"
[[ ! -e $MNT/theirs ]] || bad "a member made a subsystem"

# ---- the database is root's, and the daemon's capabilities are gone ----
check_eq "$(stat -c '%a %U' "$T/db")" "700 root" "the database's directory"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	check_eq "$(stat -c '%a %U' "$f")" "600 root" "${f##*/}"
done
# Every thread's: capabilities belong to threads.
for status in /proc/"$MLFS_PID"/task/*/status; do
	check_eq "$(awk '$1 == "CapEff:" { print $2 }' "$status")" 0000000000000000 \
		"effective capabilities of thread ${status%/status}"
	# CAP_SYS_ADMIN is capability 21: permitted, to unmount at the end.
	check_eq "$(awk '$1 == "CapPrm:" { print $2 }' "$status")" 0000000000200000 \
		"permitted capabilities of thread ${status%/status}"
	check_eq "$(awk '$1 == "CapBnd:" { print $2 }' "$status")" 0000000000000000 \
		"bounding set of thread ${status%/status}"
done
# Serving needs none of them: rows, a mode, a model, and the unmount on SIGTERM.
printf '20,0\n' >>"$MNT/web/dataset"
echo collaboration >"$MNT/web/mode"
echo 'train classify' >"$MNT/web/control"
wait_for "web's model" '[ "$(status_of web model_version)" = 1 ]' 60
check_eq "$(status_of web rows)" 16 "rows written by root"
kill -TERM "$MLFS_PID"
wait_exit "$MLFS_PID" || bad "mlfs still runs after SIGTERM"
mountpoint -q "$MNT" && bad "still mounted after SIGTERM"
wait "$MLFS_PID" || bad "mlfs exited with status $? after SIGTERM"

# ---- a container without CAP_SETPCAP: the bounding set stays, and the log says so ----
log_mark
setpriv --bounding-set=-setpcap "$MLFS" "$MNT" -f -o "db=$DB" 2>>"$LOG" &
MLFS_PID=$!
STARTED_PIDS+=("$MLFS_PID")
wait_for "the mount without CAP_SETPCAP" 'mountpoint -q "$MNT"' 10
check_eq "$(log_since_mark | grep -c 'not from the bounding set: no CAP_SETPCAP')" 1 \
	"the log line of a bounding set kept"
check_eq "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$MLFS_PID/status")" 0000000000000000 \
	"effective capabilities without CAP_SETPCAP"
mlfs_stop

exit $((FAILED > 0))
