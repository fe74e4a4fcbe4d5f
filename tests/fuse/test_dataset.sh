#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# Datasets: appending CSV to <subsys>/dataset and reading it back as CSV and as libsvm
# (which svm-train reads), typed columns in SQLite, the target column, headers that
# repeat, lines split across writes or left without a newline, `>` that never deletes,
# fsync, a reader's snapshot, 200 000 rows in and out unchanged, concurrent writers,
# and the limits (line length, column count and name length; refusals: test_bad_input.sh).
source "$(dirname "$0")/lib.sh"

mlfs_start
cd "$MNT"

# schema_of SUBSYS: the CREATE TABLE of its rows, as `sqlite3 db .schema` shows it.
schema_of() {
	sqlite3 "$DB" ".schema ds_$1"
}

# ---- header and rows, as a user types them ----
mkdir s
printf 'a,b,target\n1,2,3\n4,5,6\n' >>s/dataset
check_eq "$(cat s/dataset)" $'a,b,target\n1,2,3\n4,5,6' "cat dataset after the first write"
check_eq "$(cat datasets/s)" "$(cat s/dataset)" "cat datasets/s"
check_eq "$(status_of s columns)" a,b,target "status columns"
check_eq "$(status_of s target)" target "status target"
check_eq "$(status_of s rows)" 2 "status rows"

# A header that repeats the columns is skipped, in a later write or within one.
printf 'a,b,target\n7,8,9\n' >>s/dataset
py_write s/dataset '10,11,12\na,b,target\n13,14,15\n' >/dev/null
check_eq "$(cat s/dataset)" $'a,b,target\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n13,14,15' \
	"dataset after repeated headers"

# A line split across writes is one line.
expect_errno ok py_write s/dataset '16,1' '7,18\n'
# A last line without a newline is taken at close.
printf '19,20,21' >>s/dataset
check_eq "$(tail -n 2 s/dataset)" $'16,17,18\n19,20,21' "rows from split lines"

# `>` (O_TRUNC) and truncate -s 0 delete nothing: writes always append.
printf '25,26,27\n' >s/dataset
: >s/dataset
truncate -s 0 s/dataset
check_eq "$(status_of s rows)" 8 "rows after > and truncate -s 0"
check_eq "$(head -n 2 s/dataset)" $'a,b,target\n1,2,3' "first row after >"
check_eq "$(tail -n 1 s/dataset)" 25,26,27 "row written with >"

# CRLF line ends, blank lines and blanks around values are accepted; output is plain.
printf 'a,b,target\r\n28,29,30\r\n\n\n 31 , 32 ,33 \n' >>s/dataset
check_eq "$(tail -n 2 s/dataset)" $'28,29,30\n31,32,33' "rows from CRLF and blank-padded lines"
check_eq "$(status_of s rows)" 10 "rows after CRLF lines"

# ---- values: int64 at its limits and reals, exactly; column types in SQLite ----
mkdir r
py_write r/dataset 'i,x,target\n9223372036854775807,0.1,1\n-9223372036854775808,1e-300,0\n0,123456.789,1\n-1,-2.5e-08,0\n' >/dev/null
check_eq "$(cat r/dataset)" \
	$'i,x,target\n9223372036854775807,0.1,1\n-9223372036854775808,1e-300,0\n0,123456.789,1\n-1,-2.5e-08,0' \
	"int64 limits and reals read back"
schema=$(schema_of r)
check_match "$schema" '"i" INTEGER' "type of column i (integers) in .schema"
check_match "$schema" '"x" REAL' "type of column x (reals) in .schema"
check_match "$schema" '"target" INTEGER' "type of column target in .schema"

# ---- target column: "target" wherever it is, else the last; libsvm rows exactly ----
mkdir t
py_write t/dataset 'a,target,b\n1,0,0.5\n0,1,0.0\n-3,2,2.25\n0,0,0\n' >/dev/null
check_eq "$(status_of t target)" target "status target of a,target,b"
check_eq "$(cat t/dataset.svm)" $'0 1:1 2:0.5\n1\n2 1:-3 2:2.25\n0' \
	"dataset.svm: target first, features numbered from 1, zeros omitted"
mkdir l
py_write l/dataset 'p,q,r\n1,2,3\n4,0,6\n' >/dev/null
check_eq "$(status_of l target)" r "status target without a column named target"
check_eq "$(cat l/dataset.svm)" $'3 1:1 2:2\n6 1:4' "dataset.svm with the last column as target"
check_eq "$(cat s/dataset.svm | head -n 2)" $'3 1:1 2:2\n6 1:4 2:5' "dataset.svm of s"
check_eq "$(cat s/dataset.svm | count_lines)" "$(status_of s rows)" "dataset.svm has one line per row"

# svm-train reads dataset.svm straight from the tree (it reads the file twice).
if command -v svm-train >/dev/null; then
	mkdir svm
	"$PYTHON" -c "
import random
random.seed(7)
print('x1,x2,target')
for i in range(200):
    c = i % 2
    print('%r,%r,%d' % (round(random.gauss(2 * c, 0.5), 3), round(random.gauss(-c, 0.5), 3), c))
" >"$T/svm.csv"
	cat "$T/svm.csv" >>svm/dataset
	svm-train -q svm/dataset.svm "$T/svm.model" || bad "svm-train on dataset.svm failed"
	model=$(cat "$T/svm.model" 2>/dev/null || true)
	check_match "$model" '^svm_type c_svc$' "model file from svm-train"
	check_match "$model" '^nr_class 2$' "classes in the model from svm-train"
	check_match "$model" '^label [01] [01]$' "labels in the model from svm-train"
else
	echo "NOTE: svm-train missing (libsvm-tools): not run on dataset.svm" >&2
fi

# ---- reads: close makes rows visible; fsync too, before close; a snapshot at open ----
py_out=$("$PYTHON" - s/dataset <<'EOF'
import os, sys
p = sys.argv[1]
def rows():
    with open(p) as f:
        return f.read().count('\n') - 1
out = []
old = os.open(p, os.O_RDONLY)
w = os.open(p, os.O_WRONLY | os.O_APPEND)
os.write(w, b'34,35,36\n37,38,39\n')
os.fsync(w)
out.append(rows())                 # a new reader after fsync, before close
os.close(w)
first = os.read(old, 1 << 20).decode()
os.lseek(old, 0, os.SEEK_SET)
again = os.read(old, 1 << 20).decode()
out.append(first.count('\n') - 1)  # the reader opened before the write
out.append(int(first == again))    # seeking back shows the same snapshot
os.close(old)
out.append(rows())
print(' '.join(map(str, out)))
EOF
)
check_eq "$py_out" "12 10 1 12" "rows seen: after fsync, by an older reader, again after lseek, after close"

# Reading in small pieces gives the same bytes as one large read.
want=$(cat s/dataset | md5sum)
for bs in 1 7 4096; do
	check_eq "$(dd if=s/dataset bs=$bs status=none | md5sum)" "$want" "dataset read with dd bs=$bs"
done
check_eq "$(head -c 5 s/dataset)" "a,b,t" "head -c 5 of dataset"

# ---- 200 000 rows: round trip byte for byte ----
mkdir big
"$PYTHON" -c "
import random
random.seed(1)
print('id,k,v,target')
for i in range(200000):
    print('%d,%d,%r,%d' % (i, random.randint(-10**12, 10**12), round(random.random() * 100, 3), i % 3))
" >"$T/big.csv"
cat "$T/big.csv" >>big/dataset
check_eq "$(status_of big rows)" 200000 "status rows after 200 000 rows"
check_eq "$(cat big/dataset | md5sum)" "$(md5sum <"$T/big.csv")" "checksum of 200 000 rows read back"
# (Through a pipe: cmp takes files of different st_size for different, and the tree's are 0.)
cat big/dataset | cmp -s "$T/big.csv" - ||
	bad "big/dataset differs from what was written: $(cat big/dataset | cmp "$T/big.csv" - 2>&1)"
check_eq "$(cat big/dataset.svm | count_lines)" 200000 "lines of big/dataset.svm"

# ---- concurrent writers: every row of each arrives once ----
mkdir par
echo 'w,n,target' >>par/dataset
for w in 1 2 3 4; do
	seq 1 25000 | sed "s/^/$w,/; s/\$/,0/" >"$T/par$w.csv"
done
writers=()
for w in 1 2 3 4; do
	cat "$T/par$w.csv" >>par/dataset &
	writers+=($!)
done
for pid in "${writers[@]}"; do
	wait "$pid" || bad "a concurrent writer failed"
done
check_eq "$(tail -n +2 par/dataset | sort | md5sum)" "$(cat "$T"/par[1-4].csv | sort | md5sum)" \
	"rows of 4 concurrent writers"

# ---- line length: 65536 bytes is the limit, inclusive ----
line=$(printf '%65528s' '')40,41,42
check_eq "${#line}" 65536 "setup: line length"
expect_errno ok py_write s/dataset "$line\n"
check_eq "$(tail -n 1 s/dataset)" 40,41,42 "row from a line of 65536 bytes"

# ---- a tiny queue: writers wait for room, nothing is lost ----
mlfs_stop
mlfs_start -o queue_rows=1
cd "$MNT"
writers=()
for w in 1 2 3 4; do
	cat "$T/par$w.csv" >>par/dataset &
	writers+=($!)
done
for pid in "${writers[@]}"; do
	wait "$pid" || bad "a writer failed with -o queue_rows=1"
done
check_eq "$(status_of par rows)" 200000 "rows after writing through a queue of one row"
check_eq "$(status_of par drops)" 0 "drops after writing through a queue of one row"

# ---- a writer that opened before the dataset had a header may append rows once it has ----
mkdir late
exec 3>>late/dataset
printf 'a,target\n1,2\n' >>late/dataset
printf '3,4\n' >&3 || bad "a row from a writer opened before the header was written"
exec 3>&-
check_eq "$(cat late/dataset)" $'a,target\n1,2\n3,4' "rows of two writers, one opened early"

# ---- every close ends the line, that of a duplicated descriptor too ----
# FUSE cannot tell the last close of a file from the others, so `>&3`, which dups the
# descriptor and closes the dup, ends an unterminated line there and then.
exec 3>>s/dataset
printf '43,44,45' >&3 || bad "printf '43,44,45' >&3"
check_eq "$(tail -n 1 s/dataset)" 43,44,45 "row without newline, taken when the dup closed"
printf '46,47,48\n' >&3 || bad "printf '46,47,48\\n' >&3 after an unterminated line"
exec 3>&-
check_eq "$(tail -n 2 s/dataset | tr '\n' ' ')" "43,44,45 46,47,48 " "rows written through >&3"

# ---- types come from the rows, even when the header has a write(2) of its own ----
# (bash's printf writes line by line: this is what `printf 'x,y\n...' >> dataset` does)
mkdir p
printf 'n,x,target\n1,2.5,0\n2,0.75,1\n' >>p/dataset
check_match "$(schema_of p)" '"x" REAL' "type of a real column whose header came in its own write"
check_eq "$(cat p/dataset)" $'n,x,target\n1,2.5,0\n2,0.75,1' "dataset p"

# ---- the widest dataset: 256 columns with names of 63 bytes, and a name of 63 bytes ----
mkdir wide
"$PYTHON" -c "
n = 256
print(','.join('c%03d_' % i + 'x' * 58 for i in range(n)))
for r in range(20):
    print(','.join(str(r * i - 5000) if i % 2 else repr(round(r * 0.5 + i, 1)) for i in range(n)))
" >"$T/wide.csv"
cat "$T/wide.csv" >>wide/dataset || bad "a header of 256 columns of 63-byte names was refused"
cat wide/dataset | cmp -s "$T/wide.csv" - || bad "wide/dataset differs from what was written"
check_eq "$(dd if=wide/dataset bs=1000 status=none | md5sum)" "$(md5sum <"$T/wide.csv")" \
	"wide/dataset read with dd bs=1000"
long=$(printf 'L%.0s' {1..63})
mkdir "$long"
printf '%s,%s\n1,2\n' "$(printf 'a%.0s' {1..63})" "$(printf 'b%.0s' {1..63})" >"$T/long.csv"
cat "$T/long.csv" >>"$long/dataset" || bad "a dataset with 63-byte names in a subsystem with one"
check_eq "$(cat "$long/dataset")" "$(cat "$T/long.csv")" "dataset with 63-byte names in $long"
