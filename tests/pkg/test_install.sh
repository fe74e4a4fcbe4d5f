#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# What `meson install` puts where, into a DESTDIR of the test's own: the daemon and
# the stand-in, mlfs(8), mlfs.service (unless -Dsystemdsystemunitdir=no) starting
# the installed daemon, and the schema's migrations.
#   test_install.sh BUILD_ROOT SOURCE_ROOT BINDIR MANDIR DATADIR UNITDIR
set -euo pipefail

build=$1 top=$2 bindir=$3 mandir=$4 datadir=$5 unitdir=$6
FAILED=0
bad() {
	echo "FAIL: $*" >&2
	FAILED=$((FAILED + 1))
}

T=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$T" >"$T.log" 2>&1 ||
	{ cat "$T.log" >&2; rm -f "$T.log"; echo "FAIL: meson install" >&2; exit 1; }
rm -f "$T.log"

for f in "$bindir/mlfs" "$bindir/mlproxy-standin"; do
	[[ -x $T$f ]] || bad "$f is not installed"
done
[[ -f $T$mandir/man8/mlfs.8 ]] || bad "$mandir/man8/mlfs.8 is not installed"
for f in "$top"/schema/*.sql; do
	cmp -s "$f" "$T$datadir/mlfs/schema/${f##*/}" ||
		bad "$datadir/mlfs/schema/${f##*/} is not the schema's ${f##*/}"
done
if [[ -n $unitdir ]]; then
	grep -qx "ExecStart=$bindir/mlfs /mlfs .*" "$T$unitdir/mlfs.service" 2>/dev/null ||
		bad "$unitdir/mlfs.service is not installed, or does not start $bindir/mlfs"
fi
echo "installed: $(cd "$T" && find . -type f | sort | tr '\n' ' ')"
exit $((FAILED > 0))
