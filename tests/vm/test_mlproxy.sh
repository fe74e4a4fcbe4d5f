#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The vm suite: build the modules for Debian's kernel, boot it in qemu with them,
# this build's mlfs and a model of the demo subsystem, and run guest_mlproxy.sh there. Exits 77 where the
# machine has no qemu or kernel headers (tools/setup installs both).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -n ${MLFS:-} && -x ${MLFS:-} ]] || { echo "MLFS must name the mlfs executable" >&2; exit 99; }
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root to prepare the VM kernel" >&2; exit 77; }

out=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-vm-build.XXXXXX")
cleanup() {
	[[ -z ${standin:-} ]] || kill "$standin" 2>/dev/null || true
	mountpoint -q "$out/mnt" 2>/dev/null && umount -l "$out/mnt"
	rm -rf "$out"
}
trap cleanup EXIT
modules=$("$here/build-modules" "$out") || exit $?

# A model of the demo subsystem for the guest to upload: trained here, on samples of
# the same workload code from the stand-in, since training under emulation is slow.
[[ -x ${MLPROXY_STANDIN:-} ]] || { echo "MLPROXY_STANDIN must name the stand-in" >&2; exit 99; }
command -v svm-train >/dev/null || { echo "SKIP: svm-train is missing (libsvm-tools)" >&2; exit 77; }
mkdir "$out/mnt"
"$MLPROXY_STANDIN" --socket "$out/sock" --interval-ms 1 2>/dev/null &
standin=$!
for ((i = 0; i < 100; i++)); do [[ -S $out/sock ]] && break; sleep 0.02; done
"$MLFS" "$out/mnt" -o "db=$out/host.db,kdev=$out/sock"
for ((i = 0; i < 500; i++)); do
	rows=$(sed -n 's/^rows: //p' "$out/mnt/demo/status" 2>/dev/null || true)
	[[ ${rows:-0} -ge 2000 ]] && break
	sleep 0.02
done
svm-train -q -s 3 -c 32 -g 0.001 "$out/mnt/demo/dataset.svm" "$out/demo.model"
umount "$out/mnt"
# Nothing of ours may outlive the test: meson waits for whoever holds its output.
kill "$standin"
wait "$standin" || true
standin=

"$here/run-vm" --mlfs "$MLFS" --modules "$modules" --script "$here/guest_mlproxy.sh" \
	--files "$out/demo.model:/root/demo.model" --timeout 240
