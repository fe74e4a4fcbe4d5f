#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# examples/pandas_sklearn.py against a mounted tree: it reads the dataset and the
# target's name from the tree, and its report says how well a model it trained
# predicts held-out rows of a dataset a model can learn (a class), and of one it
# can learn less well (a number).
source "$(dirname "$0")/../fuse/lib.sh"

PD_PYTHON=
for p in "$PYTHON" /usr/bin/python3; do
	if [[ -x $p ]] && "$p" -c 'import pandas, sklearn' 2>/dev/null; then
		PD_PYTHON=$p
		break
	fi
done
[[ -n $PD_PYTHON ]] || skip "no Python with pandas and scikit-learn (python3-pandas, python3-sklearn)"

# report_of FILE KEY: the value of "KEY: value" in a report.
report_of() {
	sed -n "s/^$2: //p" "$1"
}

mlfs_start
cd "$MNT"

# A class that two columns decide (the third is noise); the target is not the last column.
mkdir web
awk 'BEGIN { srand(5); print "conns,target,p99_us,noise"
	for (i = 0; i < 600; i++) { c = int(rand() * 100); p = int(rand() * 3000)
		print c "," (c * 30 + p > 3000 ? 1 : 0) "," p "," int(rand() * 10) } }' >web/dataset
"$PD_PYTHON" "$EXAMPLES/pandas_sklearn.py" --mlfs "$MNT" web "$T/web.report" >"$T/web.out" ||
	fail "pandas_sklearn.py web failed: $(cat "$T/web.out")"
R=$T/web.report
check_eq "$(report_of "$R" rows)" 600 "rows the example read"
check_eq "$(report_of "$R" test_rows)" 150 "rows held out"
check_eq "$(report_of "$R" features)" conns,p99_us,noise "features: every column but the target"
check_eq "$(report_of "$R" target)" target "the target, from status"
check_eq "$(report_of "$R" model)" RandomForestClassifier "a class label: a classifier"
acc=$(report_of "$R" accuracy)
awk -v a="$acc" 'BEGIN { exit !(a >= 0.9) }' || bad "accuracy on held-out rows: $acc, want 0.9 at least"
check_match "$(report_of "$R" importance)" '^(conns|p99_us)=.* noise=' \
	"noise is the least important feature"
# After a blank line, a prediction per held-out row.
check_eq "$(sed '1,/^$/d' "$R" | head -n 1)" row,target,prediction "predictions' header"
check_eq "$(sed '1,/^$/d' "$R" | tail -n +2 | count_lines)" 150 "a prediction per held-out row"
# What it printed is the report's head.
cmp -s "$T/web.out" <(sed '/^$/q' "$R" | sed '$d') || bad "printed summary differs from the report"

# A real-valued target: a regressor, judged by its error.
mkdir lat
awk 'BEGIN { srand(6); print "load,queue,lat_ms"
	for (i = 0; i < 400; i++) { l = rand() * 10; q = int(rand() * 50)
		print l "," q "," (2 * l + q / 10 + rand()) } }' >lat/dataset
"$PD_PYTHON" "$EXAMPLES/pandas_sklearn.py" --mlfs "$MNT" lat "$T/lat.report" >/dev/null ||
	fail "pandas_sklearn.py lat failed"
check_eq "$(report_of "$T/lat.report" model)" RandomForestRegressor "a real target: a regressor"
check_eq "$(report_of "$T/lat.report" target)" lat_ms "the last column is the target"
r2=$(report_of "$T/lat.report" r2)
awk -v r="$r2" 'BEGIN { exit !(r >= 0.8) }' || bad "r2 on held-out rows: $r2, want 0.8 at least"

# An empty subsystem: the example says why it cannot train, and fails.
mkdir none
printf 'a,target\n1,0\n' >none/dataset
expect_fail "too few" "$PD_PYTHON" "$EXAMPLES/pandas_sklearn.py" --mlfs "$MNT" none "$T/none.report"

exit $((FAILED > 0))
