#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# kill -9 during full-rate ingest, again and again (MLFS_CRASH_RUNS, 20 by default).
# Two writers append numbered rows through the tree (tests/fuse/row_writer.py), file
# after file, and a kernel source (mlproxy-standin, 32 samples a millisecond) feeds
# the demo subsystem; the daemon dies at a random moment once both write. After each
# kill, on the database as the dead daemon left it:
#   - PRAGMA integrity_check is ok;
#   - every row of every file whose close(2) returned is there: close waits for the
#     commit, so those rows were committed, whatever came after;
#   - of the file a writer still had open, the rows kept are its first ones, without
#     holes, and those lost (acknowledged by write(2) but not committed) are at most
#     2 x queue_rows: the queue, plus the transaction it handed to the writer;
#   - the kernel's samples that were sent and are neither stored nor counted as drops
#     are at most 2 x queue_rows plus what the socket held (KERNEL_SLACK, below);
#   - sequence numbers have no gaps in either table.
# Each run's rows are checked and then deleted, except the last run's (the database
# stays small). Then the daemon starts again on the mount point the dead one left ("Transport
# endpoint is not connected"), detaches it, and says so in one log line.
source "$(dirname "$0")/lib.sh"

[[ -n ${MLPROXY_STANDIN:-} && -x ${MLPROXY_STANDIN:-} ]] ||
	fail "MLPROXY_STANDIN must name the stand-in (meson sets it)"
RUNS=${MLFS_CRASH_RUNS:-20}
SEED=${MLFS_CRASH_SEED:-$$}
RANDOM=$SEED
QUEUE=2048
BOUND=$((2 * QUEUE))
# A SOCK_SEQPACKET socket holds up to its receive buffer (212992 bytes here) of
# messages of up to 64 records: at most 2,420 samples of 88 bytes; and the drops
# counted since the last commit are written with the next one.
KERNEL_SLACK=4096
WRITER=$(dirname "$0")/row_writer.py
SOCK=$T/mlproxy.sock
STATS=$T/standin.stats
echo "seed $SEED, $RUNS runs, queue_rows=$QUEUE" >&2

"$MLPROXY_STANDIN" --socket "$SOCK" --stats "$STATS" --interval-ms 1 --burst 32 \
	2>>"$T/standin.log" &
STARTED_PIDS+=($!)
for ((i = 0; i < 100; i++)); do [[ -S $SOCK ]] && break; sleep 0.02; done
[[ -S $SOCK ]] || fail "mlproxy-standin did not create $SOCK"

stat_of() {
	sed -n "s/^$1: //p" "$STATS"
}

# The table's rows, and whether its seq numbers are gapless: "COUNT MIN MAX".
seq_span() {
	if [[ -z $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE name = 'ds_$1'") ]]; then
		echo '0|0|0'
		return
	fi
	sqlite3 "$DB" "SELECT count(*), ifnull(min(seq), 0), ifnull(max(seq), 0) FROM \"ds_$1\""
}

check_seq() {
	local n lo hi
	read -r n lo hi < <(seq_span "$1" | tr '|' ' ')
	((n == 0 || hi - lo + 1 == n)) || bad "run $2: ds_$1 has $n rows with seq $lo..$hi: gaps"
}

# check_writers RUN IDS: every file of this run and the one before closed whole (those
# of the run before survived a restart too), open files a prefix, the loss of the
# writers IDS (this run's, comma-separated) within BOUND. Prints the rows they lost.
check_writers() {
	sqlite3 -separator ' ' "$DB" \
		'SELECT w, f, count(*), min(i), max(i) FROM ds_u GROUP BY w, f' >"$T/files"
	local journals=() j
	for j in "$T/journal.$(($1 - 1))0"? "$T/journal.${1}0"?; do
		[[ -e $j ]] && journals+=("$j")
	done
	"$PYTHON" -S - "$1" "$BOUND" "$T/files" "$2" "${journals[@]}" <<'EOF'
import sys
run, bound, files, current = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
journals = sys.argv[5:]
current = set(int(w) for w in current.split(','))
kept = {}
for line in open(files):
    w, f, n, lo, hi = map(int, line.split())
    kept[(w, f)] = (n, lo, hi)
lost = 0
for j in journals:
    w = int(j.rsplit('.', 1)[1])
    acked, closed = {}, set()
    for line in open(j):
        t = line.split()
        if t[0] == 'ack':
            acked[int(t[1])] = int(t[2])
        elif t[0] == 'closed':
            closed.add(int(t[1]))
    for f, n in acked.items():
        got, lo, hi = kept.get((w, f), (0, 0, 0))
        if got and (lo != 1 or hi != got):
            print('bad run %s: writer %d file %d: rows %d..%d, %d of them' % (run, w, f, lo, hi, got))
        if f in closed:
            if got != n:
                print('bad run %s: writer %d file %d closed with %d rows, %d kept' % (run, w, f, n, got))
        elif got > n:
            print('bad run %s: writer %d file %d: %d rows kept, %d acknowledged' % (run, w, f, got, n))
        elif w in current:
            lost += n - got
for (w, f) in kept:
    if not any(j.endswith('.%d' % w) for j in journals):
        print('bad run %s: rows of an unknown writer %d' % (run, w))
if lost > bound:
    print('bad run %s: %d acknowledged rows lost, more than %d' % (run, lost, bound))
print('lost %d' % lost)
EOF
}

sent_before=0 kept_before=0 drops_before=0
max_user_lost=0 max_kernel_lost=0 total_user_rows=0 total_user_lost=0 total_kernel_lost=0 kills=0
for ((run = 1; run <= RUNS; run++)); do
	log_mark
	mlfs_start -o "kdev=$SOCK" -o "queue_rows=$QUEUE"
	if ((run > 1)); then
		wait_for "run $run: the restart's log" 'log_since_mark | grep -q "mounted on $MNT"' 10
		n=$(log_since_mark | grep -c 'detached the mount of an mlfs that died' || true)
		check_eq "$n" 1 "run $run: log lines about the dead mount"
		check_eq "$(status_of u rows)" "$(seq_span u | cut -d'|' -f1)" \
			"run $run: u's rows in status after the restart"
	else
		mkdir "$MNT/u"
		echo w,f,i,target >"$MNT/u/dataset"
	fi
	pids=()
	for k in 1 2; do
		"$PYTHON" -S "$WRITER" "$MNT/u/dataset" "$T/journal.${run}0$k" \
			--writer "${run}0$k" &
		pids+=($!)
	done
	# Once both write (Python takes a while to start on a loaded machine), at random.
	wait_for "run $run: the writers' first rows" \
		"grep -q ^ack '$T/journal.${run}01' 2>/dev/null && grep -q ^ack '$T/journal.${run}02' 2>/dev/null" 20
	sleep "$((RANDOM % 1000 + 200))e-3"
	kill -KILL "$MLFS_PID"
	wait "$MLFS_PID" 2>/dev/null || true
	kills=$((kills + 1))
	for pid in "${pids[@]}"; do
		wait_exit "$pid" 10 || fail "run $run: a writer still runs after the kill"
	done
	wait_for "run $run: the stand-in sees its reader gone" '[[ $(stat_of connected) == 0 ]]' 10
	[[ $(stat "$MNT" 2>&1) == *"Transport endpoint is not connected"* ]] ||
		bad "run $run: the mount point of a killed daemon: $(stat "$MNT" 2>&1)"

	check_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "run $run: integrity_check"
	out=$(check_writers "$run" "${run}01,${run}02")
	while read -r line; do bad "${line#bad }"; done < <(grep '^bad' <<<"$out")
	lost=$(sed -n 's/^lost //p' <<<"$out")
	check_seq u "$run"
	check_seq demo "$run"

	sent=$(stat_of samples_sent)
	kept=$(seq_span demo | cut -d'|' -f1)
	drops=$(sqlite3 "$DB" "SELECT drops FROM subsystems WHERE name = 'demo'")
	klost=$(((sent - sent_before) - (kept - kept_before) - (drops - drops_before)))
	((klost >= 0)) || bad "run $run: more kernel rows than the stand-in sent ($klost)"
	((klost <= BOUND + KERNEL_SLACK)) ||
		bad "run $run: $klost kernel samples lost, more than $((BOUND + KERNEL_SLACK))"
	echo "run $run: user rows lost $lost, kernel samples lost $klost" \
		"(sent $((sent - sent_before)), kept $((kept - kept_before)), dropped" \
		"$((drops - drops_before)))" >&2
	sent_before=$sent kept_before=$kept drops_before=$drops
	total_user_rows=$((total_user_rows + $(sqlite3 "$DB" "SELECT count(*) FROM ds_u WHERE w >= ${run}00")))
	# The table stays small: the rows of the runs before this one were checked, and go.
	# What stays is a run of seq numbers to continue from, as a long life leaves it.
	sqlite3 "$DB" "DELETE FROM ds_u WHERE w < ${run}00"
	((lost > max_user_lost)) && max_user_lost=$lost
	((klost > max_kernel_lost)) && max_kernel_lost=$klost
	total_user_lost=$((total_user_lost + lost))
	total_kernel_lost=$((total_kernel_lost + klost))
done

kill "${STARTED_PIDS[0]}"
wait_exit "${STARTED_PIDS[0]}" 5 || bad "stand-in did not stop on SIGTERM"

# Once more, to show the rows committed before all those kills to a reader.
mlfs_start
# Once, in CI, u/dataset was not there (ENOENT) at this point: say what the mount held.
lines=$(wc -l <"$MNT/u/dataset") ||
	bad "after $kills kills: no u/dataset; $MNT holds [$(ls "$MNT" | tr '\n' ' ')]," \
		"mounted: [$(findmnt -n -o FSTYPE,SOURCE "$MNT" | tr '\n' ' ')]"
check_eq "$((${lines:-0} - 1))" "$(seq_span u | cut -d'|' -f1)" \
	"rows of u read through the tree after $kills kills"
mlfs_stop
echo "$kills kills: $total_user_rows user rows and $kept kernel rows kept;" \
	"lost at a kill at most $max_user_lost user rows (bound $BOUND)," \
	"$max_kernel_lost kernel samples (bound $((BOUND + KERNEL_SLACK)));" \
	"in all $total_user_lost and $total_kernel_lost" >&2
