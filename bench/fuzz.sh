#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzzing at scale: tests/user/fuzz with many calls (default 10^6) per
# kernel, one boot per line (default 6.1, 6.12 and the debug kernel).
# Prints per boot the calls made, how many returned an error, the child
# processes, kernel slab memory (SUnreclaim) before and after, and the
# verdict (the harness fails a boot on any kernel report, kmemleak report
# on the debug kernel, or a failed case: a worker that crashed, queues
# left tracked or paused, knobs not restored).  Each boot's serial log is
# kept as build/logs/fuzz-<line>.log.  Figures are from the simulated GPU.
#
# Usage: bench/fuzz.sh [--line 6.1|6.12|debug|kasan|kcsan]... [--calls N]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

usage() { echo "usage: $0 [--line 6.1|6.12|debug|kasan|kcsan]... [--calls N]"; }
lines=()
calls=1000000
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] && [[ $2 =~ ^(6\.1|6\.12|debug|kasan|kcsan)$ ]] || { usage >&2; exit 2; }
		lines+=("$2"); shift 2 ;;
	--calls) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,8}$ ]] || { usage >&2; exit 2; }
		calls=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(6.1 6.12 debug)

printf '%-6s %10s %10s %9s %22s %8s  %s\n' kernel calls errors children "SUnreclaim kB (b/a)" seconds verdict
for line in "${lines[@]}"; do
	out=$(mktemp)
	rc=0
	t0=$SECONDS
	"$XSCHED_TOP/scripts/qemu-test.sh" --line "$line" --only fuzz \
		--timeout $((calls / 50 + 600)) \
		--env "XSCHED_FUZZ_CALLS=$calls" >"$out" 2>&1 || rc=$?
	log=$XSCHED_BUILD/logs/fuzz-$line.log
	cp "$XSCHED_BUILD/logs/qemu-$line-fuzz.log" "$log"
	read -r c e k <<<"$(sed -n 's/^fuzz: \([0-9]*\) calls (\([0-9]*\) returned an error), \([0-9]*\) children.*/\1 \2 \3/p' "$log" | tail -1)"
	slab=$(sed -n 's/^fuzz: SUnreclaim \(-\{0,1\}[0-9]*\) kB before, \(-\{0,1\}[0-9]*\) kB after.*/\1 \/ \2/p' "$log" | tail -1)
	verdict=$(bench_verdict "$rc" "$log" "$out")
	[ -n "${c:-}" ] || verdict="fail (no fuzz summary in $log)"
	printf '%-6s %10s %10s %9s %22s %8s  %s\n' "$line" "${c:--}" "${e:--}" \
		"${k:--}" "${slab:--}" $((SECONDS - t0)) "$verdict"
	rm -f "$out"
done
echo "reproduce: $0 $(printf -- '--line %s ' "${lines[@]}")--calls $calls"
