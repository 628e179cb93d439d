# SPDX-License-Identifier: GPL-2.0
# Formatting of the guest's key=value lines (bench/qemu-job.sh) on the
# host; sourced by scripts/demo.sh and bench/run.sh, not run.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "usage: . $0 (sourced by scripts/demo.sh and bench/run.sh; not run directly)"
	case "${1:-}" in -h|--help) exit 0 ;; *) exit 2 ;; esac
fi

# kv_line LOG PREFIX LABEL: the first "PREFIX label=LABEL ..." line.
kv_line() {
	grep -m1 "^$2 label=$3 " "$1" || true
}

# kv LINE KEY: the value of KEY=... in LINE ("" if absent).
kv() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

# ms US: microseconds as "12.3 ms" ("-" for none).
ms() {
	case "${1:-}" in
	""|-) echo "-" ;;
	*) awk -v v="$1" 'BEGIN { printf "%.1f ms\n", v / 1000 }' ;;
	esac
}

# ratio A B: A/B as "1.02x" ("-" if either is missing).
ratio() {
	case "${1:-}${2:-}" in
	*-*|"") echo "-"; return ;;
	esac
	[ -n "${1:-}" ] && [ -n "${2:-}" ] && [ "$2" != 0 ] || { echo "-"; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx\n", a / b }'
}

# sys_table LOG: the systematic scenarios as a table.  Returns non-zero
# if a scenario is missing or failed.
sys_table() {
	local log=$1 l line ok=0 name
	printf '%-44s | %9s | %9s | %9s | %9s | %8s\n' scenario "high P50" "high P99" "low P50" "low P99" total
	printf '%-44s-|-%9s-|-%9s-|-%9s-|-%9s-|-%8s\n' | tr ' ' '-'
	for l in a a3 b c d; do
		case $l in
		a) name="(a) 1 client alone" ;;
		a3) name="(a) 3 high-priority clients alone" ;;
		b) name="(b) 16 clients, no scheduler (3 at prio 11)" ;;
		c) name="(c) 16 clients, xsched, 3 high + 13 low" ;;
		d) name="(d) 16 clients, xsched, 1 high + 15 low" ;;
		esac
		line=$(kv_line "$log" SYS "$l")
		if [ "$(kv "$line" status)" != ok ]; then
			printf '%-44s | %s\n' "$name" "FAILED (see the log)"
			ok=1
			continue
		fi
		local lp50=- lp99=-
		if [ "$(kv "$line" low_n)" != 0 ]; then
			lp50=$(kv "$line" low_p50_us)
			lp99=$(kv "$line" low_p99_us)
		fi
		printf '%-44s | %9s | %9s | %9s | %9s | %6.2f s\n' "$name" \
			"$(ms "$(kv "$line" high_p50_us)")" "$(ms "$(kv "$line" high_p99_us)")" \
			"$(ms "$lp50")" "$(ms "$lp99")" \
			"$(awk -v v="$(kv "$line" total_us)" 'BEGIN { print v / 1e6 }')"
	done
	return $ok
}

# sys_ratios LOG: the targets of the systematic scenarios.
sys_ratios() {
	local log=$1 a a3 b c d
	a=$(kv_line "$log" SYS a); a3=$(kv_line "$log" SYS a3)
	b=$(kv_line "$log" SYS b); c=$(kv_line "$log" SYS c); d=$(kv_line "$log" SYS d)
	echo "high-priority task latency vs the same clients alone (target: within 1.10x):"
	echo "  (c) 3 high vs 3 alone: P50 $(ratio "$(kv "$c" high_p50_us)" "$(kv "$a3" high_p50_us)")," \
		"P99 $(ratio "$(kv "$c" high_p99_us)" "$(kv "$a3" high_p99_us)")"
	echo "  (d) 1 high vs 1 alone: P50 $(ratio "$(kv "$d" high_p50_us)" "$(kv "$a" high_p50_us)")," \
		"P99 $(ratio "$(kv "$d" high_p99_us)" "$(kv "$a" high_p99_us)")"
	echo "total time with xsched vs no scheduler (target: within 1.05x):" \
		"(c) $(ratio "$(kv "$c" total_us)" "$(kv "$b" total_us)")," \
		"(d) $(ratio "$(kv "$d" total_us)" "$(kv "$b" total_us)")"
}

# xstat_line LOG LABEL WHAT: one line of what xsched did (domain sysfs).
xstat_line() {
	local line
	line=$(kv_line "$1" XSTAT "$2")
	if [ "$(kv "$line" status)" != ok ]; then
		echo "xsched in $3: pauses, resumes, mean preemption latency: unavailable (no /sys/class/misc/xsched/domains/ in this xsched.ko)"
		return
	fi
	local lat
	lat=$(kv "$line" pause_lat_mean_ns)
	[ -n "$lat" ] && lat=$(awk -v v="$lat" 'BEGIN { printf "%.1f us", v / 1000 }') || lat=unavailable
	echo "xsched in $3 (domain $(kv "$line" domain)): pauses $(kv "$line" pauses)," \
		"resumes $(kv "$line" resumes), mean preemption latency $lat (modelled)," \
		"decisions $(kv "$line" decisions), errors $(kv "$line" errors), poll_us $(kv "$line" poll_us)"
}
