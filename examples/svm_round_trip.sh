#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# A model made with libsvm's own tools, installed in the tree, and asked through it:
#
#   examples/svm_round_trip.sh [--mlfs /mlfs] SUBSYS WORKDIR
#
# svm-train learns from /mlfs/SUBSYS/dataset.svm; cp puts the model in
# /mlfs/SUBSYS/model; every row's features (the dataset without its target column)
# are written to /mlfs/SUBSYS/recommendation and the model's answers read back; and
# svm-predict, given the same rows and model, must answer the same, line for line.
# WORKDIR keeps the files: model, queries.csv, svm-predict.out, mlfs.out.
# Debian: apt-get install libsvm-tools.
set -euo pipefail

mlfs=/mlfs
if [[ ${1:-} == --mlfs ]]; then
	mlfs=$2
	shift 2
fi
[[ $# -eq 2 ]] || { echo "usage: $0 [--mlfs DIR] SUBSYS WORKDIR" >&2; exit 2; }
s=$mlfs/$1
w=$2
mkdir -p "$w"

# Train where the data is read, as any libsvm user would; -q: no progress lines.
svm-train -q "$s/dataset.svm" "$w/model"
cp "$w/model" "$s/model"
echo "installed: model_version $(sed -n 's/^model_version: //p' "$s/status")"

# The queries: every column but the target, in order, as CSV without the header.
target=$(sed -n 's/^target: //p' "$s/status")
awk -F, -v t="$target" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == t) skip = i; next }
	{ line = ""; for (i = 1; i <= NF; i++) if (i != skip) line = line (line == "" ? "" : ",") $i
	  print line }' "$s/dataset" >"$w/queries.csv"

# recommendation opened read-write is a query: rows in, one prediction per row out,
# read until the answers are all there (a read at the end returns nothing).
exec 3<>"$s/recommendation"
cat "$w/queries.csv" >&3
cat <&3 >"$w/mlfs.out"
exec 3>&-

svm-predict "$s/dataset.svm" "$w/model" "$w/svm-predict.out" | sed 's/^/svm-predict: /'
rows=$(wc -l <"$w/queries.csv")
answers=$(wc -l <"$w/mlfs.out")
if [[ $answers -ne $rows ]]; then
	echo "mlfs answered $answers of $rows queries" >&2
	exit 1
fi
if ! cmp -s "$w/svm-predict.out" "$w/mlfs.out"; then
	echo "mlfs and svm-predict differ on $(paste -d' ' "$w/svm-predict.out" "$w/mlfs.out" |
		awk '$1 != $2' | wc -l) of $rows rows" >&2
	exit 1
fi
echo "predictions: $rows, the same as svm-predict's"
