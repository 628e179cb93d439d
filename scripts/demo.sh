#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the "systematic" scenario on a simulated MI300X node, in
# QEMU (TCG) on Debian's real kernel.  16 client processes each run tasks
# of 30 back-to-back 1 ms kernels: (a) one client alone (and the three
# high-priority clients alone), (b) 16 clients without a scheduler, (c)
# 16 with xsched, 3 high + 13 low priority, (d) 1 high + 15 low.  Prints
# task latency percentiles and total time per scenario, and what xsched
# did.  Then serving next to training (bench/serving, 2 s per run): an
# inference client at 10, 20 and 50 requests/s and the two-model row,
# next to training clients, with no scheduler and with xsched, against
# the inference client alone and the training alone.  Every baseline is
# warmed up first (bench/qemu-job.sh).
# Every figure is modelled by the simulator's hrtimers.  The guest
# runs on QEMU's instruction-counted clock by default (--clock icount; see
# guest_clock in scripts/lib.sh), so the host's own noise stays out.
#
# Exits non-zero if the build, QEMU or a scenario fails.
#
# Usage: scripts/demo.sh [--line 6.12|6.1] [--clock icount|real] [--tasks N] [--timeout SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$XSCHED_TOP/bench/report.sh"

usage() { echo "usage: $0 [--line 6.12|6.1] [--clock icount|real] [--tasks N] [--timeout SECONDS]"; }
line=6.12
clock=icount
tasks=10
timeout_s=300
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] && [[ $2 =~ ^(6\.1|6\.12)$ ]] || { usage >&2; exit 2; }; line=$2; shift 2 ;;
	--clock) [ $# -ge 2 ] && [[ $2 =~ ^(icount|real)$ ]] || { usage >&2; exit 2; }; clock=$2; shift 2 ;;
	--tasks) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; tasks=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; timeout_s=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

t_start=$SECONDS
ensure_deps
debian_kernels
kver=$(kver_of_line "$line")
work=$XSCHED_BUILD/demo
log=$XSCHED_BUILD/logs/demo.log

echo "demo: building xsched.ko and xsched_sim.ko for $kver and the demo client" >&2
make -C "$XSCHED_TOP/bench" --no-print-directory OUT="$XSCHED_BUILD/bench" >&2
guest_stage "$work" "$kver" "$XSCHED_TOP/bench/qemu-job.sh" ||
	{ echo "demo: module build failed for $kver" >&2; exit 1; }
mkdir -p "$work/root/bench"
cp "$XSCHED_BUILD/bench/systematic" "$XSCHED_BUILD/bench/serving" "$work/root/bench/"
cat >"$work/root/params" <<EOP
PARTS="systematic serving"
TASKS=$tasks
KERNELS=30
KERNEL_US=1000
TRACE=0
SERVE_S=2
SERVE_RATES="10 20 50"
SERVE_TRAIN=2
EOP

guest_clock "$clock"
echo "demo: booting Debian $kver in QEMU (TCG, no KVM, $qemu_clock_desc); about 60 s" >&2
t0=$SECONDS
rc=0
XSCHED_QEMU_ARGS="$qemu_clock_args" guest_boot "$work" "$kver" "$log" "$timeout_s" || rc=$?
echo "demo: guest ran $((SECONDS - t0)) s; serial log: $log" >&2

cat <<EOT

xsched demo -- Debian kernel $kver in QEMU (TCG, $qemu_clock_desc),
one simulated MI300X node (xsched_sim.ko, default parameters).  16 client processes; each runs $tasks
tasks of 30 back-to-back 1 ms kernels (30 ms per task when alone).
Latency = one task's wall time; total = until the last client finished.
ALL FIGURES ARE MODELLED on the simulated GPU (hrtimers), not measured on
hardware; CPU time is that of the emulated CPU.

EOT
fail=0
sys_table "$log" || fail=1
echo
sys_ratios "$log"
xstat_line "$log" c "(c)"
xstat_line "$log" d "(d)"
echo
echo "Serving next to training: 2 s per run (bench/run.sh --only serving runs 10 s),"
echo "2 training clients in the rate rows; times in ms."
echo
serve_table "$log" || fail=1
serve_notes
echo
if [ "$rc" != 0 ]; then
	tail -30 "$log" >&2
	echo "demo: FAILED: the guest did not finish (QEMU failed or timed out)" >&2
	fail=1
fi
if grep -E '^XT FAIL' "$log" >&2; then
	echo "demo: FAILED: a step failed in the guest" >&2
	fail=1
fi
if ! guest_log_clean "$log"; then
	echo "demo: FAILED: the kernel log has a splat; see $log" >&2
	fail=1
fi
echo "demo: $([ "$fail" = 0 ] && echo ok || echo FAILED) in $((SECONDS - t_start)) s"
exit "$fail"
