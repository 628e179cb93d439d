#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages (xsched-dkms, libxsched0, libxsched-dev,
# xsched-tools) built by dpkg-buildpackage from a clean copy of the tree
# (its tracked files) in build/deb/xsched-VERSION, so that nothing is written next
# to the checkout; the .deb files and the .changes land in build/deb.
# Prints the .changes file's path.
#
# Usage: scripts/deb-build.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"

for t in dpkg-buildpackage dh fakeroot; do
	command -v "$t" >/dev/null ||
		{ echo "$0: $t missing (apt-get install dpkg-dev debhelper fakeroot)" >&2; exit 1; }
done
ver=$(xsched_version)
out=$XSCHED_BUILD/deb
src=$out/xsched-$ver
rm -rf "$out"
copy_tracked "$src"
mkdir -p "$XSCHED_BUILD/logs"
log=$XSCHED_BUILD/logs/deb-build.log
if ! (cd "$src" && nice dpkg-buildpackage -b -us -uc -j2) >"$log" 2>&1; then
	tail -30 "$log" >&2
	echo "$0: dpkg-buildpackage failed; log: $log" >&2
	exit 1
fi
rm -rf "$src"
ls "$out"/*.deb >&2
ls "$out"/xsched_*.changes
