#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints the amdkfd xsched patch for one amdkfd source line: the line's
# hook edits (kmod/amdkfd/hooks-LINE.patch) followed by the two new
# files, amdkfd/kfd_xsched.c and amdkfd/kfd_xsched.h, generated from
# kmod/amdkfd/kfd_xsched.c and the contract header kmod/include/kfd_xsched.h.
#
# Paths are relative to the directory that holds amdkfd/ and amdgpu/:
# drivers/gpu/drm/amd in a kernel tree, amd/ in an amdgpu-dkms tree.
# Apply with: patch -p1 -d <that directory>.  --kernel-paths prefixes
# drivers/gpu/drm/amd/ instead, for a patch against a kernel tree's root.
#
# Usage: scripts/amdkfd-patch.sh [--kernel-paths] LINE   (LINE: 6.1 | 6.12)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--kernel-paths] 6.1|6.12"; }
prefix=
case "${1:-}" in
-h|--help) usage; exit 0 ;;
--kernel-paths) prefix=drivers/gpu/drm/amd/; shift ;;
esac
[ $# = 1 ] || { usage >&2; exit 2; }
line=$1
hooks=$XSCHED_TOP/kmod/amdkfd/hooks-$line.patch
[ -f "$hooks" ] || { echo "$0: no hooks for line '$line'" >&2; usage >&2; exit 2; }

# new_file SRC DEST: a unified diff creating DEST with SRC's contents.
new_file() {
	local src=$1 dest=$2 n
	n=$(wc -l <"$src")
	echo "diff -ruN a/$dest b/$dest"
	echo "--- /dev/null"
	echo "+++ b/$dest"
	echo "@@ -0,0 +1,$n @@"
	sed 's/^/+/' "$src"
}

{
	sed -E "s#^(diff -ruN a/)([^ ]*) b/#\1$prefix\2 b/$prefix#;
		s#^(---|\+\+\+) ([ab])/#\1 \2/$prefix#" "$hooks"
	new_file "$XSCHED_TOP/kmod/amdkfd/kfd_xsched.c" "${prefix}amdkfd/kfd_xsched.c"
	new_file "$XSCHED_TOP/kmod/include/kfd_xsched.h" "${prefix}amdkfd/kfd_xsched.h"
}
