#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Models through the tree: a model trained elsewhere (svm-train on dataset.svm) goes
# in with cp and answers queries exactly as svm-predict does; a bad upload changes
# nothing; control trains in the background, rollback returns to the older version;
# a kernel subsystem with a model gets recommendations, and the ML arm decides.
source "$(dirname "$0")/lib.sh"
command -v svm-train >/dev/null || skip "svm-train is missing (Debian package libsvm-tools)"

mlfs_start
cd "$MNT"

# Two classes a line can separate, 3 features, 300 rows.
mkdir two
awk 'BEGIN { srand(7); print "a,b,c,target"
	for (i = 0; i < 300; i++) { a = int(rand() * 100); b = int(rand() * 100)
		c = int(rand() * 10); print a "," b "," c "," (a + b > 100 ? 1 : 0) } }' >two/dataset
check_eq "$(status_of two model_version)" 0 "model_version before any model"
check_eq "$(head -c 100 two/recommendation)" "none: no recommendation has been sent (model version 0)" \
	"recommendation before any model"

# ---- a model from svm-train, and queries that answer like svm-predict ----
# (The tree's files say size 0, like sysfs: cmp would trust that, so it reads a cat.)
svm-train -q two/dataset.svm "$T/two.model"
cp "$T/two.model" two/model
check_eq "$(status_of two model_version)" 1 "model_version after cp"
cmp -s "$T/two.model" <(cat two/model) || bad "model reads back as uploaded"
cmp -s "$T/two.model" <(cat models/two) || bad "models/two is the same file"
check_match "$(status_of two model)" "^classify rbf" "status model of an upload"

tail -n +2 two/dataset | cut -d, -f1-3 >"$T/queries.csv"
svm-predict two/dataset.svm "$T/two.model" "$T/svm-predict.out" >/dev/null
"$PYTHON" - "$MNT/two/recommendation" "$T/queries.csv" "$T/mlfs.out" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, open(sys.argv[2], 'rb').read())
out = b''
while True:
    chunk = os.read(fd, 65536)
    if not chunk:
        break
    out += chunk
os.close(fd)
open(sys.argv[3], 'wb').write(out)
PY
check_eq "$(wc -l <"$T/mlfs.out")" 300 "one prediction per query row"
cmp -s "$T/svm-predict.out" "$T/mlfs.out" || bad "predictions differ from svm-predict's"

# ---- a bad upload fails at close and changes nothing ----
log_mark
printf 'svm_type c_svc\nkernel_type rbf\ngarbage\n' >"$T/bad.model"
expect_fail "Invalid argument" cp "$T/bad.model" two/model
log_expect_one "upload refused, the active model stays" "cp of a garbage model"
check_eq "$(status_of two model_version)" 1 "model_version after a refused upload"
cmp -s "$T/two.model" <(cat two/model) || bad "the active model after a refused upload"

# A model that uses more features than the subsystem has.
printf '1 1:1 2:2 3:3 9:1\n-1 1:5 2:1 3:0 9:4\n' >"$T/wide.svm"
svm-train -q "$T/wide.svm" "$T/wide.model"
expect_refused "Invalid argument" "upload refused" cp "$T/wide.model" two/model
check_eq "$(status_of two model_version)" 1 "model_version after a too-wide upload"

# ---- control: train, progress in status, rollback, bad verbs ----
echo train >two/control
wait_for "training done" '[[ $(status_of two training) == done ]]'
check_eq "$(status_of two model_version)" 2 "model_version after training"
# mlfs -f shows the progress on its terminal, a line per grid point.
check_match "$(grep -c 'two: training: grid search, grid point [0-9]* of 25$' "$LOG")" \
	'^(2[0-9]|[3-9][0-9])$' "progress lines on the terminal"
check_match "$(status_of two model_cv)" "^accuracy (9[5-9]|100)\\." "cross-validated accuracy"
check_match "$(sqlite3 "$DB" "SELECT origin FROM models WHERE version = 2")" trained \
	"the trained model in the store"
# The kind follows the target unless named: the same 0/1 target as a number.
echo train regress >two/control
wait_for "regression done" '[[ $(status_of two training) == done ]]'
check_match "$(status_of two model)" "^regress rbf" "train regress"
check_match "$(status_of two model_cv)" "^mse " "a regression's cross-validation"
echo rollback >two/control
check_eq "$(status_of two model_version)" 2 "model_version after one rollback"
echo rollback >two/control
check_eq "$(status_of two model_version)" 1 "model_version after rollback"
cmp -s "$T/two.model" <(cat two/model) || bad "rollback brings back the uploaded model"
expect_refused "No data available" "no older model version" bash -c 'echo rollback > two/control'
expect_refused "Invalid argument" "unknown verb" bash -c 'echo dance > two/control'
expect_refused "No such process" "no training job is running" bash -c 'echo cancel > two/control'
mkdir empty
expect_refused "Invalid argument" "rows; at least" bash -c 'echo train > empty/control'
mkdir same
{ echo x,target; seq 1 20 | sed 's/$/,1/'; } >same/dataset
expect_refused "Invalid argument" "every row has the same target" bash -c 'echo train > same/control'
expect_refused "No data available" "no model to ask" bash -c 'echo 1,2,3 > two/../empty/recommendation'

# ---- survives a remount, the autoretrain switch too ----
check_eq "$(status_of two autoretrain)" on "autoretrain of a new subsystem"
echo 'autoretrain off' >two/control
mlfs_stop
mlfs_start
cd "$MNT"
check_eq "$(status_of two model_version)" 1 "model_version after remount"
cmp -s "$T/two.model" <(cat two/model) || bad "model after remount"
check_eq "$(status_of two autoretrain)" off "autoretrain after remount"

# ---- unmounted in the middle of a long training: the daemon does not wait for libsvm ----
mkdir slow
# Labels of pure noise: every fold of the grid search takes libsvm seconds.
python3 -c '
import random
random.seed(3)
print("a,b,c,d,target")
for i in range(4000):
    print(",".join(str(random.random()) for _ in range(4)) + "," + str(random.randint(0, 1)))
' >slow/dataset
echo train >slow/control
wait_for "the grid search under way" '[[ $(status_of slow training) == "grid search"* ]]' 30
pid=$MLFS_PID
cd "$T"
umount "$MNT"
wait_exit "$pid" 10 || bad "the daemon still runs 10 s after umount, waiting for libsvm"
check_match "$(cat "$LOG")" "left to end with the daemon" "why the daemon did not wait"
mlfs_start
check_eq "$(status_of slow model_version)" 0 "no model from the abandoned training"
check_eq "$(status_of slow rows)" 4000 "slow's rows after the early exit"
mlfs_stop

exit $((FAILED > 0))
