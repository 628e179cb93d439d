#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel coding style: checkpatch.pl (from Debian's linux-source-6.1) over
# every kernel-side source file; each file must be free of errors and
# warnings.
#
# Usage: scripts/checkpatch.sh [FILE...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
case "${1:-}" in
-h|--help) echo "usage: $0 [FILE...]"; exit 0 ;;
-*) echo "usage: $0 [FILE...]" >&2; exit 2 ;;
esac
ensure_deps
tree=$(kernel_tree 6.1)
cd "$XSCHED_TOP"
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(ls kmod/*.[ch] kmod/amdkfd/*.c uapi/*.h tests/kunit/*.c 2>/dev/null)
fi
for f in "${files[@]}"; do
	ignore=FILE_PATH_CHANGES,SPDX_LICENSE_TAG
	# The compat header is the one place kernel versions may be tested.
	case "$f" in
	*/xsched_compat.h) ignore=$ignore,LINUX_VERSION_CODE,CONSTANT_COMPARISON ;;
	esac
	if out=$(perl "$tree/scripts/checkpatch.pl" --no-tree --quiet \
		--ignore "$ignore" -f "$f" 2>&1) && [ -z "$out" ]; then
		result pass "checkpatch/$f"
	else
		echo "$out" >&2
		result fail "checkpatch/$f"
	fi
done
summary
