#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""Label the readahead dataset from a sweep, in the manner of KML.

The readahead dataset's target, read_ahead_kb, is the value that was in force in
each window, not the value that would have been best: a model trained on it as it
is learns to repeat whatever was set. A sweep runs each workload phase once per
fixed read_ahead_kb and measures its throughput; every row the phase made, under
whichever value, is then labelled with the value that gave that phase the best
throughput. Those labels are what a model for the actuator learns.

  ra_label.py DATASET.csv RUNS DEV > labelled.svm

DATASET.csv is /mlfs/readahead/dataset. RUNS has one line per run of the sweep:
"PHASE READ_AHEAD_KB FIRST LAST THROUGHPUT", where FIRST and LAST count the rows of
device DEV (st_rdev, as the dev column shows it) before and after the run, so the
run made rows FIRST..LAST-1 of that device. The output is libsvm's format, the
features numbered as in dataset.svm (every column but read_ahead_kb), ready for
svm-scale and svm-train. The best value of each phase goes to stderr.
"""
import csv
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().split("\n\n")[2])
    dataset, runs_path, dev = sys.argv[1], sys.argv[2], sys.argv[3]

    with open(dataset, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if "read_ahead_kb" not in header or header[0] != "dev":
            sys.exit("%s: not the readahead dataset (columns %s)" % (dataset, ",".join(header)))
        target = header.index("read_ahead_kb")
        rows = [r for r in reader if r[0] == dev]

    runs = []
    with open(runs_path) as f:
        for line in f:
            phase, kb, first, last, tput = line.split()
            runs.append((phase, int(kb), int(first), int(last), float(tput)))

    best = {}
    for phase, kb, _, _, tput in runs:
        if phase not in best or tput > best[phase][1]:
            best[phase] = (kb, tput)
    for phase, (kb, tput) in sorted(best.items()):
        print("ra_label: %s: best read_ahead_kb %d (%.0f bytes/s)" % (phase, kb, tput),
              file=sys.stderr)

    out = 0
    for phase, kb, first, last, _ in runs:
        for row in rows[first:last]:
            # The row's own read_ahead_kb is the value it ran under: a check, not a feature.
            if int(row[target]) != kb:
                sys.exit("row of run %s/%d has read_ahead_kb %s: the runs do not match the "
                         "dataset" % (phase, kb, row[target]))
            feats = [v for i, v in enumerate(row) if i != target]
            print("%d %s" % (best[phase][0],
                             " ".join("%d:%s" % (i + 1, v) for i, v in enumerate(feats)
                                      if float(v) != 0)))
            out += 1
    if out == 0:
        sys.exit("no rows labelled: did the collector run during the sweep?")
    print("ra_label: %d rows labelled" % out, file=sys.stderr)


if __name__ == "__main__":
    main()
