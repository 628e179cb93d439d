# SPDX-License-Identifier: GPL-2.0
#
# The job of the demo's and the benchmarks' QEMU guest (scripts/demo.sh,
# bench/run.sh), sourced by /init there (see scripts/qemu-init.sh); not
# run on the host.  /params sets PARTS (any of: systematic serving pause
# scaling memory watch), TASKS, KERNELS, KERNEL_US, TRACE (1: record
# xsched's trace events during the systematic runs), SERVE_S (seconds per
# serving run), SERVE_RATES, SERVE_TRAIN (training clients) and WATCH_S
# (seconds per watch run).  Prints key=value
# lines that the host formats: SYS (bench/systematic), SERVE
# (bench/serving), WATCH (bench/watch), XSTAT (the domain's sysfs
# files), TRACE and PAUSE (trace events), NOISE (bench/timer_noise), PL
# (bench/preempt_lat), D2PTAIL (the 12 slowest doorbell -> pause times,
# us), MEM/MEMCACHE (bench/qmem), and "XT FAIL <step>"
# for every step that failed.

# Run directly rather than sourced by the guest's /init: usage only.
case "${0##*/}" in
qemu-job*)
	echo "usage: $0 (a guest job, sourced by scripts/qemu-init.sh as /job; not run directly)"
	case "${1:-}" in -h|--help) exit 0 ;; *) exit 2 ;; esac ;;
esac

. /params
B=/bench
T=/sys/kernel/tracing
TI=$T/instances/xsched_bench

step_fail() { xt FAIL "$1" "${2:-}"; }

# xs_load: insmod; STARVATION_MS (if set) becomes every domain's knob.
xs_load() {
	local d
	insmod /modules/xsched.ko || step_fail load-xsched
	[ -n "${STARVATION_MS:-}" ] || return 0
	for d in /sys/class/misc/xsched/domains/*; do
		echo "$STARVATION_MS" >"$d/starvation_ms" ||
			step_fail starvation-knob
	done
}
xs_unload() {
	rmmod xsched && [ ! -e /sys/module/xsched ] || step_fail unload-xsched
}

# xs_stats LABEL: every one-line file of the (first) domain's sysfs dir.
xs_stats() {
	local d line f v
	d=$(ls -d /sys/class/misc/xsched/domains/* 2>/dev/null | head -n 1)
	if [ -z "$d" ]; then
		echo "XSTAT label=$1 status=unavailable"
		return
	fi
	line="XSTAT label=$1 status=ok domain=${d##*/}"
	for f in "$d"/*; do
		[ -f "$f" ] && [ -r "$f" ] || continue
		v=$(head -n 1 "$f" 2>/dev/null | tr ' \t' '__')
		[ -n "$v" ] && line="$line ${f##*/}=$v"
	done
	echo "$line"
}

# pct P: the nearest-rank P-th percentile of stdin's numbers ("-" if none).
pct() {
	sort -n | awk -v p="$1" '{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		      r = int((NR * p + 99) / 100); if (r < 1) r = 1; print v[r] }'
}

# us: ns on stdin to microseconds, one decimal.
us() { awk '{ if ($1 == "-") print "-"; else printf "%.1f\n", $1 / 1000 }'; }

# Trace events of xsched go to an instance of their own with clock
# "mono", the clock of CLOCK_MONOTONIC.
have_events() { [ -d "$T/events/xsched" ]; }

events_start() {
	have_events || return 1
	mkdir -p "$TI" 2>/dev/null
	[ -d "$TI/events/xsched" ] || return 1
	echo 0 >"$TI/tracing_on"
	echo mono >"$TI/trace_clock"
	echo 16384 >"$TI/buffer_size_kb"
	: >"$TI/trace"
	echo 1 >"$TI/events/xsched/enable"
	echo 1 >"$TI/tracing_on"
}

# events_stop FILE
events_stop() {
	[ -d "$TI/events/xsched" ] || { : >"$1"; return; }
	echo 0 >"$TI/tracing_on"
	echo 0 >"$TI/events/xsched/enable"
	cat "$TI/trace" >"$1"
}

# field NAME: the value of NAME=... in each xsched_pause line of stdin.
pause_field() {
	awk -v k="$1=" '/xsched_pause:/ { for (i = 1; i <= NF; i++)
		if (index($i, k) == 1) print substr($i, length(k) + 1) }'
}

# pause_summary LABEL TRACE: the pause events of one run.
pause_summary() {
	local n fail
	n=$(grep -c 'xsched_pause:' "$2")
	fail=$(pause_field ret <"$2" | grep -vc '^0$')
	echo "TRACE label=$1 pauses=$n failed=$fail" \
		"lat_p50_us=$(pause_field latency_ns <"$2" | pct 50 | us)" \
		"lat_p99_us=$(pause_field latency_ns <"$2" | pct 99 | us)" \
		"batch_p50=$(pause_field queues <"$2" | pct 50)" \
		"op_p50_us=$(pause_field op_ns <"$2" | pct 50 | us)" \
		"op_p99_us=$(pause_field op_ns <"$2" | pct 99 | us)" \
		"resumes=$(grep -c 'xsched_resume:' "$2")" \
		"decides=$(grep -c 'xsched_decide:' "$2")"
}

# doorbell_to_pause DB TRACE: for every doorbell (CLOCK_MONOTONIC ns, one
# per line) the time to the first pause issued after it, in ns.  The
# event is emitted when the provider returns, op_ns after the pause was
# issued (the simulator, as amdkfd, returns once the runlist change is
# done), so the issue time is the event's time minus op_ns.
doorbell_to_pause() {
	{
		awk '{ print $1, "D" }' "$1"
		awk '/xsched_pause:/ { t = ""; op = 0
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^[0-9]+\.[0-9]+:$/) {
					split(substr($i, 1, length($i) - 1), a, ".")
					# Busybox awk reads "002717" as octal.
					sub(/^0+/, "", a[2])
					t = a[1] * 1000000000 + (a[2] + 0) * 1000
				}
				if ($i ~ /^op_ns=/)
					op = substr($i, 7)
			}
			if (t != "")
				printf "%.0f P\n", t - op }' "$2"
	} | sort -n | awk '$2 == "D" { d = $1; next }
		$2 == "P" && d { print $1 - d; d = 0 }'
}

sys_run() {
	local label=$1
	shift
	$B/systematic -l "$label" -t "$TASKS" -k "$KERNELS" -u "$KERNEL_US" "$@" ||
		step_fail "systematic/$label"
}

# sys_base LABEL ARGS...: a baseline ("alone") run, as clean as the runs
# compared with it: a warm-up of the same clients first (not reported:
# the first clients after boot or after another scenario pay for cold
# caches and page faults), then two runs, of which the one with the lower
# high-priority P99 is reported.
sys_base() {
	local label=$1 r
	shift
	$B/systematic -l warmup -t 2 -k "$KERNELS" -u "$KERNEL_US" "$@" >/dev/null ||
		step_fail "systematic/warmup-$label"
	for r in 1 2; do
		$B/systematic -l "$label" -t "$TASKS" -k "$KERNELS" -u "$KERNEL_US" "$@" \
			>"/tmp/sys.$label.$r" || step_fail "systematic/$label.$r"
		sed "s/^SYS /SYSRUN /" "/tmp/sys.$label.$r"
	done
	cat "/tmp/sys.$label.1" "/tmp/sys.$label.2" | awk -v l="$label" '
		/^SYS / && / status=ok / {
			for (i = 2; i <= NF; i++)
				if ($i ~ /^high_p99_us=/) v = substr($i, 13) + 0
			if (best == "" || v < bv) { best = $0; bv = v } }
		END { print best == "" ? "SYS label=" l " status=failed" : best }'
}

part_systematic() {
	echo "XT PART systematic"
	sys_base a -n 1 -H 1
	sys_base a3 -n 3 -H 3
	sys_run b -n 16 -H 3
	for s in c:3 d:1; do
		xs_load
		[ "$TRACE" = 1 ] && events_start
		sys_run "${s%:*}" -n 16 -H "${s#*:}"
		if [ "$TRACE" = 1 ]; then
			events_stop "/tmp/trace.${s%:*}"
			pause_summary "${s%:*}" "/tmp/trace.${s%:*}"
			grep -E 'xsched_(pause|resume|decide):' "/tmp/trace.${s%:*}" |
				head -n 50 | sed "s/^/TRACELINE ${s%:*} /"
		fi
		xs_stats "${s%:*}"
		xs_unload
	done
}

# serve_run LABEL ARGS...: one bench/serving run.
serve_run() {
	local label=$1
	shift
	$B/serving -l "$label" -d "$SERVE_S" "$@" || step_fail "serving/$label"
}

# serve_warm: an unreported short run of the same clients before a
# baseline, so that no baseline carries a cold start the loaded runs
# after it do not.
serve_warm() {
	$B/serving -l warmup -d 1 "$@" >/dev/null || step_fail serving/warmup
}

# serve_row NAME RATE INFERENCE-ARGS TRAINING-ARGS: inference alone, then
# next to training with no scheduler and with xsched.
serve_row() {
	local name=$1 rate=$2 inf=$3 train=$4
	serve_warm -r "$rate" $inf -T 0
	serve_run "alone-$name" -r "$rate" $inf -T 0
	serve_run "none-$name" -r "$rate" $inf $train
	xs_load
	serve_run "xs-$name" -r "$rate" $inf $train
	xs_stats "xs-$name"
	xs_unload
}

# The serving rows: requests of 12 x 250 us kernels (3 ms alone) next to
# SERVE_TRAIN training clients of 500 us kernels at SERVE_RATES; then the
# two-model row: ResNet-18-like requests (21 x 100 us) at 10/s next to
# one ResNet-50-like training client (500 us kernels).
part_serving() {
	local inf="-k 12 -u 250" train="-T ${SERVE_TRAIN:-2} -U 500" r
	local rn_inf="-k 21 -u 100" rn_train="-T 1 -U 500"
	echo "XT PART serving"
	serve_warm -r 0 $train
	serve_run train -r 0 $train
	for r in ${SERVE_RATES:-10 20 50}; do
		serve_row "$r" "$r" "$inf" "$train"
	done
	serve_warm -r 0 $rn_train
	serve_run train-rn -r 0 $rn_train
	serve_row rn 10 "$rn_inf" "$rn_train"
}

# pl_run LABEL QUEUES PROCS ITER: one preempt_lat run, traced.
pl_run() {
	local label=$1 nq=$2 np=$3 it=$4 ev=0
	events_start && ev=1
	# Doorbells 12-12.2 ms apart: a pause and a resume each, about 165
	# runlist changes a second, inside the default limit of 200
	# (max_changes_per_s), so that the limit's adaptive resume delay and
	# the starvation slices it would bring do not enter the latencies.
	$B/preempt_lat -l "$label" -q "$nq" -p "$np" -i "$it" -o "/tmp/db.$label" \
		-g 12000 -s $((200 + nq * 2)) || step_fail "preempt_lat/$label"
	if [ "$ev" = 1 ]; then
		events_stop "/tmp/trace.$label"
		pause_summary "$label" "/tmp/trace.$label"
		doorbell_to_pause "/tmp/db.$label" "/tmp/trace.$label" >/tmp/d2p.$label
		echo "PAUSE label=$label queues=$nq doorbells=$(wc -l <"/tmp/db.$label")" \
			"matched=$(wc -l </tmp/d2p.$label)" \
			"d2p_p50_us=$(pct 50 </tmp/d2p.$label | us)" \
			"d2p_p90_us=$(pct 90 </tmp/d2p.$label | us)" \
			"d2p_p99_us=$(pct 99 </tmp/d2p.$label | us)" \
			"d2p_max_us=$(pct 100 </tmp/d2p.$label | us)"
		sort -n /tmp/d2p.$label | tail -n 12 | us | tr "\n" " " | sed "s/^/D2PTAIL $label /"; echo
	else
		echo "PAUSE label=$label queues=$nq status=unavailable"
	fi
	xs_stats "$label"
}

part_pause() {
	echo "XT PART pause"
	$B/timer_noise -l idle || step_fail timer_noise
	xs_load
	pl_run pause16 16 1 1000
	xs_unload
}

part_scaling() {
	echo "XT PART scaling"
	for n in 16 64 256 1024; do
		xs_load
		pl_run "scale$n" "$n" $(((n + 127) / 128)) 50
		xs_unload
	done
}

# The cost of watching: 64 simulated nodes x 64 queues (8 MI300X in CPX
# mode), idle, with 8 nodes busy and watched, and with 8 nodes serving,
# with xsched not loaded and loaded.  (Load on all 64 nodes saturates the 2-CPU guest, with xsched
# and without: docs/bench.md.)
part_watch() {
	local b r n
	echo "XT PART watch"
	rmmod xsched_sim || step_fail unload-xsched_sim-watch
	if ! insmod /modules/xsched_sim.ko nodes=64; then
		step_fail load-xsched_sim-64
		insmod /modules/xsched_sim.ko
		return
	fi
	# idle; 8 nodes busy with the high queue watched but never
	# rising (-i 0); 8 nodes serving (a 1 ms kernel every 10 ms).
	# Each row runs without and with xsched, the pair WATCH_REPEAT
	# times, alternated: the report takes the median of the pairs.
	for b in 0 8w 8; do
		set -- -b "${b%w}" -d "${WATCH_S:-5}"
		[ "$b" = 8w ] && set -- "$@" -i 0
		r=1
		while [ "$r" -le "${WATCH_REPEAT:-3}" ]; do
			$B/watch -l "off-$b-$r" "$@" || step_fail "watch/off-$b-$r"
			xs_load
			$B/watch -l "on-$b-$r" "$@" || step_fail "watch/on-$b-$r"
			[ "$r" = 1 ] && xs_stats "watch-$b"
			xs_unload
			r=$((r + 1))
		done
	done
	# The floor of any poll every 100 us: empty timers at that period,
	# one and eight (as many as the busy domains), without xsched, next
	# to the busy-and-watched row's load.
	for n in 1 8; do
		rmmod xsched_sim || step_fail unload-xsched_sim-64
		if insmod /modules/xsched_sim.ko nodes=64 calib_tick_us=100 calib_timers=$n; then
			r=1
			while [ "$r" -le "${WATCH_REPEAT:-3}" ]; do
				$B/watch -l "tick$n-8w-$r" -b 8 -i 0 -d "${WATCH_S:-5}" ||
					step_fail "watch/tick$n-8w-$r"
				r=$((r + 1))
			done
		else
			step_fail load-xsched_sim-calib
		fi
	done
	rmmod xsched_sim || step_fail unload-xsched_sim-64
	insmod /modules/xsched_sim.ko || step_fail load-xsched_sim
}

part_memory() {
	echo "XT PART memory"
	$B/qmem -l warmup -s 500 >/dev/null || step_fail qmem/warmup
	for r in 1 2 3; do
		$B/qmem -l "off$r" || step_fail "qmem/off$r"
		xs_load
		if [ "$r" = 1 ] && [ -L /sys/kernel/slab/xsched_queue ]; then
			# A merged cache shows under another name in slabinfo.
			a=$(readlink /sys/kernel/slab/xsched_queue)
			echo "SLABALIAS xsched_queue=${a##*/} shared_with=$(ls -l /sys/kernel/slab |
				awk -v a="${a##*/}" '/^l/ && $NF ~ a"$" { printf "%s,", $(NF - 2) }')"
		fi
		$B/qmem -l "on$r" || step_fail "qmem/on$r"
		xs_unload
		insmod /modules/xsched.ko queue_sysfs=0 || step_fail load-xsched-lean
		$B/qmem -l "lean$r" || step_fail "qmem/lean$r"
		xs_unload
	done
}

if insmod /modules/xsched_sim.ko; then
	# Memory last: creating and destroying 1024 queues stalls the
	# simulated node for seconds (every runlist change costs 20 us +
	# 2 us per queue, one after the other), which would show in any
	# timing taken right after it.
	for p in systematic serving pause scaling memory watch; do
		case " $PARTS " in *" $p "*) "part_$p" ;; esac
	done
	rmmod xsched_sim || step_fail unload-xsched_sim
else
	step_fail load-xsched_sim
fi
