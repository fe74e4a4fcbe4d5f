#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The vm suite: build the modules for Debian's kernel, boot it in qemu with them
# and this build's mlfs, and run guest_mlproxy.sh there. Exits 77 where the
# machine has no qemu or kernel headers (tools/setup installs both).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -n ${MLFS:-} && -x ${MLFS:-} ]] || { echo "MLFS must name the mlfs executable" >&2; exit 99; }
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root to prepare the VM kernel" >&2; exit 77; }

out=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-vm-build.XXXXXX")
trap 'rm -rf "$out"' EXIT
modules=$("$here/build-modules" "$out") || exit $?

"$here/run-vm" --mlfs "$MLFS" --modules "$modules" --files "$here/guest_lib.sh:/mlfs-vm/lib.sh" \
	--script "$here/guest_mlproxy.sh" --timeout 300
