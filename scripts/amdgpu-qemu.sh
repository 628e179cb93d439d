#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The patched amdgpu.ko in QEMU, with no GPU: the first time the real
# provider code runs.  For each line, build (or take from the cache) the
# whole patched amdgpu.ko (scripts/amdgpu-build.sh), boot Debian's
# kernel of that line in QEMU (TCG) with amdgpu's Debian dependencies
# (the closure modules.dep of the matching linux-image lists, unpacked
# from Debian's .ko.xz), the patched amdgpu.ko and xsched.ko, and run
# scripts/qemu-job-amdgpu.sh there: load, xsched bound to amdkfd with no
# domains, amdgpu unloaded while bound and loaded again (xsched binds
# again), xsched and amdgpu unloaded, kernel log clean.  The build
# time, and the guest's load times, are printed.
#
# Usage: scripts/amdgpu-qemu.sh [--line 7.x|6.12]... [--timeout SECONDS]
#   (default: 7.x, which make check runs; make check-full adds 6.12)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--line 7.x|6.12]... [--timeout SECONDS]"; }
lines=()
timeout_s=900
while [ $# -gt 0 ]; do
	case "$1" in
	--line)
		[ $# -ge 2 ] && [[ "$2" =~ ^(7\.x|6\.12)$ ]] || { usage >&2; exit 2; }
		lines+=("$2"); shift 2 ;;
	--timeout) [ $# -ge 2 ] || { usage >&2; exit 2; }; timeout_s=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(7.x)

ensure_deps
debian_kernels

# The cases the guest job reports when everything runs (module loads
# and unloads are checks, reported besides).
cases=(kfd/dev-kfd kfd/exports-kfd_xsched_get_ops xsched/bound-amdkfd
	xsched/no-domains xsched/provider-gone xsched/serves-without-provider
	xsched/no-domains-without-provider xsched/rebound-amdkfd
	xsched/no-domains-after-rebind)

# stage_deps KVER DIR: amdgpu's dependencies for KVER, decompressed into
# DIR, with DIR/order listing them in load order.
stage_deps() {
	local kver=$1 dir=$2 mods dep m n=0
	mods=$(image_dir "$kver")
	dep=$(grep -E '^kernel/drivers/gpu/drm/amd/amdgpu/amdgpu\.ko(\.xz|\.zst|\.gz)?:' "$mods/modules.dep") ||
		{ echo "no amdgpu in $mods/modules.dep" >&2; return 1; }
	mkdir -p "$dir"
	: >"$dir/order"
	# modules.dep lists the closure, each module after those using it:
	# load from the end.
	for m in $(echo "${dep#*:}" | tr ' ' '\n' | grep . | tac); do
		n=$((n + 1))
		case "$m" in
		*.xz) xz -dc "$mods/$m" ;;
		*.zst) zstd -qdc "$mods/$m" ;;
		*.gz) gzip -dc "$mods/$m" ;;
		*) cat "$mods/$m" ;;
		esac >"$dir/$(basename "${m%.*}" .ko).ko"
		basename "${m%.*}" .ko | sed 's/$/.ko/' >>"$dir/order"
	done
	echo "$n"
}

run_line() {
	local line=$1 kver name work log ko t0 ndeps secs
	kver=$(kver_of_line "$line")
	name=amdgpu-$line
	work=$XSCHED_BUILD/qemu/$name
	log=$XSCHED_BUILD/logs/$name.log

	t0=$SECONDS
	if ! ko=$("$XSCHED_TOP/scripts/amdgpu-build.sh" "$line"); then
		result fail "$name/build" "scripts/amdgpu-build.sh $line failed"
		return
	fi
	read -r secs mode <"$(dirname "$ko")/build-seconds"
	result pass "$name/build" "built ($mode) in $secs s; this run took $((SECONDS - t0)) s (cache: $(dirname "$ko"))"
	if [ "$(cat "$(dirname "$ko")/warnings")" = 0 ]; then
		result pass "$name/build-warning-free"
	else
		result fail "$name/build-warning-free" \
			"$(cat "$(dirname "$ko")/warnings") warnings, log: $(dirname "$ko")/build.log"
	fi

	if ! guest_stage "$work" "$kver" "$XSCHED_TOP/scripts/qemu-job-amdgpu.sh"; then
		result fail "$name/xsched-build" "$kver"
		return
	fi
	rm -f "$work/root/modules/xsched_sim.ko"
	cp "$ko" "$work/root/modules/amdgpu.ko"
	if ! ndeps=$(stage_deps "$kver" "$work/root/modules/deps"); then
		result fail "$name/deps" "no modules.dep entry for amdgpu"
		return
	fi
	echo "amdgpu-qemu: booting $kver with $ndeps dependencies, the patched amdgpu.ko and xsched.ko" >&2
	t0=$SECONDS
	local done=1
	guest_boot "$work" "$kver" "$log" "$timeout_s" || done=0
	echo "amdgpu-qemu: $kver finished in $((SECONDS - t0)) s, log: $log" >&2
	sed -n 's/^XT INFO \(.*\)/amdgpu-qemu: '"$line"': \1/p' "$log" >&2

	local c
	for c in "${cases[@]}"; do
		grep -qE "^XT (PASS|FAIL|SKIP) $c( |$)" "$log" ||
			result fail "$name/$c" "not reported (an earlier step failed; see $log)"
	done
	guest_report "$name" "$log" "$done"
}

for line in "${lines[@]}"; do
	run_line "$line"
done
summary
