#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-hw: the hardware bench kit on a ROCm host with an MI300
# (gfx942) or MI350 (gfx950).  Checks what it needs and says what is
# missing (exit 1, nothing run); otherwise builds libxsched, xschedctl,
# libxsched-hsa and the HIP programs for the GPU found, and runs, with
# xsched's domains at the policy they have (normally hpf) and at "none"
# (no scheduler; the policy is restored after each run):
#
#   systematic   2048x2048 sgemm tasks (30 per task, 10 tasks per client):
#                1 alone, 3 alone, 16 with no scheduler, 3 high + 13 low,
#                1 high + 15 low -- the table of make demo
#   preempt_lat  launch-to-start of a high-priority kernel while
#                low-priority spin kernels fill the GPU: alone, none, xsched
#   serving      inference at 10, 20, 50 req/s next to two training
#                clients: alone, none, xsched
#   two_model.py ResNet-18 serving next to ResNet-50 training (PyTorch for
#                ROCm; skipped, and said so, if it is not installed)
#   attach_check xsched_attach_hip_stream through libxsched-hsa, against
#                xsched's own list of the process's queues
#   cost         xsched's own CPU (bench/hw/xs_cost.sh) during each serving
#                run with xsched, and idle (no GPU work)
#
# Queue priorities come from libxsched-hsa (HSA_TOOLS_LIB, XSCHED_PRIORITY
# per client process), the two-model's from xschedctl renice.  Writes one
# report file (tables, then every raw line) to send back.
#
# Usage: bench/hw/run.sh [--out FILE] [--tasks N] [--serve-seconds N] [--quick]
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$TOP/bench/report.sh"
. "$TOP/bench/hw/xs_cost.sh"

usage() { echo "usage: $0 [--out FILE] [--tasks N] [--serve-seconds N] [--quick]"; }
out=
tasks=10
serve_s=10
quick=0
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift 2 ;;
	--tasks) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; tasks=$2; shift 2 ;;
	--serve-seconds) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; serve_s=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "$quick" = 0 ] || { tasks=2; serve_s=3; }

# XSCHED_HW_SYSROOT (tests only) reads /dev, /sys and /opt from elsewhere.
R=${XSCHED_HW_SYSROOT:-}
missing=()
need() { missing+=("$1"); }

[ -e "$R/dev/kfd" ] || need "/dev/kfd: no AMD GPU with amdgpu's KFD on this host"
arch=
for p in "$R"/sys/class/kfd/kfd/topology/nodes/*/properties; do
	[ -r "$p" ] || continue
	v=$(awk '$1 == "gfx_target_version" { print $2 }' "$p")
	case "$v" in
	90402) arch=gfx942 ;;
	90500) arch=gfx950 ;;
	esac
	[ -n "$arch" ] && break
done
[ -n "$arch" ] || need "an MI300 (gfx942) or MI350 (gfx950) GPU in /sys/class/kfd/kfd/topology"
HIPCC=${HIPCC:-$(command -v hipcc || true)}
[ -n "$HIPCC" ] || { [ -x "$R/opt/rocm/bin/hipcc" ] && HIPCC=$R/opt/rocm/bin/hipcc; } ||
	need "hipcc (ROCm's HIP compiler: Debian's hipcc, or /opt/rocm/bin/hipcc)"
[ -d "$R/sys/module/xsched" ] || need "xsched.ko is not loaded (make; insmod build/\$(uname -r)/xsched.ko, or make dkms-install)"
prov=$(cat "$R/sys/class/misc/xsched/providers" 2>/dev/null || true)
case " $prov " in
*" amdkfd "*) ;;
*) need "xsched is not bound to amdkfd (providers: '${prov:-none}'): the patched amdgpu is not loaded (docs/mi300.md)" ;;
esac
command -v gcc >/dev/null || need "gcc (to build libxsched and xschedctl)"
[ "$(id -u)" = 0 ] || need "root (the kit switches xsched's domain policies between their own and none)"
if [ "${#missing[@]}" -gt 0 ]; then
	echo "bench-hw: cannot run; missing:" >&2
	printf '  - %s\n' "${missing[@]}" >&2
	echo "bench-hw: see docs/mi300.md" >&2
	exit 1
fi

build=$TOP/build/bench-hw
out=${out:-$build/report-$(hostname -s)-$(date -u +%Y%m%dT%H%M%SZ).txt}
raw=$build/raw.txt
mkdir -p "$build"
: >"$raw"
echo "bench-hw: building libxsched and the HIP programs for $arch" >&2
make -C "$TOP/userlib" --no-print-directory OUT="$TOP/build/userlib" >&2
make -C "$TOP/bench/hw" --no-print-directory OUT="$build" HIPCC="$HIPCC" OFFLOAD_ARCH="$arch" >&2
export HSA_TOOLS_LIB=$TOP/build/userlib/libxsched-hsa.so.0
export HSA_TOOLS_ROCPROFILER_V1_TOOLS=1	# AMD's ROCr would skip HSA_TOOLS_LIB otherwise
export HSA_TOOLS_REPORT_LOAD_FAILURE=1
CTL=$TOP/build/userlib/xschedctl
export LD_LIBRARY_PATH=$TOP/build/userlib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

doms=(/sys/class/misc/xsched/domains/*)
declare -A policy
for d in "${doms[@]}"; do policy[$d]=$(cat "$d/policy"); done
restore() { local d; for d in "${doms[@]}"; do echo "${policy[$d]}" >"$d/policy" || true; done; }
trap restore EXIT
sched() {	# sched none|xsched
	local d
	for d in "${doms[@]}"; do
		if [ "$1" = none ]; then echo none >"$d/policy"; else echo "${policy[$d]}" >"$d/policy"; fi
	done
}
run() {	# run MODE CMD...: one program, its lines into $raw
	sched "$1"
	shift
	echo "bench-hw: $*" >&2
	"$@" | tee -a "$raw" || echo "bench-hw: failed: $*" >&2
}
# cost LABEL CMD...: run (with xsched) and what xsched's polls and
# deciders cost the CPU meanwhile.
cost() {
	local label=$1 a
	shift
	sched xsched
	a=$(xs_snap "$R")
	if [ "$1" = idle ]; then sleep "$2"; else run xsched "$@"; fi
	xs_cost "$label" "$a" "$(xs_snap "$R")" | tee -a "$raw"
}
B=$build
run xsched "$B/attach_check" -l attach
run xsched "$B/systematic" -l a -n 1 -H 1 -t "$tasks"
run xsched "$B/systematic" -l a3 -n 3 -H 3 -t "$tasks"
run none "$B/systematic" -l b -n 16 -H 3 -t "$tasks"
run xsched "$B/systematic" -l c -n 16 -H 3 -t "$tasks"
run xsched "$B/systematic" -l d -n 16 -H 1 -t "$tasks"
run xsched "$B/preempt_lat" -l alone -L 0
run none "$B/preempt_lat" -l none
run xsched "$B/preempt_lat" -l xs
run xsched "$B/serving" -l train -r 0 -T 2 -d "$serve_s"
tk=$(kv "$(kv_line "$raw" SERVE train)" train_kernel_us)
tk=${tk%.*}
for r in 10 20 50; do
	run xsched "$B/serving" -l "alone-$r" -r "$r" -T 0 -d "$serve_s"
	run none "$B/serving" -l "none-$r" -r "$r" -T 2 -U "${tk:-0}" -d "$serve_s"
	cost "serve-$r" "$B/serving" -l "xs-$r" -r "$r" -T 2 -U "${tk:-0}" -d "$serve_s"
done
cost idle idle "$serve_s"	# no GPU work: the cost of watching idle queues
two="two-model: skipped: PyTorch for ROCm (torch, torchvision) is not installed"
if python3 -c 'import torch, torchvision; assert torch.version.hip' 2>/dev/null; then
	sched xsched
	two=$(unset HSA_TOOLS_LIB; python3 "$TOP/bench/hw/two_model.py" --xschedctl "$CTL" \
		--seconds "$((serve_s * 3))" 2>&1) || two="two-model: failed: $two"
fi
restore

pl_table() {
	local l line
	printf '%-30s | %-26s | %-26s\n' "preemption probe" "start P50/P99/max (device)" "event P50/P99/max"
	printf '%-30s-|-%-26s-|-%-26s\n' | tr ' ' '-'
	for l in alone none xs; do
		line=$(kv_line "$raw" PL "$l")
		case $l in
		alone) name="high alone" ;;
		none) name="under load, no scheduler" ;;
		xs) name="under load, xsched" ;;
		esac
		[ "$(kv "$line" status)" = ok ] || { printf '%-30s | failed or did not run\n' "$name"; continue; }
		printf '%-30s | %-26s | %-26s\n' "$name" \
			"$(kv "$line" start_p50_us) / $(kv "$line" start_p99_us) / $(kv "$line" start_max_us) us" \
			"$(kv "$line" event_p50_us) / $(kv "$line" event_p99_us) / $(kv "$line" event_max_us) us"
	done
}
{
	echo "xsched bench-hw report: $(hostname -s), $arch, $(date -u +%FT%TZ)"
	echo "kernel $(uname -r); xsched providers: $prov; domain policies: ${policy[*]}"
	echo "hipcc: $("$HIPCC" --version 2>&1 | head -1)"
	echo "MEASURED on this host's GPU (not modelled)."
	echo
	echo "attach (libxsched-hsa; XSCHED_HSA_PRIORITIES=2,7,12):"
	grep '^ATTACH ' "$raw" || echo "attach_check did not run"
	echo
	echo "systematic (2048x2048 sgemm, 30 per task, $tasks tasks per client):"
	sys_table "$raw" || true
	echo
	pl_table
	echo
	echo "serving (inference of 12 512x512 sgemms per request, 2 training clients of 2048x2048):"
	serve_table "$raw" || true
	echo
	echo "$two"
	echo
	echo "xsched's own CPU (its counters; % of one core; targets: watching <= 1% idle, <= 2% under load):"
	grep '^COST ' "$raw" || echo "no cost lines"
	echo
	echo "raw:"
	cat "$raw"
} >"$out"
cat "$out"
echo "bench-hw: report written to $out; please send it back" >&2
