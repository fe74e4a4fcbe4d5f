#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# examples/svm_round_trip.sh against a mounted tree: a model from svm-train goes in
# with cp, and the tree's answers to every row match svm-predict's; a dataset whose
# target is not the last column is queried without it.
source "$(dirname "$0")/../fuse/lib.sh"
command -v svm-train >/dev/null || skip "svm-train is missing (Debian package libsvm-tools)"

mlfs_start
cd "$MNT"

mkdir io
awk 'BEGIN { srand(9); print "target,qd,size_kb,seq_pct"
	for (i = 0; i < 300; i++) { q = int(rand() * 64); s = int(rand() * 512); p = int(rand() * 100)
		print (p > 60 ? 2 : q > 32 ? 1 : 0) "," q "," s "," p } }' >io/dataset
bash "$EXAMPLES/svm_round_trip.sh" --mlfs "$MNT" io "$T/io" >"$T/out" 2>&1 ||
	bad "svm_round_trip.sh failed: $(cat "$T/out")"
check_eq "$(grep '^predictions:' "$T/out")" "predictions: 300, the same as svm-predict's" \
	"the example's verdict"
check_eq "$(grep '^installed:' "$T/out")" "installed: model_version 1" "the model went in"
check_eq "$(head -n 1 "$T/io/queries.csv")" "$(sed -n 2p io/dataset | cut -d, -f2-)" \
	"a query is a row without its target"
check_match "$(grep '^svm-predict: Accuracy' "$T/out")" '= (8[5-9]|9[0-9]|100)(\.[0-9]+)?%' \
	"svm-predict's accuracy on its training rows"
cmp -s "$T/io/model" <(cat io/model) || bad "the tree's model is the one svm-train wrote"

# The example must notice when the tree answers differently: a variant that installs
# another model than the one it gives svm-predict fails, saying on how many rows.
printf '1 1:1 2:2 3:3\n-1 1:5 2:1 3:0\n' >"$T/other.svm"
svm-train -q "$T/other.svm" "$T/other.model"
sed 's|^cp "\$w/model" "\$s/model"$|cp "$OTHER_MODEL" "$s/model"|' "$EXAMPLES/svm_round_trip.sh" \
	>"$T/mismatch.sh"
grep -q OTHER_MODEL "$T/mismatch.sh" || fail "could not make the mismatching variant"
if OTHER_MODEL=$T/other.model bash "$T/mismatch.sh" --mlfs "$MNT" io "$T/io2" >"$T/out2" 2>&1; then
	bad "the example passed although the tree's model was not svm-predict's"
fi
check_match "$(cat "$T/out2")" "differ on [0-9]+ of 300 rows" "the example says how many differ"

exit $((FAILED > 0))
