#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# run_fuzz.sh HARNESS SEED_DIR SECONDS: fuzz HARNESS for SECONDS from the seeds in
# SEED_DIR. What it finds goes to a scratch directory, never into the source tree;
# a crash, a leak or a sanitizer report fails the test with libFuzzer's report, and
# the input that caused it is kept in the build directory to be added as a seed.
set -euo pipefail

harness=$1 seeds=$2 seconds=$3
[[ -d $seeds ]] || { echo "FAIL: no seed corpus in $seeds" >&2; exit 1; }
[[ -n $(ls -A "$seeds") ]] || { echo "FAIL: the seed corpus $seeds is empty" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$(dirname "$harness")/artifacts-$(basename "$harness")/
mkdir -p "$artifacts"

# Every seed must pass on its own first: a regression seed that crashes again says so by name.
"$harness" -runs=0 -artifact_prefix="$artifacts" "$seeds" >"$work/seeds.log" 2>&1 || {
	tail -n 40 "$work/seeds.log" >&2
	echo "FAIL: a seed in $seeds fails" >&2
	exit 1
}
# One worker, as the build machine is shared; -max_len covers the largest seed.
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
	-print_final_stats=1 -artifact_prefix="$artifacts" "$work" "$seeds" >"$work/fuzz.log" 2>&1 || {
	tail -n 60 "$work/fuzz.log" >&2
	echo "FAIL: $(basename "$harness") found a bug; the input is in $artifacts" >&2
	exit 1
}
grep -E '^stat::number_of_executed_units' "$work/fuzz.log" >&2
