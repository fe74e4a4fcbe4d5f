#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
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

wait_for() {
	local i
	for ((i = 0; i < 3000; i++)); do
		eval "$2" && return 0
		sleep 0.02
	done
	bad "$1: not within 60 s"
	return 1
}

mlfs_start -o "kdev=$SOCK"
cd "$MNT"
wait_for "600 samples in learning mode" '[[ $(status_of demo rows) -ge 600 ]] 2>/dev/null'
check_eq "$(cat demo/mode)" learning "mode while collecting"
check_eq "$(stat_of decisions_ml)" 0 "no ML decisions without a model"

echo train >demo/control
wait_for "training done" '[[ $(status_of demo training) == done ]]'
check_match "$(status_of demo model)" "^regress rbf" "a regression model for the best batch"
wait_for "recommendations reach the kernel side" '[[ $(stat_of recommendations) -gt 10 ]]'
check_match "$(cat demo/recommendation)" "model_version: 1" "provenance of the recommendation"
check_match "$(cat recommendations/demo)" "features: [0-9]" "the features it used"

echo collaboration >demo/mode
wait_for "the ML arm decides" '[[ $(stat_of decisions_ml) -gt 200 ]]'
wait_for "a recommendation applied" 'grep -q "^applied: yes" demo/recommendation'

# The A/B evidence: mean throughput of each arm over the windows in collaboration.
mean_of() {
	grep ",kernel,,$1,throughput_mean," demo/feedback | tail -n 5 | cut -d, -f6 |
		awk '{ s += $1; n++ } END { if (n) printf "%d", s / n }'
}
wait_for "windows of both arms" '[[ -n $(mean_of ml) && -n $(mean_of default) ]]'
ml=$(mean_of ml)
def=$(mean_of default)
echo "throughput: ML arm $ml, default arm $def" >&2
[[ $ml -ge $((def * 110 / 100)) ]] ||
	bad "the model's arm ($ml) does not beat the default's ($def) by 10%"
check_eq "$(cat demo/mode)" collaboration "no demotion while the model is better"

exit $((FAILED > 0))
