#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The soak: tests/user/soak for 10 minutes (default) per kernel: a
# priority-13 client in bursts, clients at priorities 0, 4 and 8 with
# back-to-back kernels, queue churn, and root changing priorities,
# switching the policy between hpf and none and moving resume_delay_us.
# Prints per boot the kernels submitted and completed, the pauses,
# resumes and provider errors, the queues paused at the end, kernel slab
# memory (SUnreclaim) before and after, and the verdict.  Each boot's
# serial log is kept as build/logs/soak-<line>.log.  Figures are from
# the simulated GPU (modelled).
#
# Usage: bench/soak.sh [--line 6.1|6.12|debug|kasan|kcsan]... [--seconds N]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

usage() { echo "usage: $0 [--line 6.1|6.12|debug|kasan|kcsan]... [--seconds N]"; }
lines=()
secs=600
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] && [[ $2 =~ ^(6\.1|6\.12|debug|kasan|kcsan)$ ]] || { usage >&2; exit 2; }
		lines+=("$2"); shift 2 ;;
	--seconds) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,4}$ ]] || { usage >&2; exit 2; }
		secs=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(6.12)

for line in "${lines[@]}"; do
	out=$(mktemp)
	rc=0
	"$XSCHED_TOP/scripts/qemu-test.sh" --line "$line" --only soak \
		--timeout $((secs * 2 + 600)) \
		--env "XSCHED_SOAK_SECONDS=$secs" >"$out" 2>&1 || rc=$?
	log=$XSCHED_BUILD/logs/soak-$line.log
	cp "$XSCHED_BUILD/logs/qemu-$line-soak.log" "$log"
	fig=$(grep -m1 '^soak: ' "$log" || echo "soak: no figures (see $log)")
	verdict=$(bench_verdict "$rc" "$log" "$out")
	echo "$line: $fig"
	echo "$line: $verdict"
	rm -f "$out"
done
echo "reproduce: $0 $(printf -- '--line %s ' "${lines[@]}")--seconds $secs"
