#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Starting and stopping mlfs the ways a user does: mlfs DIR in the foreground and as
# a daemon, mount -t fuse and an fstab line (with mlfs installed in /usr/local/bin),
# umount, fusermount3 -u and SIGTERM; and every start that must be refused with one
# clear line: bad options, a database that cannot be opened, one already in use.
source "$(dirname "$0")/lib.sh"

M2=$T/mnt2
mkdir "$M2"

# expect_start_refused TEXT ARG...: mlfs ARG... exits non-zero at once, mounts nothing,
# and says why in exactly one line on stderr, "mlfs: ..." containing TEXT.
expect_start_refused() {
	local text=$1 rc=0 err
	shift
	timeout 10 "$MLFS" "$@" 2>"$T/start.err" >/dev/null || rc=$?
	err=$(cat "$T/start.err")
	if [[ $rc -eq 0 || $rc -eq 124 ]]; then
		bad "mlfs $*: exit status $rc, want a failure"
	fi
	if mountpoint -q "$M2"; then
		bad "mlfs $*: mounted $M2 though it failed"
		umount "$M2"
	fi
	[[ $(grep -c '' "$T/start.err") -eq 1 ]] || bad "mlfs $*: want one line on stderr, got [$err]"
	[[ $err == "mlfs: "* ]] || bad "mlfs $*: message lacks the \"mlfs: \" prefix: [$err]"
	[[ $err == *"$text"* ]] || bad "mlfs $*: message [$err] does not say \"$text\""
}

# ---- --version and --help ----
version=$("$MLFS" --version) || bad "mlfs --version failed"
if [[ -n ${MLFS_VERSION:-} ]]; then
	check_eq "$(head -n 1 <<<"$version")" "mlfs $MLFS_VERSION" "first line of mlfs --version"
else
	check_match "$(head -n 1 <<<"$version")" '^mlfs [0-9]+\.[0-9]+' "mlfs --version"
fi
check_match "$version" '^FUSE library [0-9]' "mlfs --version names the FUSE library"
check_match "$version" '^SQLite [0-9]' "mlfs --version names SQLite"
help=$("$MLFS" --help) || bad "mlfs --help failed"
for word in 'usage:' 'MOUNTPOINT' 'db=PATH' 'rows_max=N' 'queue_rows=N' 'mount -t fuse mlfs'; do
	[[ $help == *"$word"* ]] || bad "mlfs --help does not mention \"$word\""
done
check_eq "$("$MLFS" -h | head -n 1)" "$(head -n 1 <<<"$help")" "mlfs -h is mlfs --help"

# ---- starts that must be refused, before anything is mounted ----
expect_start_refused "no mount point" -f -o "db=$T/x.db"
expect_start_refused "rows_max=0" "$M2" -f -o "db=$T/x.db" -o rows_max=0
expect_start_refused "rows_max=ten" "$M2" -f -o "db=$T/x.db" -o rows_max=ten
expect_start_refused "queue_rows=-1" "$M2" -f -o "db=$T/x.db" -o queue_rows=-1
# A database path that cannot be opened: a directory, a path through a file, not SQLite.
expect_start_refused "$T: cannot open database: Is a directory" "$M2" -f -o "db=$T"
: >"$T/plain"
expect_start_refused "Not a directory" "$M2" -f -o "db=$T/plain/x.db"
head -c 8192 /dev/urandom >"$T/random.db"
expect_start_refused "not a usable SQLite database" "$M2" -f -o "db=$T/random.db"
sqlite3 "$T/future.db" 'PRAGMA user_version = 9999'
expect_start_refused "newer than this mlfs supports" "$M2" -f -o "db=$T/future.db"
[[ ! -e $T/x.db ]] || bad "a refused start created its database $T/x.db"

# ---- mlfs DIR -f: the database's missing directory is created ----
[[ ! -e $T/db ]] || fail "setup: $T/db exists"
mlfs_start
[[ -f $DB ]] || bad "mlfs did not create its database $DB (and its directory)"
check_eq "$(findmnt -n -o FSTYPE,SOURCE "$MNT" | tr -s ' ')" "fuse.mlfs mlfs" \
	"findmnt type and source of the mount"
check_eq "$(ls "$MNT" | tr '\n' ' ')" "datasets feedback metrics models modes recommendations " \
	"ls of a new tree"
mkdir "$MNT/blk"
printf 'x,target\n1,2\n' >>"$MNT/blk/dataset"

# A second daemon on the same database is refused; the first one goes on serving.
expect_start_refused "in use" "$M2" -f -o "db=$DB"
check_eq "$(cat "$MNT/blk/dataset")" $'x,target\n1,2' "dataset of the first daemon"
mlfs_stop
foreground_log=$(cat "$LOG")

# ---- fusermount3 -u stops it as cleanly as umount ----
mlfs_start
fusermount3 -u "$MNT"
wait_exit "$MLFS_PID" 10 || fail "mlfs still running 10 s after fusermount3 -u"
rc=0
wait "$MLFS_PID" || rc=$?
check_eq "$rc" 0 "exit status of mlfs after fusermount3 -u"
! mountpoint -q "$MNT" || bad "$MNT still mounted after fusermount3 -u"

# ---- SIGTERM (systemctl stop) unmounts, and what was written is kept ----
mlfs_start
printf '3,4\n' >>"$MNT/blk/dataset"
kill -TERM "$MLFS_PID"
wait_exit "$MLFS_PID" 10 || fail "mlfs still running 10 s after SIGTERM"
wait "$MLFS_PID" || true
! mountpoint -q "$MNT" || bad "$MNT still mounted after SIGTERM"

# ---- -d: debug output, in the foreground ----
mlfs_start -d
check_eq "$(cat "$MNT/blk/dataset")" $'x,target\n1,2\n3,4' "dataset after SIGTERM and restart"
grep -q 'unique:' "$LOG" || bad "mlfs -d printed no FUSE requests"
mlfs_stop

# ---- mlfs DIR: a daemon; a relative db= is the caller's, not the daemon's cwd ----
(cd "$T" && "$MLFS" mnt2 -o db=rel.db) || bad "mlfs mnt2 -o db=rel.db failed"
if ! mountpoint -q "$M2"; then
	fail "mlfs DIR did not leave DIR mounted"
fi
[[ -f $T/rel.db ]] || bad "relative db=rel.db is not $T/rel.db"
daemon=$(pids_holding "$T/rel.db")
[[ -n $daemon ]] || fail "no process holds $T/rel.db: where is the daemon?"
STARTED_PIDS+=($daemon)
mkdir "$M2/bg"
check_eq "$(cat "$M2/bg/mode")" learning "mode of a subsystem made on a daemonised mlfs"
umount "$M2"
wait_released "$T/rel.db" || bad "the daemon still runs 10 s after umount"

# ---- mount -t fuse and fstab: only an installed mlfs is found (mount sanitises PATH) ----
installed=/usr/local/bin/mlfs
# The same program, byte for byte: an older mlfs would not open this build's databases.
if [[ -x $installed ]] && cmp -s "$installed" "$MLFS"; then
	mount -t fuse mlfs "$MNT" -o "db=$DB" || bad "mount -t fuse mlfs $MNT -o db=$DB failed"
	mountpoint -q "$MNT" || fail "mount -t fuse mlfs did not mount $MNT"
	STARTED_PIDS+=($(pids_holding "$DB"))
	check_eq "$(findmnt -n -o FSTYPE,SOURCE "$MNT" | tr -s ' ')" "fuse.mlfs mlfs" \
		"findmnt after mount -t fuse"
	check_eq "$(ls "$MNT" | tr '\n' ' ')" "blk datasets feedback metrics models modes recommendations " \
		"ls after mount -t fuse"
	printf '5,6\n' >>"$MNT/blk/dataset"
	umount "$MNT"
	wait_released "$DB" || bad "mlfs still runs 10 s after umount of mount -t fuse"

	echo "mlfs $MNT fuse db=$DB 0 0" >"$T/fstab"
	mount -T "$T/fstab" "$MNT" || bad "mount -T fstab with \"mlfs $MNT fuse db=$DB 0 0\" failed"
	mountpoint -q "$MNT" || fail "the fstab line did not mount $MNT"
	STARTED_PIDS+=($(pids_holding "$DB"))
	check_eq "$(tail -n 1 "$MNT/blk/dataset")" 5,6 "row written through mount -t fuse"
	fusermount3 -u "$MNT"
	wait_released "$DB" || bad "mlfs still runs 10 s after fusermount3 -u of an fstab mount"
else
	echo "NOTE: $installed is missing or not this build (ninja -C build install):" \
		"mount -t fuse and fstab not checked" >&2
fi

# ---- what a foreground mlfs printed: only its own lines, each "mlfs: ..." ----
while IFS= read -r line; do
	[[ $line == "mlfs: "* ]] || bad "mlfs -f printed a line without the \"mlfs: \" prefix: [$line]"
done <<<"$foreground_log"
