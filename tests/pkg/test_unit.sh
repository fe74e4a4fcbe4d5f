#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# mlfs.service as this build installs it: `systemd-analyze verify` finds nothing to
# say about it (an unknown or misspelt directive is only a warning there, so any
# output fails), its Documentation= names a man page that is there (this build's
# mlfs(8)), and no directive gives it a mount namespace of its own, inside which
# the tree would be mounted where nobody else sees it.
#   test_unit.sh UNIT MANPAGE      (MLFS: this build's mlfs)
set -euo pipefail

unit=${1:?usage: test_unit.sh UNIT MANPAGE}
page=${2:?usage: test_unit.sh UNIT MANPAGE}
command -v systemd-analyze >/dev/null || {
	echo "SKIP: systemd-analyze is missing (Debian package systemd)" >&2
	exit 77
}

T=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-unit.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir "$T/man8"
cp "$page" "$T/man8/mlfs.8"
cp "$unit" "$T/mlfs.service"

# verify also wants the program of ExecStart= to exist: before `meson install`, use this build's.
bin=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
[[ -n $bin ]] || { echo "FAIL: no ExecStart= in $unit" >&2; exit 1; }
if [[ ! -x $bin ]]; then
	echo "$bin is not installed: verifying with ${MLFS:?MLFS must name the mlfs built here}"
	sed -i "s|^ExecStart=$bin |ExecStart=$MLFS |" "$T/mlfs.service"
fi

rc=0
out=$(MANPATH=$T systemd-analyze verify "$T/mlfs.service" 2>&1) || rc=$?
if ((rc != 0)) || [[ -n $out ]]; then
	echo "FAIL: systemd-analyze verify $unit (exit $rc):" >&2
	echo "$out" >&2
	exit 1
fi

namespacing='^(ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|PrivateMounts|PrivateNetwork|PrivateUsers|PrivateIPC|ProtectKernelTunables|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|ProtectProc|ProcSubset|ProtectHostname|ReadOnlyPaths|ReadWritePaths|InaccessiblePaths|ExecPaths|NoExecPaths|TemporaryFileSystem|BindPaths|BindReadOnlyPaths|MountFlags|MountAPIVFS|RootDirectory|RootImage|NetworkNamespacePath|IPCNamespacePath|LogNamespace|DynamicUser)='
if grep -En "$namespacing" "$unit" >&2; then
	echo "FAIL: $unit: the directives above give the service a mount namespace of its own" >&2
	exit 1
fi
echo "$unit: verified, no mount namespace"
