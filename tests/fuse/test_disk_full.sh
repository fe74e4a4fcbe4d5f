#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The database on a small file system (a 4 MiB tmpfs made here) that fills up. Then:
# writers' close(2) fails with ENOSPC instead of hanging, their rows are dropped and
# counted in status, the rows committed before stay, reads go on, the log has one
# line for the whole episode, and the database passes integrity_check. Once space
# is freed, ingest resumes (one more line, with the episode's drops), and all of it
# survives a restart. The tmpfs goes with the test's directory: lib.sh's cleanup
# unmounts everything under it, whatever way the test ends.
source "$(dirname "$0")/lib.sh"

SMALL=$T/small
mkdir "$SMALL"
mount -t tmpfs -o size=4m,mode=0700 mlfs-test-small "$SMALL" || skip "cannot mount a tmpfs"
DB=$SMALL/mlfs.db
# What is freed later: a quarter of the space.
head -c 1M /dev/zero >"$SMALL/filler"
WRITER=$(dirname "$0")/row_writer.py

mlfs_start -o queue_rows=4096
mkdir "$MNT/u"
echo collaboration >"$MNT/u/mode"

# Files of 20000 rows until one fails: its close says why.
log_mark
"$PYTHON" -S "$WRITER" "$MNT/u/dataset" "$T/journal" --writer 1 --rows 20000 --chunk 1000 \
	--files 100
check_match "$(tail -n 1 "$T/journal")" '^error close ENOSPC$' "the first failure a writer sees"
# Every closed file is whole; of the file whose close failed, the first rows may be in.
closed=$(grep -c '^closed' "$T/journal" || true)
((closed > 0)) || bad "no file was committed before the disk filled"
check_eq "$(sqlite3 "$DB" "SELECT count(*) FROM ds_u WHERE f <= $closed")" "$((closed * 20000))" \
	"rows of the closed files"
check_eq "$(sqlite3 "$DB" "SELECT count(*) = ifnull(max(i), 0) FROM ds_u WHERE f = $closed + 1")" \
	1 "the file that failed: its first rows or none"
committed=$(sqlite3 "$DB" 'SELECT count(*) FROM ds_u')
check_eq "$(status_of u rows)" "$committed" "rows in status"
drops=$(status_of u drops)
((drops > 0)) || bad "no drops counted while the disk is full"

# More writers: on a disk at its limit a small commit may get through now and then (a
# checkpoint can make room in the WAL), but the disk stays full. Within 20 writers of
# 2000 rows one fails the same way, none sees another error, and the episode still has
# one log line.
failed=0
for ((i = 2; i < 22 && failed == 0; i++)); do
	"$PYTHON" -S "$WRITER" "$MNT/u/dataset" "$T/journal.$i" --writer "$i" --rows 2000 \
		--files 1
	case $(tail -n 1 "$T/journal.$i") in
	"error close ENOSPC") failed=1 ;;
	"closed 1 2000") ;;
	*) bad "writer $i on a full disk: $(tail -n 1 "$T/journal.$i")" ;;
	esac
done
((failed)) || bad "20 more writers of 2000 rows all committed on a full disk"
((${drops} < $(status_of u drops))) || bad "drops did not grow with more failed writes"
log_expect_one "$SMALL/mlfs.db: commits of queued rows fail; their rows are dropped and counted until one succeeds: No space left on device" \
	"the log of a full disk"

# Reads keep working, and see the committed rows, gapless. (A disk at its limit lets
# small commits through now and then: the count is taken anew.)
committed=$(sqlite3 "$DB" 'SELECT count(*) FROM ds_u')
check_eq "$(($(wc -l <"$MNT/u/dataset") - 1))" "$committed" "rows read from a full disk"
check_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM (SELECT w, f FROM ds_u GROUP BY w, f
	HAVING min(i) != 1 OR max(i) != count(*))')" 0 "files whose rows kept are not their first"
check_eq "$(cat "$MNT/u/mode")" collaboration "the mode, read on a full disk"
check_eq "$(sqlite3 "$DB" 'SELECT count(*) = max(seq) - min(seq) + 1 FROM ds_u')" 1 \
	"seq numbers without gaps"
check_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "integrity_check on a full disk"

# Room again: writes commit, and the first commit 5 s after the last failure ends the
# episode with one line.
drops=$(status_of u drops)
rm "$SMALL/filler"
log_mark
"$PYTHON" -S "$WRITER" "$MNT/u/dataset" "$T/journal.100" --writer 100 --rows 1000 --files 1
check_eq "$(tail -n 1 "$T/journal.100")" "closed 1 1000" "a writer once space is freed"
sleep 5
"$PYTHON" -S "$WRITER" "$MNT/u/dataset" "$T/journal.101" --writer 101 --rows 1000 --files 1
check_eq "$(tail -n 1 "$T/journal.101")" "closed 1 1000" "a writer 5 s later"
log_expect_one "$SMALL/mlfs.db: commits succeed again; $drops rows were dropped in [0-9.]+ s$" \
	"the log when space is freed"
check_eq "$(status_of u rows)" "$((committed + 2000))" "rows once space is freed"

echo "a 4 MiB tmpfs with 1 MiB of it taken: $committed rows committed while it filled," \
	"$drops dropped and counted until 1 MiB was freed, then 2000 more committed" >&2
mlfs_stop
check_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "integrity_check after umount"
mlfs_start
check_eq "$(status_of u rows)" "$((committed + 2000))" "rows after a restart"
check_eq "$(status_of u drops)" "$drops" "drops after a restart"
check_eq "$(sqlite3 "$DB" 'SELECT count(*) = max(seq) - min(seq) + 1 FROM ds_u')" 1 \
	"seq numbers without gaps after a restart"
mlfs_stop
