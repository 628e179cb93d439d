#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's real 6.1, 6.12 and newest 7.x kernels (7.x: scripts/debian-7x.sh),
# and the debug kernel built
# from Debian's 6.12 source (scripts/debug-kernel.sh: KASAN, lockdep,
# DEBUG_PAGEALLOC, kmemleak...), in QEMU (TCG) with a busybox initramfs
# holding xsched's modules and the static tests/user programs
# (scripts/lib.sh's guest_*; the guest runs scripts/qemu-job-tests.sh);
# report every test case.  A run fails on any failed case, a program
# that reports fewer cases than it declares, a missing result, a module
# that does not unload, a kmemleak report or a splat in the kernel log.
#
# --only PROGRAM stages that one tests/user program; --repeat N runs
# each program N times in the one boot (every run reports its cases), to
# show that a test is not flaky.  --env VAR=VALUE sets a variable for
# the test programs (e.g. XSCHED_CHURN_SECONDS=300 for a longer churn).
#
# Guests boot with the CPU that scripts/lib.sh (qemu_cpu_args) finds this
# QEMU emulates correctly: Debian 12's QEMU 7.2 gets the flags of
# CMPXCHG16B wrong, which corrupted the 6.12 guest under queue churn, so
# its guests run without CX16.
#
# Usage: scripts/qemu-test.sh [--line 6.1|6.12|7.x|debug|kasan|kcsan]... [--timeout SECONDS]
#                             [--only PROGRAM] [--repeat N] [--env VAR=VALUE]...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--line 6.1|6.12|7.x|debug|kasan|kcsan]... [--timeout SECONDS] [--only PROGRAM] [--repeat N] [--env VAR=VALUE]..."; }
lines=()
timeout_s=600
only=
repeat=1
envs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] || { usage >&2; exit 2; }; lines+=("$2"); shift 2 ;;
	--timeout) [ $# -ge 2 ] || { usage >&2; exit 2; }; timeout_s=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || { usage >&2; exit 2; }; only=$2; shift 2 ;;
	--repeat)
		[ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]{0,3}$ ]] || { usage >&2; exit 2; }
		repeat=$2; shift 2 ;;
	--env)
		[ $# -ge 2 ] && [[ "$2" =~ ^[A-Z_][A-Z0-9_]*=[A-Za-z0-9_.,:/-]*$ ]] ||
			{ usage >&2; exit 2; }
		envs+=("$2"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(6.1 6.12 7.x debug)

ensure_deps
debian_kernels
modules=(xsched xsched_sim)

make -C "$XSCHED_TOP/tests/user" --no-print-directory OUT="$XSCHED_BUILD/user" >&2

run_line() {
	local line=$1 kver name work log
	kver=$(kver_of_line "$line") || { usage >&2; exit 2; }
	name=qemu-$line
	# One program's run keeps its own log beside the whole run's.
	work=$XSCHED_BUILD/qemu/$line${only:+-$only}
	log=$XSCHED_BUILD/logs/$name${only:+-$only}.log

	if ! guest_stage "$work" "$kver" "$XSCHED_TOP/scripts/qemu-job-tests.sh"; then
		result fail "$name/build" "$kver"
		return
	fi
	mkdir -p "$work/root/tests"
	printf '%s\n' "${modules[@]}" >"$work/root/modules/order"
	echo "$repeat" >"$work/root/tests.repeat"
	printf 'export %s\n' ${envs[@]+"${envs[@]}"} >"$work/root/tests.env"
	if [ -n "$only" ]; then
		[ -x "$XSCHED_BUILD/user/$only" ] ||
			{ echo "$0: no test program $only" >&2; exit 2; }
		cp "$XSCHED_BUILD/user/$only" "$work/root/tests/"
	else
		find "$XSCHED_BUILD/user" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$work/root/tests/" \;
	fi
	# xschedctl, the HIP test double, and the shared libraries of the
	# few dynamically linked programs (with the dynamic loader).
	cp "$XSCHED_BUILD/user/bin/"* "$work/root/bin/"
	mkdir -p "$work/root/lib/xsched-test"
	cp "$XSCHED_BUILD/user/lib/"* "$work/root/lib/xsched-test/"
	local t
	for t in "$work/root/tests/"* "$work/root/lib/xsched-test/"*; do
		ldd "$t" 2>/dev/null | grep -oE '/[^ ]+' |
			while read -r so; do cp -L --parents "$so" "$work/root/"; done ||
			true	# static programs have none
	done

	echo "qemu: booting $kver" >&2
	local t0=$SECONDS done=1
	local limit=$timeout_s
	case "$line" in debug|kasan|kcsan) limit=$((timeout_s * 3)) ;; esac	# checkers slow it
	guest_boot "$work" "$kver" "$log" "$limit" || done=0
	echo "qemu: $kver finished in $((SECONDS - t0)) s, log: $log" >&2

	guest_report "$name" "$log" "$done"
}

for line in "${lines[@]}"; do
	run_line "$line"
done
summary
