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
			printf '%-44s | %s\n' "$name" \
				"$([ -n "$line" ] && echo FAILED || echo "did not run") (see the log)"
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

# serve_rows LOG: the serving rows the guest ran, in its order.
serve_rows() {
	sed -n 's/^SERVE label=alone-\([^ ]*\) .*/\1/p' "$1"
}

# serve_lat NAME LINE: "P50 / P99 / max" of the inference requests in ms.
serve_lat() {
	[ "$(kv "$2" status)" = ok ] || { echo "failed"; return; }
	awk -v a="$(kv "$2" inf_p50_us)" -v b="$(kv "$2" inf_p99_us)" -v c="$(kv "$2" inf_max_us)" \
		'BEGIN { printf "%.2f / %.2f / %.2f\n", a / 1000, b / 1000, c / 1000 }'
}

# serve_get LOG ROW: sets al, no, xs (the row's runs alone, with no
# scheduler and with xsched), tr (its training alone) and name.
serve_get() {
	al=$(kv_line "$1" SERVE "alone-$2"); no=$(kv_line "$1" SERVE "none-$2")
	xs=$(kv_line "$1" SERVE "xs-$2")
	case $2 in
	rn) name="ResNet-18/50-like 10/s"; tr=$(kv_line "$1" SERVE train-rn) ;;
	*) name="$2 req/s"; tr=$(kv_line "$1" SERVE train) ;;
	esac
}

# serve_table LOG: inference latency and training throughput, with no
# scheduler and with xsched, against the baselines.  Returns non-zero if
# a run is missing or failed.
serve_table() {
	local log=$1 r al no xs tr ok=0 name
	printf '%-22s | %8s | %-22s | %-22s | %-22s | %-12s\n' row requests \
		"alone P50/P99/max ms" "no sched P50/P99/max" "xsched P50/P99/max" "P99 vs alone"
	printf '%-22s-|-%8s-|-%-22s-|-%-22s-|-%-22s-|-%-12s\n' | tr ' ' '-'
	for r in $(serve_rows "$log"); do
		serve_get "$log" "$r"
		for l in "$al" "$no" "$xs"; do [ "$(kv "$l" status)" = ok ] || ok=1; done
		printf '%-22s | %8s | %-22s | %-22s | %-22s | %-12s\n' "$name" "$(kv "$al" requests)" \
			"$(serve_lat "$r" "$al")" "$(serve_lat "$r" "$no")" "$(serve_lat "$r" "$xs")" \
			"$(ratio "$(kv "$no" inf_p99_us)" "$(kv "$al" inf_p99_us)") / $(ratio "$(kv "$xs" inf_p99_us)" "$(kv "$al" inf_p99_us)")"
	done
	echo
	printf '%-22s | %8s | %10s | %-20s | %-20s | %9s | %10s\n' row "training" "fair share" \
		"no sched: alone/fair" "xsched: alone/fair" "changes/s" "poll+decide"
	printf '%-22s-|-%8s-|-%10s-|-%-20s-|-%-20s-|-%9s-|-%10s\n' | tr ' ' '-'
	for r in $(serve_rows "$log"); do
		serve_get "$log" "$r"
		[ "$(kv "$tr" status)" = ok ] || ok=1
		awk -v name="$name" -v tw="$(kv "$tr" train_work_us)" -v tt="$(kv "$tr" window_us)" \
			-v iw="$(kv "$al" inf_work_us)" -v aw="$(kv "$al" window_us)" \
			-v nw="$(kv "$no" train_work_us)" -v nt="$(kv "$no" window_us)" \
			-v xw="$(kv "$xs" train_work_us)" -v xt="$(kv "$xs" window_us)" \
			-v ch="$(kv "$xs" pauses) $(kv "$xs" resumes)" \
			-v cpu="$(kv "$xs" decide_ns) $(kv "$xs" poll_ns)" 'BEGIN {
			split(ch, c, " "); split(cpu, p, " ")
			if (!tt || !aw || !nt || !xt) { printf "%-22s | unavailable (a run failed)\n", name; exit }
			alone = tw / tt; fair = alone * (1 - iw / aw)
			printf "%-22s | %7.1f%% | %9.1f%% | %7.1f%% / %8.1f%% | %7.1f%% / %8.1f%% | %9.1f | %9.2f%%\n",
				name, 100 * alone, 100 * fair, 100 * nw / nt / alone, 100 * nw / nt / fair,
				100 * xw / xt / alone, 100 * xw / xt / fair, (c[1] + c[2]) / (xt / 1e6), 100 * (p[1] + p[2]) / (xt * 1000) }'
	done
	return $ok
}

# serve_notes: what the serving tables show.
serve_notes() {
	cat <<'EON'
  Inference: one client at queue priority 11, Poisson arrivals (seeded: the
  same arrival times in every run of a row), each request a burst of kernels;
  latency = arrival -> end of its last kernel (queueing behind its own earlier
  requests included).  Rows "N req/s": 12 x 250 us kernels (3.0 ms alone)
  next to the training clients of 500 us kernels at priority 7.  ResNet-18/50:
  21 x 100 us kernels (2.1 ms, ResNet-18 at batch 1: ~20 conv layers) at
  10 req/s next to one client of 500 us kernels (ResNet-50 training: long
  convolution kernels, always busy).  All clients are root: own priorities
  order them.  Targets: inference P99 within 1.10x of alone; training >= 95%
  of its fair share.
  training: the node share of the training clients alone (work done /
  window); fair share: that times the node time the inference client leaves
  (1 - its work alone / window); then the training work with inference next
  to it against alone and against the fair share.  changes/s: xsched's own
  runlist changes (domain pauses + resumes per second; the simulator counts
  every runlist change but does not export the count); poll+decide: domain
  poll_ns + decide_ns over the window, % of one emulated core (decide_ns
  includes waiting for the modelled runlist changes).  The no scheduler
  runs have xsched not loaded.
EON
}

# watch_rows LOG: the cost-of-watching table's rows, from the WATCH lines
# of alternated runs without (off-B-R) and with (on-B-R) xsched: CPU
# taken is the median over the pairs, in % of one CPU; the floors (tickN-8w-R,
# empty timers without xsched) against the median run without of the
# busy-and-watched row.
watch_rows() {
	awk '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "WATCH" {
		delete f
		for (i = 2; i <= NF; i++) {
			k = substr($i, 1, index($i, "=") - 1)
			f[k] = substr($i, index($i, "=") + 1)
		}
		if (f["status"] != "ok" || !match(f["label"], /-[0-9]+$/))
			next
		r = substr(f["label"], RSTART + 1)
		key = substr(f["label"], 1, RSTART - 1)
		spins[key, r] = f["spins_per_s"]
		cpus[key] = f["cpus"]
		if (r > maxr)
			maxr = r
		for (k in f)
			sum[key, k] += f[k]
		runs[key]++
	}
	function row(name, b,   r, n, d, lo, hi, on, m) {
		n = 0
		for (r = 1; r <= maxr; r++)
			if ((("off-" b) SUBSEP r) in spins && (("on-" b) SUBSEP r) in spins &&
			    spins["off-" b, r] > 0) {
				d[++n] = 100 * (spins["off-" b, r] - spins["on-" b, r]) / (spins["off-" b, r] / cpus["on-" b])
				if (n == 1 || d[n] < lo) lo = d[n]
				if (n == 1 || d[n] > hi) hi = d[n]
			}
		if (!n) {
			printf "  %-26s | unavailable (a run failed)\n", name
			return
		}
		on = "on-" b
		m = runs[on]
		printf "  %-26s | %8.2f%% | %7.3f%% | %7.3f%% | %8.0f | %9.0f | %8.0f | %8.0f | %d: %.2f..%.2f%%, memo %.0f%%\n",
			name, med(d, n), sum[on, "poll_pct"] / m,
			sum[on, "decider_cpu_pct"] / m, sum[on, "polls_per_s"] / m,
			sum[on, "polled_per_s"] / m, sum[on, "changes_per_s"] / m,
			sum[on, "decider_runs_per_s"] / m, n, lo, hi,
			sum[on, "polls_per_s"] ? 100 * sum[on, "memo_polls_per_s"] / sum[on, "polls_per_s"] : 0
	}
	function floor(t,   r, n, d, o, lo, hi, ref, name) {
		n = 0
		for (r = 1; r <= maxr; r++)
			if ((("off-8w") SUBSEP r) in spins)
				o[++n] = spins["off-8w", r]
		name = sprintf("floor: %d empty timer%s", t, (t > 1 ? "s" : ""))
		if (!n) {
			printf "  %-26s | unavailable (a run failed)\n", name
			return
		}
		ref = med(o, n)
		n = 0
		for (r = 1; r <= maxr; r++)
			if ((("tick" t "-8w") SUBSEP r) in spins) {
				d[++n] = 100 * (ref - spins["tick" t "-8w", r]) / (ref / cpus["tick" t "-8w"])
				if (n == 1 || d[n] < lo) lo = d[n]
				if (n == 1 || d[n] > hi) hi = d[n]
			}
		if (!n) {
			printf "  %-26s | unavailable (a run failed)\n", name
			return
		}
		printf "  %-26s | %8.2f%% | (no xsched: %d timer%s due together every 100 us, next to the busy row) | %d: %.2f..%.2f%%\n",
			name, med(d, n), t, (t > 1 ? "s" : ""), n, lo, hi
	}
	END {
		row("idle: no queue busy", "0")
		row("8 nodes busy, watched", "8w")
		row("8 nodes serving", "8")
		floor(1)
		floor(8)
	}' "$1"
}
