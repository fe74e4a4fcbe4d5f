#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# The Debian packages, built as a user would (dpkg-buildpackage -us -uc -b) in a
# copy of this tree, hold what they should: mlfs the daemon, mlproxy-standin,
# mlfs(8), mlfs.service and the schema; mlproxy-dkms every source of the module
# and a dkms.conf with which DKMS builds it for the installed kernel headers
# (in a DKMS tree of the test's own: nothing is installed on this machine).
#   test_deb.sh SOURCE_ROOT VERSION
# Skipped (77) without dpkg-buildpackage, the build dependencies, or DKMS.
set -euo pipefail

top=${1:?usage: test_deb.sh SOURCE_ROOT VERSION}
version=${2:?usage: test_deb.sh SOURCE_ROOT VERSION}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
FAILED=0
bad() {
	echo "FAIL: $*" >&2
	FAILED=$((FAILED + 1))
}

command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is missing (Debian package dpkg-dev)"
command -v dkms >/dev/null || skip "dkms is missing (Debian package dkms)"
missing=$(cd "$top" && dpkg-checkbuilddeps -B 2>&1) ||
	skip "build dependencies missing: ${missing#*: Unmet build dependencies: }"
changelog_version=$(cd "$top" && dpkg-parsechangelog -S Version)
[[ $changelog_version == "$version" ]] ||
	{ echo "FAIL: debian/changelog says $changelog_version, meson.build $version" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mlfs-deb.XXXXXX")
trap 'rm -rf "$T"' EXIT
src=$T/mlfs-$version

# The tree as it is, committed or not, without build directories: what git tracks
# and what it would, or, outside a git checkout, everything but build output.
mkdir "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $top/$f ]] && printf '%s\0' "$f"; done |
		tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build --exclude='./build-*' --exclude='./obj-*' -cf - . |
		tar -C "$src" -xf -
fi

start=$SECONDS
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=1" \
	dpkg-buildpackage -us -uc -b -j1 >"$T/build.log" 2>&1); then
	tail -n 60 "$T/build.log" >&2
	echo "FAIL: dpkg-buildpackage -us -uc -b" >&2
	exit 1
fi
echo "dpkg-buildpackage: $((SECONDS - start)) s"

arch=$(dpkg --print-architecture)
daemon_deb=$T/mlfs_${version}_$arch.deb
dkms_deb=$T/mlproxy-dkms_${version}_all.deb
for deb in "$daemon_deb" "$dkms_deb"; do
	[[ -f $deb ]] || { echo "FAIL: no ${deb##*/}; built: $(cd "$T" && ls ./*.deb)" >&2; exit 1; }
done

# ---- mlfs ----
contents=$(dpkg -c "$daemon_deb" | awk '{ print $NF }')
for f in ./usr/bin/mlfs ./usr/bin/mlproxy-standin ./usr/share/man/man8/mlfs.8.gz \
	./lib/systemd/system/mlfs.service ./etc/default/mlfs \
	$(cd "$top/schema" && printf './usr/share/mlfs/schema/%s ' *.sql); do
	grep -qxF "$f" <<<"$contents" || bad "${daemon_deb##*/} lacks $f"
done
dpkg-deb -x "$daemon_deb" "$T/mlfs"
grep -qx 'ExecStart=/usr/bin/mlfs /mlfs -o db=/var/lib/mlfs/mlfs.db $MLFS_OPTIONS' \
	"$T/mlfs/lib/systemd/system/mlfs.service" || bad "mlfs.service does not start /usr/bin/mlfs"
out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$T/mlfs/usr/share/man/man8/mlfs.8.gz" 2>&1 >/dev/null) ||
	bad "man -l mlfs.8.gz failed"
[[ -z $out ]] || bad "the packaged mlfs(8) renders with warnings: $out"
"$T/mlfs/usr/bin/mlfs" --version | grep -qx "mlfs $version" || bad "the packaged mlfs --version"
dpkg-deb -e "$daemon_deb" "$T/mlfs-control"
grep -qx /etc/default/mlfs "$T/mlfs-control/conffiles" 2>/dev/null ||
	bad "/etc/default/mlfs is not a conffile"
# Installed disabled, never restarted by an upgrade (that unmounts /mlfs), stopped at removal.
# (debhelper's snippet that enables only what was enabled asks debian-installed first.)
grep -q "deb-systemd-helper debian-installed 'mlfs.service'" "$T/mlfs-control/postinst" ||
	bad "mlfs's postinst enables mlfs.service"
! grep -q restart "$T/mlfs-control/postinst" || bad "mlfs's postinst restarts mlfs.service"
grep -q "deb-systemd-invoke stop 'mlfs.service'" "$T/mlfs-control/prerm" 2>/dev/null ||
	bad "mlfs's prerm does not stop mlfs.service"
depends=$(dpkg-deb -f "$daemon_deb" Depends)
for d in fuse3 libfuse3-3 libsqlite3-0 libsvm3 libcap-ng0; do
	[[ $depends == *"$d"* ]] || bad "mlfs does not depend on $d: $depends"
done

# ---- mlproxy-dkms: every source of the module, where dkms.conf expects it ----
src_dir=./usr/src/mlproxy-$version
want=$( (cd "$top/src" && git ls-files kmod policy 2>/dev/null || find kmod policy -type f) |
	grep -Ev '(^|/)(meson\.build|\.gitignore|\.clang-format|dkms\.conf\.in)$' |
	sed "s|^|$src_dir/|"; echo "$src_dir/dkms.conf")
got=$(dpkg -c "$dkms_deb" | awk '$1 !~ /^d/ && $NF !~ /^\.\/usr\/share\/doc\// { print $NF }')
diff <(sort <<<"$want") <(sort <<<"$got") >"$T/files.diff" ||
	bad "mlproxy-dkms's files (<: missing, >: extra): $(cat "$T/files.diff")"
dpkg-deb -f "$dkms_deb" Depends | grep -qw dkms || bad "mlproxy-dkms does not depend on dkms"
dpkg-deb -e "$dkms_deb" "$T/dkms-control"
grep -q '^DKMS_NAME=mlproxy$' "$T/dkms-control/postinst" 2>/dev/null &&
	grep -q 'common.postinst' "$T/dkms-control/postinst" ||
	bad "mlproxy-dkms's postinst does not hand mlproxy to DKMS"
grep -q 'dkms remove' "$T/dkms-control/prerm" 2>/dev/null ||
	bad "mlproxy-dkms's prerm does not take mlproxy from DKMS"

# ---- DKMS builds the packaged sources for the installed kernel headers ----
release=
for build in /lib/modules/*/build; do
	[[ -f $build/Makefile ]] && release=$(basename "$(dirname "$build")")
done
if [[ -z $release ]]; then
	echo "no kernel headers in /lib/modules/*/build (linux-headers-amd64): DKMS build not tried" >&2
	exit $((FAILED > 0))
fi
dpkg-deb -x "$dkms_deb" "$T/root"
mkdir "$T/dkms"
dkms=(dkms --sourcetree "$T/root/usr/src" --dkmstree "$T/dkms" -m mlproxy -v "$version")
# Its signing key, when it makes one, goes in the test's directory too.
export mok_signing_key=$T/mok.key mok_certificate=$T/mok.pub
start=$SECONDS
if ! "${dkms[@]}" add >"$T/dkms.log" 2>&1 ||
	! "${dkms[@]}" build -k "$release" --kernelsourcedir "/lib/modules/$release/build" \
		>>"$T/dkms.log" 2>&1; then
	cat "$T/dkms.log" "$T/dkms/mlproxy/$version/build/make.log" >&2 || true
	echo "FAIL: dkms build for $release" >&2
	exit 1
fi
echo "dkms build for $release: $((SECONDS - start)) s"
for m in mlproxy mlproxy_demo; do
	ko=$(find "$T/dkms/mlproxy/$version/$release" -name "$m.ko*" | head -n 1)
	if [[ -z $ko ]]; then
		bad "dkms built no $m.ko for $release"
	elif [[ $(modinfo -F vermagic "$ko") != "$release "* ]]; then
		bad "$m.ko is not for $release: $(modinfo -F vermagic "$ko")"
	fi
done
if grep -q 'warning:' "$T/dkms/mlproxy/$version/build/make.log"; then
	bad "the module built with warnings: $(grep 'warning:' "$T/dkms/mlproxy/$version/build/make.log")"
fi
exit $((FAILED > 0))
