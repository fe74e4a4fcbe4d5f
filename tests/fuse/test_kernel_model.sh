#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The whole loop with the stand-in: the demo subsystem's samples are collected in
# learning mode, `train` makes a model, each new sample gets its recommendation,
# and in collaboration mode the kernel side's A/B split shows in the feedback that
# the model's arm beats the default's.
source "$(dirname "$0")/lib.sh"
[[ -n ${MLPROXY_STANDIN:-} && -x ${MLPROXY_STANDIN:-} ]] ||
	fail "MLPROXY_STANDIN must name the stand-in (meson sets it)"
SOCK=$T/mlproxy.sock
STATS=$T/standin.stats

"$MLPROXY_STANDIN" --socket "$SOCK" --stats "$STATS" --interval-ms 1 2>>"$T/standin.log" &
STARTED_PIDS+=($!)
for ((i = 0; i < 100; i++)); do [[ -S $SOCK ]] && break; sleep 0.02; done

stat_of() {
	sed -n "s/^$1: //p" "$STATS"
}

# Trainings on at most 1000 rows keep the test short; the dataset grows by 1000 a second.
mlfs_start -o "kdev=$SOCK" -o train_rows=1000
cd "$MNT"
wait_for "600 samples in learning mode" '[[ $(status_of demo rows) -ge 600 ]] 2>/dev/null'
check_eq "$(cat demo/mode)" learning "mode while collecting"
check_eq "$(stat_of decisions_ml)" 0 "no ML decisions without a model"

echo train >demo/control
# Progress shows while it runs (if it is not done already).
check_match "$(status_of demo training)" \
	'^(starting|sampling|scaling|grid search, grid point [0-9]+ of 25, fold [0-9]+ of 125|final model|done)' \
	"training progress in status"
wait_for "training done" '[[ $(status_of demo training) == done ]]'
check_match "$(status_of demo model)" "^regress rbf" "a regression model for the best batch"
# Not while the good model is measured: a loaded machine can lose a window to lag.
echo 'autoretrain off' >demo/control
wait_for "recommendations reach the kernel side" '[[ $(stat_of recommendations) -gt 10 ]]'
check_match "$(cat demo/recommendation)" "model_version: 1" "provenance of the recommendation"
check_match "$(cat recommendations/demo)" "features: [0-9]" "the features it used"

echo collaboration >demo/mode
wait_for "the ML arm decides" '[[ $(stat_of decisions_ml) -gt 200 ]]'
wait_for "a recommendation applied" 'grep -q "^applied: yes" demo/recommendation'

# The A/B evidence: mean throughput of each arm over ten windows in collaboration
# (a window is about one phase of the workload; some phases favour the default).
collab_from=$(grep -c ',kernel,,,window,' demo/feedback)
mean_of() {
	grep ",kernel,,$1,throughput_mean," demo/feedback | tail -n 10 | cut -d, -f6 |
		awk '{ s += $1; n++ } END { if (n == 10) printf "%d", s / n }'
}
wait_for "ten windows in collaboration" \
	'[[ $(grep -c ",kernel,,,window," demo/feedback) -ge $((collab_from + 10)) ]]'
ml=$(mean_of ml)
def=$(mean_of default)
echo "throughput: ML arm $ml, default arm $def" >&2
[[ $ml -ge $((def * 110 / 100)) ]] ||
	bad "the model's arm ($ml) does not beat the default's ($def) by 10%"
check_eq "$(cat demo/mode)" collaboration "no demotion while the model is better"
check_match "$(status_of demo efficiency_ml)" "^[0-9.e+]+ over [0-9]+ decisions" "efficiency of the ML arm"
check_match "$(status_of demo maturity)" "^ML as good as the default or better in [1-9]" "maturity"

# Recommendation mode: every decision is the model's, and it keeps its place.
echo recommendation >demo/mode
wait_for "recommendation mode on the kernel side" '[[ $(stat_of mode) == recommendation ]]'
def_before=$(stat_of decisions_default)
ml_before=$(stat_of decisions_ml)
wait_for "the ML arm decides on" '[[ $(stat_of decisions_ml) -gt $((ml_before + 300)) ]]'
check_eq "$(stat_of decisions_default)" "$def_before" "no default decisions in recommendation mode"
check_eq "$(cat demo/mode)" recommendation "still in recommendation mode"

# ---- a model that does worse: the kernel demotes it, feedback teaches, a retrain starts ----
printf '128 1:0 2:0 3:0\n127 1:1000 2:100 3:255\n128 1:500 2:50 3:100\n' >"$T/bad.svm"
svm-train -q -s 3 "$T/bad.svm" "$T/bad.model"
wait_for "no training job" '[[ $(status_of demo training) =~ ^(done|idle|cancelled|failed) ]]'
echo 'autoretrain on' >demo/control
good=$(status_of demo model_version)
cp "$T/bad.model" demo/model
bad_version=$((good + 1))
check_eq "$(status_of demo model_version)" "$bad_version" "model_version of the bad upload"
labels() {
	sqlite3 "$DB" "SELECT count(*) FROM labels"
}
wait_for "the kernel demotes the worse model" '[[ $(cat demo/mode) == learning ]]'
check_eq "$(status_of demo mode_reason)" "kernel: ML worse than default" "reason of the demotion"
wait_for "labels from the worse decisions" '[[ $(labels) -gt 0 ]]'
wait_for "a retrain by itself" '[[ $(status_of demo model_version) -gt $bad_version ]]'
check_eq "$(sqlite3 "$DB" "SELECT origin FROM models WHERE version = $((bad_version + 1))")" \
	retrained "the model the retrain made"
grep -q "retraining with what feedback taught" "$LOG" || bad "the log says why it retrained"
echo 'autoretrain off' >demo/control
check_eq "$(status_of demo autoretrain)" off "autoretrain after switching it off"
wait_for "retrain done" '[[ $(status_of demo training) == done ]]'
before=$(status_of demo model_version)
echo retrain >demo/control
wait_for "retrain by hand" '[[ $(status_of demo model_version) -gt $before ]]'

exit $((FAILED > 0))
