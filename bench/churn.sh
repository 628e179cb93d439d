#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The queue-churn soak: tests/user/churn for longer than make check runs
# it (default 300 s per kernel), on Debian's 6.12 and the debug kernel
# by default, several boots each.  Prints per boot the work done (queue
# create/destroy loops, short-lived child processes, high-priority
# bursts) and the test's verdicts; a boot that crashed shows as such.
# Each boot's serial log is kept as build/logs/churn-<line>-<boot>.log.
# Figures are from the simulated GPU (modelled).
#
# Usage: bench/churn.sh [--line 6.1|6.12|debug|kasan|kcsan]... [--seconds N] [--boots N]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

usage() { echo "usage: $0 [--line 6.1|6.12|debug|kasan|kcsan]... [--seconds N] [--boots N]"; }
lines=()
secs=300
boots=1
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] && [[ $2 =~ ^(6\.1|6\.12|debug|kasan|kcsan)$ ]] || { usage >&2; exit 2; }
		lines+=("$2"); shift 2 ;;
	--seconds) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,4}$ ]] || { usage >&2; exit 2; }
		secs=$2; shift 2 ;;
	--boots) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]?$ ]] || { usage >&2; exit 2; }
		boots=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(6.12 debug)

printf '%-6s %4s %8s %10s %9s %8s  %s\n' kernel boot seconds churn-loops children bursts verdict
for line in "${lines[@]}"; do
	for boot in $(seq "$boots"); do
		out=$(mktemp)
		rc=0
		"$XSCHED_TOP/scripts/qemu-test.sh" --line "$line" --only churn \
			--timeout $((secs * 4 + 300)) \
			--env "XSCHED_CHURN_SECONDS=$secs" >"$out" 2>&1 || rc=$?
		log=$XSCHED_BUILD/logs/churn-$line-$boot.log
		cp "$XSCHED_BUILD/logs/qemu-$line-churn.log" "$log"
		fig=$(sed -n 's/^churn: \([0-9]*\) s: high \([0-9]*\) bursts.*churners \([0-9]*\) + \([0-9]*\) loops, \([0-9]*\) children.*/\1 \2 \3 \4 \5/p' "$log" | tail -1)
		if [ -n "$fig" ]; then
			read -r s bursts c1 c2 kids <<<"$fig"
		else
			s=- bursts=- c1=- c2=0 kids=-
		fi
		verdict=$(bench_verdict "$rc" "$log" "$out")
		printf '%-6s %4s %8s %10s %9s %8s  %s\n' "$line" "$boot" "$s" \
			"$([ "$c1" = - ] && echo - || echo $((c1 + c2)))" "$kids" "$bursts" "$verdict"
		rm -f "$out"
	done
done
echo "reproduce: bench/churn.sh ${lines[*]/#/--line } --seconds $secs --boots $boots"
