#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# efficiency.svg and dataset.svg as documents: well-formed SVG of the size they
# say, with empty states that say so, the newest rows only, one chart per column,
# both arms, and the mode changes marked. test_pictures_render.sh looks at them drawn.
source "$(dirname "$0")/lib.sh"

# svg_summary FILE: "WIDTHxHEIGHT" and every text of the picture, one per line; fails
# (with the parser's message) when FILE is not well-formed XML with an <svg> root.
svg_summary() {
	"$PYTHON" - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
if root.tag != NS + 'svg' or root.get('version') != '1.1':
    sys.exit('root is %s version %s, not SVG 1.1' % (root.tag, root.get('version')))
print('%sx%s' % (root.get('width'), root.get('height')))
for e in root.iter():
    if e.tag == NS + 'polyline':
        print('polyline', e.get('stroke'), len(e.get('points').split()))
    elif e.text and e.text.strip():
        print(e.text.strip())
PY
}

# picture FILE: the tree's FILE copied out (the tree says size 0, like sysfs) and read.
picture() {
	cat "$1" >"$T/pic.svg" || bad "cat $1 failed"
	svg_summary "$T/pic.svg" || bad "$1 is not well-formed SVG"
}

mlfs_start
cd "$MNT"
mkdir p

# ---- empty states ----
out=$(picture p/efficiency.svg)
check_eq "$(head -n 1 <<<"$out")" 800x440 "size of efficiency.svg"
grep -qx "no feedback yet" <<<"$out" || bad "efficiency.svg of a new subsystem: [$out]"
out=$(picture p/dataset.svg)
check_eq "$(head -n 1 <<<"$out")" 800x260 "size of an empty dataset.svg"
grep -qx "no rows yet" <<<"$out" || bad "dataset.svg of a new subsystem: [$out]"

# ---- dataset.svg: the newest 1000 rows, a panel per column ----
awk 'BEGIN { print "conns,ratio,target"
	for (i = 0; i < 1500; i++) print i % 50 "," (i < 500 ? 9.5 : i / 1000) "," i % 2 }' \
	>p/dataset
out=$(picture p/dataset.svg)
check_eq "$(head -n 1 <<<"$out")" 800x416 "size of dataset.svg with 3 columns (2 rows of panels)"
grep -qx "p: dataset, the newest 1000 of 1500 rows" <<<"$out" || bad "dataset.svg title: [$out]"
for col in conns ratio target; do
	grep -qx "$col" <<<"$out" || bad "dataset.svg has no panel for $col"
done
check_eq "$(grep -cx "training target" <<<"$out")" 1 "the target is marked once"
# The oldest 500 rows (ratio 9.5) are not among the newest 1000: ratio spans 0.5..1.499.
grep -qx "real, min 0.5, mean 0.9995, max 1.499" <<<"$out" ||
	bad "ratio's statistics are those of the newest rows: [$(grep '^real' <<<"$out")]"
grep -qx "integer, min 0, mean 0.5, max 1" <<<"$out" || bad "target's statistics"
check_eq "$(grep -c '^polyline #e0560b' <<<"$out")" 3 "one sparkline per column"

# ---- efficiency.svg: both arms, mode changes marked ----
echo 'lat_us=3' >p/feedback
out=$(picture p/efficiency.svg)
grep -qx "no feedback with an arm (ml or default) yet" <<<"$out" ||
	bad "efficiency.svg with feedback without an arm: [$out]"
for v in 810 790 830; do
	echo "arm=ml throughput=$v" >p/feedback
	echo "arm=default throughput=$((v - 20))" >p/feedback
	sleep 0.2 # apart in time, as reports are: each its own point of the line
done
echo collaboration >p/mode
echo "recommendation=7 arm=ml throughput=845" >p/feedback
out=$(picture p/efficiency.svg)
check_eq "$(head -n 1 <<<"$out")" 800x440 "size of efficiency.svg with feedback"
grep -qx "throughput as reported to feedback: 4 of the ML arm, 3 of the default arm" <<<"$out" ||
	bad "efficiency.svg subtitle: [$(sed -n 3p <<<"$out")]"
grep -q "^polyline #e0560b" <<<"$out" || bad "efficiency.svg has no line for the ML arm"
grep -q "^polyline #1f6fb4" <<<"$out" || bad "efficiency.svg has no line for the default arm"
grep -qx "ML arm (mean 818.8)" <<<"$out" || bad "the ML arm's mean: [$out]"
grep -qx "default arm (mean 790)" <<<"$out" || bad "the default arm's mean: [$out]"
grep -qx collaboration <<<"$out" || bad "the mode change to collaboration is not marked"
grep -qx throughput <<<"$out" || bad "the value axis is not named"
grep -q "^time (UTC), " <<<"$out" || bad "the time axis is not named"

# A line breaks where an arm went unmeasured for long, rather than run across the gap.
mkdir gap
for burst in 1 2; do
	for i in 1 2 3 4 5; do
		echo "arm=default lat_us=$((100 + i))" >gap/feedback
		sleep 0.1
	done
	((burst == 2)) || sleep 3
done
out=$(picture gap/efficiency.svg)
check_eq "$(grep -c '^polyline #1f6fb4' <<<"$out")" 2 "lines of the default arm around a gap"
check_eq "$(grep -c '^polyline #e0560b' <<<"$out")" 0 "lines of an arm without reports"
grep -qx "ML arm (no reports)" <<<"$out" || bad "the legend says the ML arm has no reports"

# Read-only, like status.
expect_fail "Permission denied" sh -c 'echo x > p/efficiency.svg'

exit $((FAILED > 0))
