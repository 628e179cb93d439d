# SPDX-License-Identifier: GPL-2.0
#
# What xsched itself costs the host's CPU while a bench-hw scenario runs,
# from its own counters (sourced by bench/hw/run.sh; ROOT is "" on a host,
# a fake tree in scripts/bench-hw-check.sh):
#   xs_snap ROOT        one line: time (XS_NOW_NS, if set) and the counters summed over every
#                       domain, plus the deciders' CPU time (schedstat)
#   xs_cost LABEL A B   the "COST ..." line between two snapshots:
#                       poll and decider CPU in % of one core, polls,
#                       runlist changes and decider wake-ups per second
XS_COST_FIELDS="poll_ns polls decisions poll_decisions pauses resumes"

xs_snap() {
	local root=$1 f d c sum cpu=0 pid
	printf "%s" "${XS_NOW_NS:-$(date +%s%N)}"
	for f in $XS_COST_FIELDS; do
		sum=0
		for d in "$root"/sys/class/misc/xsched/domains/*; do
			[ -r "$d/$f" ] && sum=$((sum + $(cat "$d/$f")))
		done
		printf ' %s' "$sum"
	done
	for c in "$root"/proc/[0-9]*/comm; do
		[ -r "$c" ] || continue
		case $(cat "$c" 2>/dev/null) in
		xsched/*)
			pid=${c%/comm}
			cpu=$((cpu + $(awk '{ print $1 }' "$pid/schedstat" 2>/dev/null || echo 0)))
			;;
		esac
	done
	printf ' %s\n' "$cpu"
}

xs_cost() {
	awk -v label="$1" -v a="$2" -v b="$3" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		dt = (y[1] - x[1]) / 1e9
		if (n != 8 || dt <= 0) { printf "COST label=%s status=unavailable\n", label; exit }
		printf "COST label=%s status=ok seconds=%.1f poll_pct=%.3f decider_cpu_pct=%.3f polls_per_s=%.0f changes_per_s=%.1f decider_runs_per_s=%.1f poll_decisions_per_s=%.1f\n",
			label, dt, (y[2] - x[2]) / dt / 1e7, (y[8] - x[8]) / dt / 1e7,
			(y[3] - x[3]) / dt, (y[6] - x[6] + y[7] - x[7]) / dt,
			(y[4] - x[4] - (y[5] - x[5])) / dt, (y[5] - x[5]) / dt }'
}
