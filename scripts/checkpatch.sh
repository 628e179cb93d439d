#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel coding style: checkpatch.pl (from Debian's linux-source-6.1) over
# every kernel-side source file; each file must be free of errors and
# warnings.  Also: docs/ABI matches the sysfs attributes, and the QEMU
# front ends (demo, bench, qemu-test) answer bad options with usage, exit 2.
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
	mapfile -t files < <(ls kmod/*/*.[ch] uapi/*.h tests/kunit/*.c 2>/dev/null)
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

# Docs match the code: every sysfs file has its ABI entry, and back.
abi=$XSCHED_TOP/docs/ABI/sysfs-class-misc-xsched
for kind in dom:domains/\<gpu_id\> q:queues/\<id\>; do
	prefix=${kind%%:*} dir=${kind#*:}
	code=$(grep -o "&${prefix}_attr_[a-z_0-9]*\.attr" "$XSCHED_TOP/kmod/xsched/xsched_sysfs.c" |
		sed "s/&${prefix}_attr_//; s/\.attr//" | sort)
	docs=$(sed -n "s|^What:.*/${dir//\\/}/\([a-z_0-9]*\)$|\1|p" "$abi" | sort)
	if [ -n "$code" ] && [ "$code" = "$docs" ]; then
		result pass "abi-docs/${dir%%/*}"
	else
		diff <(echo "$code") <(echo "$docs") >&2 || true
		result fail "abi-docs/${dir%%/*}" "kmod/xsched/xsched_sysfs.c and $abi differ"
	fi
done
# The QEMU front ends refuse bad options with their usage line and exit 2,
# before they install or build anything; --help exits 0.
for cmd in "scripts/demo.sh --clock wall" "scripts/demo.sh --line 7" \
	   "bench/run.sh --clock wall" "bench/run.sh --only nothing" \
	   "scripts/qemu-test.sh --repeat 0" "bench/churn.sh --boots 0" \
	   "bench/fuzz.sh --calls 0" "bench/soak.sh --seconds 0"; do
	rc=0; err=$(bash "$XSCHED_TOP"/$cmd 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 2 ] && [[ $err == usage:* ]]; then
		result pass "usage/${cmd// /_}"
	else
		result fail "usage/${cmd// /_}" "exit $rc: $err"
	fi
done
# The guest's bench programs refuse bad options the same way (exit 2
# before touching a device); built here, they run on the host.
make -C "$XSCHED_TOP/bench" --no-print-directory OUT="$XSCHED_BUILD/bench" >/dev/null 2>&1 ||
	result fail usage/bench-build "make -C bench failed"
for args in "-i 1" "-i x" "-b 65"; do
	rc=0; err=$("$XSCHED_BUILD/bench/watch" $args 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 2 ] && [[ $err == usage:* ]]; then
		result pass "usage/bench/watch_${args// /_}"
	else
		result fail "usage/bench/watch_${args// /_}" "exit $rc: $err"
	fi
done
for cmd in scripts/demo.sh bench/run.sh scripts/qemu-test.sh bench/churn.sh \
	   bench/fuzz.sh bench/soak.sh; do
	rc=0; out=$(bash "$XSCHED_TOP/$cmd" --help 2>/dev/null) || rc=$?
	[ "$rc" = 0 ] && [[ $out == usage:* ]] && result pass "usage/$cmd--help" ||
		result fail "usage/$cmd--help" "exit $rc"
done
summary
