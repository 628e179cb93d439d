#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The hardware bench kit (bench/hw/) without hardware: its HIP programs
# compiled by Debian's hipcc 7.0 (ROCm 6.4, in the sid chroot of
# scripts/rocm-sid.sh) for gfx942 and gfx950, and their code objects
# checked to be for exactly those GPUs (the offload bundle's targets, and
# each code object's ELF machine); two_model.py checked by pyflakes and
# run in its dry-run mode (arguments, report) on the CPU; and
# make bench-hw refusing to run, with what is missing, on a host without
# a GPU and on a made-up one with a GPU but no xsched; and the kit's
# account of xsched's own CPU on made-up counters.  Nothing here runs
# on a GPU.
#
# Usage: scripts/bench-hw-check.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"

out=$XSCHED_BUILD/bench-hw-ci
log=$XSCHED_BUILD/logs/bench-hw.log
mkdir -p "$XSCHED_BUILD/logs" "$out"
: >"$log"
sid=$XSCHED_TOP/scripts/rocm-sid.sh
archs="gfx942 gfx950"
progs="systematic preempt_lat serving attach_check"

# attach_check links libxsched, built here by the host's gcc.
make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$XSCHED_BUILD/userlib" >>"$log" 2>&1 || true
# A remade chroot (another hipcc) rebuilds the programs.
"$sid" --ensure >>"$log" 2>&1 || true
[ "$("$sid" --root)/.xsched-stamp" -nt "$out/systematic" ] && rm -rf "${out:?}"/*
if "$sid" --ensure >>"$log" 2>&1 &&
   "$sid" --run -b "$XSCHED_TOP" -b "$out" -b "$XSCHED_BUILD/userlib" -- \
	make -C "$XSCHED_TOP/bench/hw" --no-print-directory OUT="$out" \
	LIBOUT="$XSCHED_BUILD/userlib" OFFLOAD_ARCH="$archs" >>"$log" 2>&1; then
	result pass bench-hw/hipcc-gfx942-gfx950
	"$sid" --versions >>"$log" 2>&1 || true
else
	tail -20 "$log" >&2
	result fail bench-hw/hipcc-gfx942-gfx950 "log: $log"
fi

# code-objects P: the bundle's device targets and each object's ELF machine.
code_objects() {
	"$sid" --run -b "$out" -- sh -c '
		set -e
		d=$(mktemp -d); trap "rm -rf $d" EXIT
		llvm-objcopy-21 --dump-section .hip_fatbin="$d/fb" "$1"
		b=/usr/lib/llvm-21/bin/clang-offload-bundler
		$b --list --type=o --input="$d/fb" | grep amdgcn | sed "s/.*--//" | sort | tr "\n" " "
		for t in $($b --list --type=o --input="$d/fb" | grep amdgcn | sort); do
			$b --unbundle --type=o --input="$d/fb" --targets="$t" --output="$d/co"
			llvm-readelf-21 -h "$d/co" | grep -q "Machine: *EM_AMDGPU" &&
			llvm-readelf-21 -h "$d/co" |
				sed -n "s/^ *Flags: *0x[0-9a-fA-F]*, \(gfx[0-9a-f]*\).*/\1/p" | tr "\n" " "
		done' sh "$1"
}
for p in $progs; do
	if [ ! -x "$out/$p" ]; then
		result fail "bench-hw/code-objects/$p" "not built"
		continue
	fi
	got=$(code_objects "$out/$p" 2>>"$log" || true)
	if [ "$got" = "gfx942 gfx950 gfx942 gfx950 " ]; then
		result pass "bench-hw/code-objects/$p"
	else
		result fail "bench-hw/code-objects/$p" "targets and machines: '$got'"
	fi
done

py=$XSCHED_TOP/bench/hw/two_model.py
if pyflakes3 "$py" >>"$log" 2>&1; then
	result pass bench-hw/two-model-pyflakes
else
	result fail bench-hw/two-model-pyflakes "log: $log"
fi
dry=$(python3 "$py" --dry-run --seconds 3 2>>"$log" || echo "exit $?")
if grep -q '^scenario .*P99' <<<"$dry" && grep -q '^TWO label=both_xsched_priorities requests=30 ' <<<"$dry" &&
   grep -q 'DRY RUN' <<<"$dry"; then
	result pass bench-hw/two-model-dry-run
else
	result fail bench-hw/two-model-dry-run "$(head -3 <<<"$dry")"
fi
rc=0; python3 "$py" --high 16 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && result pass bench-hw/two-model-bad-priority-exit-2 ||
	result fail bench-hw/two-model-bad-priority-exit-2 "exit $rc"

# make bench-hw here (no GPU): exit 1, naming /dev/kfd and xsched.ko.
rc=0; msg=$(make -C "$XSCHED_TOP" --no-print-directory bench-hw 2>&1) || rc=$?
if [ "$rc" != 0 ] && grep -q 'missing:' <<<"$msg" && grep -q '/dev/kfd' <<<"$msg" &&
   grep -q 'xsched.ko is not loaded' <<<"$msg" && ! grep -q 'report written' <<<"$msg"; then
	result pass bench-hw/no-gpu-refuses
else
	result fail bench-hw/no-gpu-refuses "exit $rc: $(tail -3 <<<"$msg")"
fi
# A made-up host with an MI300 and ROCm, but no xsched: only that is missing.
fake=$(mktemp -d)
trap 'rm -rf "$fake"; rm -f "$_xs_local_results"' EXIT
mkdir -p "$fake/dev" "$fake/sys/class/kfd/kfd/topology/nodes/1" "$fake/opt/rocm/bin"
touch "$fake/dev/kfd"
printf 'cpu_cores_count 0\ngfx_target_version 90402\n' \
	>"$fake/sys/class/kfd/kfd/topology/nodes/1/properties"
printf '#!/bin/sh\nexit 0\n' >"$fake/opt/rocm/bin/hipcc"
chmod +x "$fake/opt/rocm/bin/hipcc"
rc=0; msg=$(HIPCC= PATH=/usr/bin:/bin XSCHED_HW_SYSROOT=$fake "$XSCHED_TOP/bench/hw/run.sh" 2>&1) || rc=$?
if [ "$rc" = 1 ] && grep -q 'xsched.ko is not loaded' <<<"$msg" &&
   grep -q 'patched amdgpu' <<<"$msg" && ! grep -qE '/dev/kfd|gfx942|hipcc' <<<"$msg"; then
	result pass bench-hw/gpu-without-xsched-refuses
else
	result fail bench-hw/gpu-without-xsched-refuses "exit $rc: $msg"
fi
# The kit's account of xsched's own CPU, on a made-up sysfs and /proc:
# two domains and a decider, counters moved by known amounts over 2 s.
. "$XSCHED_TOP/bench/hw/xs_cost.sh"
xs_set() {	# xs_set DOMAIN poll_ns polls decisions poll_decisions pauses resumes
	local d=$fake/sys/class/misc/xsched/domains/$1 f
	shift
	mkdir -p "$d"
	for f in $XS_COST_FIELDS; do echo "$1" >"$d/$f"; shift; done
}
mkdir -p "$fake/proc/4242"
echo "xsched/1001" >"$fake/proc/4242/comm"
xs_set 1001 1000000 100 10 4 3 3; xs_set 1002 0 50 1 0 0 0
echo "50000000 0 0" >"$fake/proc/4242/schedstat"
a=$(XS_NOW_NS=1000000000 xs_snap "$fake")
xs_set 1001 21000000 20100 1010 404 303 303; xs_set 1002 20000000 10050 601 0 300 300
echo "90000000 0 0" >"$fake/proc/4242/schedstat"
b=$(XS_NOW_NS=3000000000 xs_snap "$fake")
got=$(xs_cost t "$a" "$b")
want="COST label=t status=ok seconds=2.0 poll_pct=2.000 decider_cpu_pct=2.000 polls_per_s=15000 changes_per_s=600.0 decider_runs_per_s=600.0 poll_decisions_per_s=200.0"
[ "$got" = "$want" ] && result pass bench-hw/xsched-cost-figures ||
	result fail bench-hw/xsched-cost-figures "got '$got'"
got=$(xs_cost t "$a" "$a")
[ "$got" = "COST label=t status=unavailable" ] && result pass bench-hw/xsched-cost-no-time ||
	result fail bench-hw/xsched-cost-no-time "got '$got'"
rc=0; "$XSCHED_TOP/bench/hw/run.sh" --frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && result pass bench-hw/usage-exit-2 || result fail bench-hw/usage-exit-2 "exit $rc"
summary
