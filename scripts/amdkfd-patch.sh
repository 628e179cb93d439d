#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints the amdkfd xsched patch for one amd/ directory (drivers/gpu/drm/amd
# of a kernel tree, amd/ of an amdgpu-dkms tree): the hooks of
# kmod/amdkfd/hooks.def placed by their anchors (scripts/amdkfd-hooks.py)
# in a scratch copy of its amdkfd/, plus the two new files
# amdkfd/kfd_xsched.c and amdkfd/kfd_xsched.h, as one unified diff.
# Nothing in AMD_DIR changes.  A missing anchor prints what is missing
# and exits 4.
#
# Paths in the patch are relative to AMD_DIR: apply with
# patch -p1 -d AMD_DIR.  --kernel-paths prefixes drivers/gpu/drm/amd/
# instead, for a patch against a kernel tree's root.
#
# Usage: scripts/amdkfd-patch.sh [--kernel-paths] [--features] AMD_DIR
#   --features  print the variants the tree's features chose (stderr)
set -euo pipefail

S=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 [--kernel-paths] [--features] AMD_DIR"; }
prefix= features=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--kernel-paths) prefix=drivers/gpu/drm/amd/; shift ;;
	--features) features=(--features); shift ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# = 1 ] || { usage >&2; exit 2; }
amd=$1
[ -d "$amd/amdkfd" ] || { echo "$0: $amd has no amdkfd/" >&2; exit 4; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a" "$tmp/b"
cp -a "$amd/amdkfd" "$tmp/a/"
cp -a "$amd/amdkfd" "$tmp/b/"
python3 "$S/amdkfd-hooks.py" ${features[@]+"${features[@]}"} "$tmp/b" >"$tmp/features" ||
	exit $?
[ "${#features[@]}" = 0 ] || cat "$tmp/features" >&2
# The hooks as a diff; the new files as creations (from /dev/null, so
# that patch -R removes them).
mkdir "$tmp/new"
mv "$tmp/b/amdkfd/kfd_xsched.c" "$tmp/b/amdkfd/kfd_xsched.h" "$tmp/new/"
rc=0
(cd "$tmp" && diff -ruN a/amdkfd b/amdkfd) >"$tmp/patch" || rc=$?
[ "$rc" = 1 ] || { echo "$0: diff failed" >&2; exit 1; }
sed -E "s#^diff -ruN a/([^ ]*) b/#diff -ruN a/$prefix\1 b/$prefix#;
	s#^(---|\+\+\+) ([ab])/([^[:space:]]*).*#\1 \2/$prefix\3#" "$tmp/patch"
for f in kfd_xsched.c kfd_xsched.h; do
	dest=${prefix}amdkfd/$f
	echo "diff -ruN a/$dest b/$dest"
	echo "--- /dev/null"
	echo "+++ b/$dest"
	echo "@@ -0,0 +1,$(wc -l <"$tmp/new/$f") @@"
	sed 's/^/+/' "$tmp/new/$f"
done
