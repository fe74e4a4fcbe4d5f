#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""Train a scikit-learn model on a subsystem's dataset, straight from the tree.

    examples/pandas_sklearn.py [--mlfs /mlfs] SUBSYS REPORT

Reads /mlfs/SUBSYS/dataset (CSV with a header) with pandas and the training target's
name from /mlfs/SUBSYS/status, holds a quarter of the rows out, trains a random
forest (a classifier when the target takes few whole values, else a regressor) on
the rest, and writes REPORT: "key: value" lines on how well it predicts the rows it
did not see, a blank line, then every held-out row's target and prediction as CSV.
Debian: apt-get install python3-pandas python3-sklearn.
"""
import argparse
import os
import sys

import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

# A target with at most this many distinct whole values is a class label.
CLASSES_MAX = 20


def status(path):
    """The subsystem's status file as a dict."""
    with open(path) as f:
        return dict(line.rstrip('\n').split(': ', 1) for line in f if ': ' in line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mlfs', default='/mlfs', help='where the tree is mounted')
    ap.add_argument('subsys')
    ap.add_argument('report')
    args = ap.parse_args()

    directory = os.path.join(args.mlfs, args.subsys)
    # The tree's files report size 0, like sysfs: pandas reads them to the end anyway.
    df = pd.read_csv(os.path.join(directory, 'dataset'))
    target = status(os.path.join(directory, 'status'))['target']
    if len(df) < 8:
        sys.exit('%s: %d rows, too few to hold some out' % (args.subsys, len(df)))
    x, y = df.drop(columns=[target]), df[target]
    values = y.unique()
    classify = len(values) <= CLASSES_MAX and all(float(v).is_integer() for v in values)

    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=1)
    if classify:
        model = RandomForestClassifier(n_estimators=100, random_state=1)
    else:
        model = RandomForestRegressor(n_estimators=100, random_state=1)
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)

    lines = [
        'subsystem: %s' % args.subsys,
        'rows: %d' % len(df),
        'train_rows: %d' % len(x_train),
        'test_rows: %d' % len(x_test),
        'features: %s' % ','.join(x.columns),
        'target: %s' % target,
        'model: %s' % type(model).__name__,
    ]
    if classify:
        lines.append('accuracy: %.4f' % accuracy_score(y_test, predicted))
    else:
        lines.append('mae: %.6g' % mean_absolute_error(y_test, predicted))
        lines.append('r2: %.4f' % r2_score(y_test, predicted))
    ranked = sorted(zip(model.feature_importances_, x.columns), reverse=True)
    lines.append('importance: %s' % ' '.join('%s=%.3f' % (c, w) for w, c in ranked))
    out = pd.DataFrame({'row': x_test.index + 1, target: y_test.values,
                        'prediction': predicted}).sort_values('row')
    with open(args.report, 'w') as f:
        f.write('\n'.join(lines) + '\n\n')
        out.to_csv(f, index=False)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
