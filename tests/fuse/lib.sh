# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# What every test that mounts a real mlfs tree shares; sourced, never run. It skips
# (exit 77) where the machine cannot mount FUSE, gives each test a private directory
# with a mount point and a database (so tests run in parallel), starts and stops the
# daemon, and always unmounts and cleans up, whatever way the test ends.
#
# A test reads like the commands a user types; the helpers add the checks:
#   mlfs_start [OPTION...]      mlfs -f on $MNT with $DB, its stderr in $LOG
#   mlfs_stop                   umount; the daemon must exit, with status 0
#   expect_fail TEXT CMD...     CMD fails and its message says TEXT ("Invalid argument")
#   expect_errno WANT CMD...    CMD (a py_* helper) prints WANT ("ok", "write EINVAL")
#   log_mark, log_expect_one RE since the mark, the log gained one line, matching RE
#   expect_refused TEXT RE CMD  expect_fail TEXT CMD, and one log line matching RE
#   check_eq GOT WANT WHAT      equality, both values shown when it fails
#   on_cleanup CMD...           run CMD at the end, whatever way the test ends (losetup -d)
# A failed check is reported and the test goes on, so one run shows every failure;
# the test then exits 1. fail() stops the test at once, for a setup that went wrong.

set -euo pipefail

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

FAILED=0
bad() {
	echo "FAIL: $*" >&2
	FAILED=$((FAILED + 1))
}

[[ $EUID -eq 0 ]] || skip "needs root to mount a FUSE filesystem"
[[ -c /dev/fuse ]] || skip "/dev/fuse is missing"
command -v fusermount3 >/dev/null || skip "fusermount3 is missing (Debian package fuse3)"
command -v python3 >/dev/null || skip "python3 is missing"
# The interpreter itself, not a wrapper such as pyenv's shim: py_write runs often.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
command -v sqlite3 >/dev/null || skip "sqlite3 is missing (Debian package sqlite3)"
[[ -n ${MLFS:-} && -x ${MLFS:-} ]] || fail "MLFS must name the mlfs executable (meson sets it)"

T=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-test.XXXXXX")
MNT=$T/mnt
DB=$T/db/mlfs.db # $T/db does not exist yet: mlfs creates it
LOG=$T/mlfs.log
MLFS_PID=
LOG_MARK=0
mkdir "$MNT"
: >"$LOG"

# Every daemon a test started in the background, for the cleanup.
STARTED_PIDS=()

# What a test set up outside its directory (a loop device), undone last, newest first.
CLEANUP_CMDS=()
on_cleanup() {
	CLEANUP_CMDS+=("$(printf '%q ' "$@")")
}

# True while process $1 exists and has not exited (a zombie has exited).
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $state != Z ]]
}

# wait_exit PID [SECONDS]: wait up to SECONDS (10) for PID to exit.
wait_exit() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		alive "$1" || return 0
		sleep 0.05
	done
	return 1
}

# Pids of the processes holding FILE open: finds a daemon that went to the background.
pids_holding() {
	# Processes come and go while find looks: its complaints about them are no failure.
	{ find /proc/[0-9]*/fd -maxdepth 1 -lname "$(realpath -m "$1")" 2>/dev/null || true; } |
		cut -d/ -f3 | sort -u
}

# wait_released FILE: up to 10 s until no process holds FILE (a daemon has exited).
wait_released() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -z $(pids_holding "$1") ]] && return 0
		sleep 0.05
	done
	return 1
}

cleanup() {
	local rc=$? m pid
	trap - EXIT
	cd /
	# Descriptors a test left open in the tree would keep it busy.
	exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	((rc == 0 && FAILED > 0)) && rc=1
	((FAILED > 0)) && echo "$FAILED check(s) failed" >&2
	# Every mount under this test's directory, innermost first: never leave one behind.
	while read -r m; do
		timeout 10 umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			fusermount3 -uz "$m" 2>/dev/null || true
	done < <(findmnt -rn -o TARGET | grep -F "$T/" | sort -r)
	for pid in "${STARTED_PIDS[@]}" $(pids_holding "$DB"); do
		if alive "$pid" && ! wait_exit "$pid" 5; then
			echo "mlfs (pid $pid) did not exit after umount; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for ((m = ${#CLEANUP_CMDS[@]} - 1; m >= 0; m--)); do
		eval "${CLEANUP_CMDS[m]}" || echo "cleanup: ${CLEANUP_CMDS[m]} failed" >&2
	done
	if ((rc != 0 && rc != 77)) && [[ -s $LOG ]]; then
		echo "--- last lines of the mlfs log ---" >&2
		tail -n 30 "$LOG" | cut -c 1-300 >&2
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
# A test killed by meson's timeout still unmounts.
trap 'exit 143' TERM INT HUP

check_eq() {
	[[ $1 == "$2" ]] || bad "$3: got [$1], want [$2]"
}

# check_match TEXT ERE WHAT
check_match() {
	grep -Eq -- "$2" <<<"$1" || bad "$3: [$1] does not match /$2/"
}

# mlfs_start [OPTION...]: the daemon in the foreground of a background job.
mlfs_start() {
	local i
	"$MLFS" "$MNT" -f -o "db=$DB" "$@" 2>>"$LOG" &
	MLFS_PID=$!
	STARTED_PIDS+=("$MLFS_PID")
	for ((i = 0; i < 200; i++)); do
		# statfs goes to the daemon: a dead daemon's mount is a mount point too.
		mountpoint -q "$MNT" && stat -f "$MNT" >/dev/null 2>&1 && return 0
		alive "$MLFS_PID" || fail "mlfs exited instead of mounting $MNT: $(cat "$LOG")"
		sleep 0.025
	done
	fail "mlfs did not mount $MNT within 5 s"
}

# mlfs_stop: unmount like a user; the daemon exits with status 0, nothing stays mounted.
# A shell inside the tree would keep it busy: it moves to $T first.
mlfs_stop() {
	local rc=0
	[[ $PWD/ != "$MNT"/* ]] || cd "$T"
	umount "$MNT"
	wait_exit "$MLFS_PID" 10 || fail "mlfs still running 10 s after umount"
	wait "$MLFS_PID" || rc=$?
	check_eq "$rc" 0 "exit status of mlfs after umount"
	! mountpoint -q "$MNT" || fail "$MNT still mounted after umount"
	MLFS_PID=
}

# wait_for WHAT CONDITION [SECONDS]: poll the shell CONDITION, evaluated anew each time,
# until it holds; a failed check after SECONDS (60).
wait_for() {
	local i
	for ((i = 0; i < ${3:-60} * 50; i++)); do
		eval "$2" && return 0
		sleep 0.02
	done
	bad "$1: not within ${3:-60} s"
	return 1
}

# expect_fail TEXT CMD...: CMD fails, and its message says TEXT (the errno's strerror).
expect_fail() {
	local text=$1 out
	shift
	if out=$("$@" 2>&1); then
		bad "succeeded, should fail with \"$text\": $*"
	elif [[ $out != *"$text"* ]]; then
		bad "should fail with \"$text\": $*; said: $out"
	fi
	return 0
}

log_mark() {
	LOG_MARK=$(wc -l <"$LOG")
}

# The log lines written since log_mark.
log_since_mark() {
	tail -n "+$((LOG_MARK + 1))" "$LOG"
}

# log_expect_one ERE [WHAT]: since log_mark, one line was logged, "mlfs: ..." matching ERE.
# Daemon lines are written before the failing call returns, so there is nothing to wait for.
log_expect_one() {
	local lines n
	lines=$(log_since_mark)
	n=$(grep -c '' <<<"$lines" || true)
	[[ -n $lines ]] || n=0
	if [[ $n -ne 1 ]]; then
		bad "${2:-log}: want one log line matching /$1/, got $n: [$lines]"
	elif [[ $lines != "mlfs: "* ]]; then
		bad "${2:-log}: log line lacks the \"mlfs: \" prefix: [$lines]"
	elif ! grep -Eq -- "$1" <<<"$lines"; then
		bad "${2:-log}: log line [$lines] does not match /$1/"
	fi
	log_mark
}

# expect_refused TEXT ERE CMD...: CMD fails saying TEXT, and the daemon logs one line (ERE).
expect_refused() {
	local text=$1 re=$2
	shift 2
	log_mark
	expect_fail "$text" "$@"
	log_expect_one "$re" "$*"
}

# ---- exact system calls, where a shell hides which call failed or its errno ----

# py_write PATH DATA...: open PATH to append, write each DATA with one write(2) (Python
# escapes such as \n and \x00 are decoded), close. Prints "ok" or "<call> <ERRNO>" for
# the first call that failed: "open EACCES", "write EINVAL", "close EINVAL".
py_write() {
	"$PYTHON" -S - "$@" <<'EOF'
import errno, os, sys
def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))
def close_quietly(fd):
    try:
        os.close(fd)
    except OSError:
        pass
path = sys.argv[1]
chunks = [c.encode().decode('unicode_escape').encode('latin-1') for c in sys.argv[2:]]
try:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
except OSError as e:
    sys.exit(print('open', name(e)))
for c in chunks:
    try:
        n = os.write(fd, c)
    except OSError as e:
        close_quietly(fd)
        sys.exit(print('write', name(e)))
    if n != len(c):
        close_quietly(fd)
        sys.exit(print('write short %d of %d' % (n, len(c))))
try:
    os.close(fd)
except OSError as e:
    sys.exit(print('close', name(e)))
print('ok')
EOF
}

# expect_errno WANT CMD...: the py_* command CMD prints WANT.
expect_errno() {
	local want=$1 got
	shift
	got=$("$@")
	[[ $got == "$want" ]] || bad "$1 ${2#"$MNT"/} $(printf '%q ' "${@:3}" | cut -c 1-60): got \"$got\", want \"$want\""
	return 0
}

# expect_write_refused ERRNO ERE FILE DATA...: py_write FILE DATA... fails at write(2)
# with ERRNO, and the daemon logs exactly one line matching ERE.
expect_write_refused() {
	local errno=$1 re=$2 got what
	shift 2
	what="write $(printf '%q' "${*:2}" | cut -c 1-60) to ${1#"$MNT"/}"
	log_mark
	got=$(py_write "$@")
	[[ $got == "write $errno" ]] || bad "$what: got \"$got\", want \"write $errno\""
	log_expect_one "$re" "$what"
}

# status_of SUBSYS KEY: the value of KEY in $MNT/SUBSYS/status.
status_of() {
	awk -v k="$2:" '$1 == k { sub(/^[^:]*: ?/, ""); print; found = 1 } END { exit !found }' \
		"$MNT/$1/status" || bad "no \"$2\" in $MNT/$1/status"
}

# Lines of text (a count), for row counts: `count_lines < file`.
count_lines() {
	wc -l | tr -d ' '
}

# An ISO-8601 UTC time as the tree shows it: 2026-11-22T00:49:30.123456Z.
ISO_TIME='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# Now, to the second, in the tree's format (compare as strings with a time's first 19 bytes).
now_utc() {
	date -u +%Y-%m-%dT%H:%M:%S
}
