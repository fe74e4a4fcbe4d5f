#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The eBPF collectors on Debian 12's own kernel, booted in qemu: see guest_collectors.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -n ${MLFS:-} && -x ${MLFS:-} ]] || { echo "MLFS must name the mlfs executable" >&2; exit 99; }
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root to prepare the VM kernel" >&2; exit 77; }
"$MLFS" --help | grep -q 'not built' && { echo "SKIP: mlfs built without eBPF collectors" >&2; exit 77; }

"$here/run-vm" --mlfs "$MLFS" --files "$here/guest_lib.sh:/mlfs-vm/lib.sh" \
	--script "$here/guest_collectors.sh" --timeout 300
