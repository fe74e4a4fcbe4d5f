#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# <subsys>/feedback and feedback/<subsys>: reports written as key=value pairs or as CSV
# (metric,value or recommendation,arm,metric,value) read back as
# time,source,recommendation,arm,metric,value, oldest first, counted in status.
# (Refused lines: test_bad_input.sh.)
source "$(dirname "$0")/lib.sh"

HEADER=time,source,recommendation,arm,metric,value

mlfs_start
cd "$MNT"

# reports FILE: the rows without time, value normalised ("90.0" and "90" are one number).
reports() {
	tail -n +2 "$1" | awk -F, '{ printf "%s,%s,%s,%s,%.10g\n", $2, $3, $4, $5, $6 }'
}

mkdir blk
check_eq "$(cat blk/feedback)" "$HEADER" "feedback of a new subsystem"
check_eq "$(status_of blk feedback)" 0 "status feedback of a new subsystem"

start=$(now_utc)
echo 'recommendation=42 arm=ml throughput=812.5 latency_us=90' >blk/feedback
echo 'latency_us,120' >>blk/feedback
echo '43,default,latency_us,95.25' >>feedback/blk
echo ',,errors,0' >>blk/feedback
printf 'arm=default,cache_hit=0.5\nrecommendation=44 queue_len=-3\n' >>blk/feedback
echo 'spread=1e-3 recommendation=45 arm=ml' >>blk/feedback # qualifiers may come last
end=$(now_utc)

check_eq "$(head -n 1 blk/feedback)" "$HEADER" "feedback header"
check_eq "$(reports blk/feedback)" "user,42,ml,throughput,812.5
user,42,ml,latency_us,90
user,,,latency_us,120
user,43,default,latency_us,95.25
user,,,errors,0
user,,default,cache_hit,0.5
user,44,,queue_len,-3
user,45,ml,spread,0.001" "feedback reports, oldest first"
check_eq "$(cat feedback/blk)" "$(cat blk/feedback)" "feedback/blk and blk/feedback"
check_eq "$(status_of blk feedback)" 8 "status feedback"

# Times: ISO 8601 UTC, taken when written, never going back.
prev=
while IFS=, read -r at _; do
	check_match "$at" "$ISO_TIME" "time of a report"
	[[ ! ${at:0:19} < $start && ! ${at:0:19} > $end ]] ||
		bad "report time $at is not between $start and $end"
	[[ -z $prev || ! $at < $prev ]] || bad "report time $at is before the one above, $prev"
	prev=$at
done < <(tail -n +2 blk/feedback)
# Reports of one line share their time.
check_eq "$(sed -n 2p blk/feedback | cut -d, -f1)" "$(sed -n 3p blk/feedback | cut -d, -f1)" \
	"time of two metrics of one line"

# What was read can be written back (its last four columns) and reads the same.
mkdir copy
tail -n +2 blk/feedback | cut -d, -f3- >>copy/feedback
check_eq "$(reports copy/feedback)" "$(reports blk/feedback)" "reports written back from a saved log"

# Each subsystem has its own log; in the database, the same reports.
check_eq "$(cat feedback/copy | count_lines)" 9 "lines of copy/feedback"
check_eq "$(sqlite3 "$DB" "SELECT count(*) FROM feedback f JOIN subsystems s ON s.id = f.subsys_id
	WHERE s.name = 'blk' AND source = 'user'")" 8 "feedback rows of blk in the database"
