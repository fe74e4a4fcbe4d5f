#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""The baseline of bench/run's training benchmark: scikit-learn's grid search.

Reads a CSV with a header whose last column is the class label (bench_query gen
writes it), scales the features to [-1, 1] as mlfs does, and searches the grid
mlfs searches by default (src/model/train.c): C = 2^-1, 2^1, .., 2^7 and
gamma = 2^-7, 2^-5, .., 2^1, 5 stratified folds, refitting the best point on all
rows. Only the scaling and the search are timed, not reading the CSV nor
starting Python. Prints "seconds S accuracy A C C gamma G", A in percent.

    grid_sklearn.py ROWS.csv [JOBS]        JOBS defaults to 2
"""
import sys
import time

import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

C_GRID = [2.0**k for k in range(-1, 8, 2)]
GAMMA_GRID = [2.0**k for k in range(-7, 2, 2)]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[-1].strip())
    jobs = int(sys.argv[2]) if len(sys.argv) == 3 else 2
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    x, y = data[:, :-1], data[:, -1].astype(int)

    t0 = time.perf_counter()
    scaled = MinMaxScaler(feature_range=(-1, 1)).fit_transform(x)
    search = GridSearchCV(SVC(kernel="rbf"), {"C": C_GRID, "gamma": GAMMA_GRID},
                          cv=StratifiedKFold(5), n_jobs=jobs)
    search.fit(scaled, y)
    seconds = time.perf_counter() - t0

    print("seconds %.3f accuracy %.2f C %g gamma %g" %
          (seconds, search.best_score_ * 100, search.best_params_["C"],
           search.best_params_["gamma"]))


if __name__ == "__main__":
    main()
