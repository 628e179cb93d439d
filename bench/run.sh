#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: xsched's figures on the simulated GPU (xsched_sim.ko with
# its default MI300X parameters), in QEMU (TCG) on Debian's real kernel.
# Prints figures, never verdicts: each is shown next to its target and
# with the command that reproduces it.  Parts:
#   systematic  the demo's scenarios with more tasks: high-priority P50/P99
#               vs the same clients alone, total time vs no scheduler
#   serving     an inference client with open-loop arrivals at 10, 20 and
#               50 requests/s next to training clients, and the two-model
#               row: inference latency and training throughput with no
#               scheduler and with xsched, runlist changes/s, xsched's CPU
#   pause       pause latency: a queue becoming busy -> the batched pause
#   scaling     pause latency and decision/poll cost at 16..1024 queues
#   memory      kernel memory per XQueue (1024 queues; xsched off, on,
#               and on with queue_sysfs=0)
#   watch       the cost of watching: 64 nodes x 64 queues, idle and
#               with load on 8 nodes, the CPU xsched takes from spinners
# Every figure is modelled (the simulator's hrtimers).
#
# Clocks (--clock): "icount" (the default) runs the guest on QEMU's
# instruction counter: its clock advances 1 ns per emulated instruction
# (a 1 GIPS CPU, slower than a real core) and not with the host, so the
# host's own scheduling noise does not reach the figures and a run
# repeats.  "real" runs the guest on the host's clock, as make check
# does: the same code, with the timing noise of a TCG guest on 2 shared
# cores.
#
# Exits non-zero only if QEMU or a step fails, never because of a figure.
#
# --starvation-ms N sets every domain's starvation_ms for the runs with
# xsched (default: the module's, 1000 ms; 0 turns the bound off), to
# measure what the starvation bound costs the high-priority clients.
#
# Usage: bench/run.sh [--line 6.12|6.1] [--clock icount|real] [--only PART]... [--tasks N] [--starvation-ms N] [--timeout SECONDS]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
. "$XSCHED_TOP/bench/report.sh"

all_parts="systematic serving pause scaling memory watch"
usage() { echo "usage: $0 [--line 6.12|6.1] [--clock icount|real] [--only systematic|serving|pause|scaling|memory|watch]... [--tasks N] [--serve-seconds N] [--train N] [--starvation-ms N] [--timeout SECONDS]"; }
line=6.12
clock=icount
tasks=20
serve_s=10
train=2
watch_s=5
timeout_s=1200
starvation=""
parts=""
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] && [[ $2 =~ ^(6\.1|6\.12)$ ]] || { usage >&2; exit 2; }; line=$2; shift 2 ;;
	--only) [ $# -ge 2 ] && [[ " $all_parts " == *" $2 "* ]] || { usage >&2; exit 2; }; parts="$parts $2"; shift 2 ;;
	--clock) [ $# -ge 2 ] && [[ $2 =~ ^(icount|real)$ ]] || { usage >&2; exit 2; }; clock=$2; shift 2 ;;
	--tasks) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; tasks=$2; shift 2 ;;
	--serve-seconds) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,2}$ ]] || { usage >&2; exit 2; }; serve_s=$2; shift 2 ;;
	--train) [ $# -ge 2 ] && [[ $2 =~ ^[1-3]$ ]] || { usage >&2; exit 2; }; train=$2; shift 2 ;;
	--starvation-ms) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]{1,5}$ ]] || { usage >&2; exit 2; }; starvation=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }; timeout_s=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
# The guest runs them in this order whatever the order of --only.
parts=$(for p in $all_parts; do [[ " ${parts:-$all_parts} " != *" $p "* ]] || echo "$p"; done | xargs)
repro() { echo "  reproduce: bench/run.sh --line $line --clock $clock --only $1${2:+ $2}${starvation:+ --starvation-ms $starvation}"; }

t_start=$SECONDS
ensure_deps
debian_kernels
kver=$(kver_of_line "$line")
work=$XSCHED_BUILD/bench-qemu
log=$XSCHED_BUILD/logs/bench-$line.log

make -C "$XSCHED_TOP/bench" --no-print-directory OUT="$XSCHED_BUILD/bench" >&2
guest_stage "$work" "$kver" "$XSCHED_TOP/bench/qemu-job.sh" ||
	{ echo "bench: module build failed for $kver" >&2; exit 1; }
mkdir -p "$work/root/bench"
cp "$XSCHED_BUILD"/bench/{systematic,serving,preempt_lat,qmem,timer_noise,watch} "$work/root/bench/"
cat >"$work/root/params" <<EOP
PARTS="$parts"
TASKS=$tasks
KERNELS=30
KERNEL_US=1000
TRACE=1
SERVE_S=$serve_s
SERVE_RATES="10 20 50"
SERVE_TRAIN=$train
WATCH_S=$watch_s
STARVATION_MS=$starvation
EOP
guest_clock "$clock"
clockdesc=$qemu_clock_desc
# The cost of watching boots a guest of its own with one vCPU.  With two
# vCPUs both kept busy (its spinners), this QEMU's round-robin TCG serves
# the second vCPU's timer interrupts late (1.6 ms on average, up to 8 ms,
# against under 1 us on the first, counted at the tick's expiries), so
# the figures depended on the CPU a timer happened to start on.
wlog=$XSCHED_BUILD/logs/bench-$line-watch.log
main_parts=$(for p in $parts; do [ "$p" = watch ] || echo "$p"; done | xargs)
rc=0
if [ -n "$main_parts" ]; then
	sed -i "s/^PARTS=.*/PARTS=\"$main_parts\"/" "$work/root/params"
	echo "bench: booting Debian $kver in QEMU (TCG, 2 vCPUs, $clockdesc): $main_parts" >&2
	XSCHED_QEMU_ARGS="$qemu_clock_args" guest_boot "$work" "$kver" "$log" "$timeout_s" || rc=$?
else
	: >"$log"
fi
if [[ " $parts " == *" watch "* ]]; then
	sed -i 's/^PARTS=.*/PARTS="watch"/' "$work/root/params"
	echo "bench: booting Debian $kver in QEMU (TCG, 1 vCPU, $clockdesc): watch" >&2
	XSCHED_GUEST_SMP=1 XSCHED_QEMU_ARGS="$qemu_clock_args" guest_boot "$work" "$kver" "$wlog" "$timeout_s" || rc=$?
fi

echo
echo "xsched benchmarks -- Debian kernel $kver in QEMU (TCG, 2 vCPUs, $clockdesc),"
echo "one simulated MI300X node (xsched_sim.ko defaults: runlist change 20 us +"
echo "2 us/queue, CWSR save 40 us, restore 40 us).  ALL FIGURES ARE MODELLED"
echo "on the simulated GPU, not measured on hardware; CPU costs are those of"
echo "the emulated CPU.  Raw guest output: $log (the cost of watching: $wlog)"
echo "starvation_ms: ${starvation:-the module default (1000; slice 10 ms)}"

# us_of NS: "12.3 us"
us_of() { awk -v v="${1:-}" 'BEGIN { if (v == "" || v == "-") print "-"; else printf "%.1f us\n", v / 1000 }'; }
# per A B FORMAT: A / B printed with FORMAT ("-" if either is missing or B is 0)
per() { awk -v a="${1:-}" -v b="${2:-}" -v f="$3" 'BEGIN { if (a == "" || a == "-" || b == "" || b == "-" || b == 0) print "-"; else printf f "\n", a / b }'; }

for p in $parts; do
	echo
	case $p in
	systematic)
		echo "== systematic: 16 client processes, $tasks tasks x 30 x 1 ms kernels each"
		repro systematic "--tasks $tasks"
		sys_table "$log" || true
		echo
		sys_ratios "$log"
		for l in c d; do
			xstat_line "$log" "$l" "($l)"
			t=$(kv_line "$log" TRACE "$l")
			[ -n "$t" ] && echo "  trace ($l): $(kv "$t" pauses) pauses, busy->pause latency_ns P50 $(kv "$t" lat_p50_us) us, P99 $(kv "$t" lat_p99_us) us; $(kv "$t" resumes) resumes"
		done
		;;
	serving)
		echo "== serving next to training: $serve_s s per run, $train training client(s) in the rate rows"
		repro serving "--serve-seconds $serve_s --train $train"
		serve_table "$log" || true
		serve_notes
		;;
	watch)
		echo "== the cost of watching: 64 simulated nodes x 64 queues (one process per node), $watch_s s per run, 1 vCPU"
		repro watch
		printf '  %-26s | %9s | %8s | %8s | %8s | %9s | %8s | %8s | %s\n' load "CPU taken" "poll_ns" "decider" "polls/s" "reads/s" "changes/s" "wake-ups/s" "pairs"
		watch_rows "$wlog"
		echo "  CPU taken: what xsched takes from applications, in % of one emulated"
		echo "  CPU: one SCHED_IDLE spinner per CPU counts loops with xsched not loaded"
		echo "  and loaded (interrupts included; the guest's /proc/stat counts hard-irq"
		echo "  time as idle); each row runs the pair several times, alternated, and"
		echo "  shows the median (pairs: the lowest and highest); the other columns"
		echo "  are means over the runs with xsched; memo: polls the memo answered.  poll_ns: xsched's own time in its polls, summed over the"
		echo "  64 domains, in % of one CPU; decider: the CPU time of the deciders'"
		echo "  threads, the provider's pause and resume calls (the simulator's model"
		echo "  of a runlist change) included.  changes/s: runlist changes; wake-ups/s:"
		echo "  decider runs.  Busy, watched: per loaded node one training queue busy"
		echo "  (priority 7) and one idle inference queue (11) watched for a doorbell"
		echo "  that never comes.  Serving: the same, with a 1 ms inference kernel"
		echo "  every 10 ms on each.  Targets: watching <= 1% of one core idle, <= 2%"
		echo "  under load.  Load on all 64 nodes saturates the guest"
		echo "  (docs/bench.md)."
		;;
	pause)
		echo "== pause latency: 15 busy low-priority queues, 1 high-priority queue"
		echo "   ringing its doorbell for one 1 ms kernel 1000 times (12-12.2 ms apart)"
		repro pause
		x=$(kv_line "$log" XSTAT pause16); t=$(kv_line "$log" TRACE pause16)
		pl=$(kv_line "$log" PAUSE pause16); r=$(kv_line "$log" PL pause16)
		poll=$(kv "$x" poll_us)
		if [ -z "$t" ] || [ "$(kv "$pl" status)" = unavailable ]; then
			echo "  unavailable: no xsched trace events in this xsched.ko"
		else
			echo "  doorbell -> pause issued (user CLOCK_MONOTONIC vs xsched:xsched_pause, trace_clock mono):"
			echo "    P50 $(kv "$pl" d2p_p50_us) us, P90 $(kv "$pl" d2p_p90_us) us, P99 $(kv "$pl" d2p_p99_us) us, max $(kv "$pl" d2p_max_us) us over $(kv "$pl" matched) of $(kv "$pl" doorbells) doorbells" \
				"(target: P99 < poll_us + 50 = $((${poll:-0} + 50)) us)"
			tail=$(grep -m1 '^D2PTAIL pause16 ' "$log" | cut -d' ' -f3-)
			[ -n "$tail" ] && echo "    the 12 slowest: $tail(us)"
			echo "  xsched's own latency_ns (busy seen by a poll -> pause issued): P50 $(kv "$t" lat_p50_us) us, P99 $(kv "$t" lat_p99_us) us over $(kv "$t" pauses) pauses"
			echo "  sysfs: pause_lat_mean_ns $(us_of "$(kv "$x" pause_lat_mean_ns)"), pause_lat_max_ns $(us_of "$(kv "$x" pause_lat_max_ns)"), poll_us $poll"
		fi
		z=$(kv_line "$log" NOISE idle)
		echo "  noise floor (bench/timer_noise): a 100 us sleep in the guest wakes up late by P50 $(kv "$z" late_p50_us) us, P99 $(kv "$z" late_p99_us) us, max $(kv "$z" late_max_us) us"
		echo "  high-priority 1 ms kernel, doorbell -> completion: P50 $(kv "$r" high_p50_us) us, P99 $(kv "$r" high_p99_us) us"
		;;
	memory)
		echo "== kernel memory per XQueue: 1024 idle queues in 8 processes, xsched loaded vs not"
		repro memory
		grep '^MEM label=' "$log" | sed 's/^/  /' || true
		# Groups by label: off (no xsched), on (defaults), lean (queue_sysfs=0).
		awk '/^MEM label=/ {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			if (f["status"] != "ok") next
			g = f["label"]; sub(/[0-9]+$/, "", g)
			su[g] += f["sunreclaim_kib"]; sl[g] += f["slab_kib"]; vm[g] += f["vmalloc_kib"]
			si[g] += f["slabinfo_bytes"]; n[g]++; q = f["queues"]
		}
		END {
			if (!n["off"]) { print "  unavailable: a run failed"; exit }
			split("on lean", gs, " ")
			for (k = 1; k <= 2; k++) {
				g = gs[k]
				if (!n[g]) { printf "  %s: unavailable: a run failed\n", g; continue }
				printf "  per XQueue, %s, mean of %d runs each (%s - off) / %d:\n",
					g == "on" ? "defaults (a sysfs directory per queue)" : "queue_sysfs=0 (no per-queue directory)",
					n[g], g, q
				printf "    SUnreclaim  %6.0f bytes   (Slab %6.0f bytes, VmallocUsed %6.0f bytes)\n",
					(su[g] / n[g] - su["off"] / n["off"]) * 1024 / q, (sl[g] / n[g] - sl["off"] / n["off"]) * 1024 / q,
					(vm[g] / n[g] - vm["off"] / n["off"]) * 1024 / q
				printf "    slabinfo active objects x size  %6.0f bytes   (target: < 1024 bytes)\n",
					(si[g] / n[g] - si["off"] / n["off"]) / q
			}
		}' "$log"
		for g in on lean; do
			echo "  by cache, $g, bytes per XQueue (mean $g - mean off; caches that grew by >= 1 object per 8 queues):"
			awk -v G="$g" '/^MEMCACHE label=/ {
				for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
				l = f["label"]; sub(/[0-9]+$/, "", l)
				b[f["cache"], l] += f["bytes"]; o[f["cache"], l] += f["objs"]; c[f["cache"]] = f["objsize"]
			}
			/^MEM label=/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] }
				l = g["label"]; sub(/[0-9]+$/, "", l)
				if (g["status"] == "ok") { n[l]++; q = g["queues"] } }
			END {
				if (!n["off"] || !n[G]) exit
				for (k in c) {
					d = (b[k, G] / n[G] - b[k, "off"] / n["off"]) / q
					if (d >= 8 || d <= -8)
						printf "    %-24s %6.0f bytes  (%5.2f objects of %d bytes)\n", k, d,
							(o[k, G] / n[G] - o[k, "off"] / n["off"]) / q, c[k]
				}
			}' "$log" | sort -k2,2nr
		done
		a=$(grep -m1 '^SLABALIAS ' "$log" || true)
		[ -n "$a" ] && echo "  xsched's own queue cache is merged: $(kv "$a" xsched_queue) shared with $(kv "$a" shared_with)"
		echo "  counted: every slab object and vmalloc area the kernel holds for the"
		echo "  queues beyond what it holds without xsched: xsched's XQueue, its ids,"
		echo "  batch slots, and the sysfs directory of each queue (kernfs nodes, their"
		echo "  inode-number IDR); not counted: pinned user pages (rings, headers,"
		echo "  signals: the processes' own memory).  Slab pages (Slab, SUnreclaim)"
		echo "  include partly used slabs; slabinfo counts objects."
		;;
	scaling)
		echo "== scaling: 1 high-priority queue (50 doorbells, 1 ms kernels) + N-1 busy low-priority queues"
		repro scaling
		printf '  %6s | %6s | %5s | %-21s | %-19s | %8s | %9s | %9s | %7s | %9s\n' \
			queues pauses batch "doorbell->pause P50/P99" "latency_ns P50/P99" \
			policy "batch op" "per queue" "read/poll" "per read"
		for n in 16 64 256 1024; do
			x=$(kv_line "$log" XSTAT "scale$n"); t=$(kv_line "$log" TRACE "scale$n")
			pl=$(kv_line "$log" PAUSE "scale$n")
			printf '  %6s | %6s | %5s | %-21s | %-19s | %8s | %9s | %9s | %7s | %9s\n' "$n" \
				"$(kv "$t" pauses)" "$(kv "$t" batch_p50)" \
				"$(kv "$pl" d2p_p50_us) / $(kv "$pl" d2p_p99_us) us" \
				"$(kv "$t" lat_p50_us) / $(kv "$t" lat_p99_us) us" \
				"$(per "$(kv "$x" policy_ns)" "$(kv "$x" decisions)" "%.0f ns")" \
				"$(kv "$t" op_p50_us) us" \
				"$(per "$(kv "$t" op_p50_us)" "$(kv "$t" batch_p50)" "%.2f us")" \
				"$(per "$(kv "$x" polled)" "$(kv "$x" polls)" "%.0f")" \
				"$(per "$(kv "$x" poll_ns)" "$(kv "$x" polled)" "%.0f ns")"
		done
		echo "  doorbell->pause: user CLOCK_MONOTONIC doorbell to the xsched:xsched_pause event;"
		echo "  latency_ns: the event's field (busy seen by a poll -> pause issued);"
		echo "  policy: CPU time of one decision of the policy (policy_ns/decisions);"
		echo "  batch op: the provider's pause call for the whole batch, P50 (the"
		echo "  event's op_ns; the simulator models a runlist change of 20 us + 2 us"
		echo "  per queue) and per queue of the batch;"
		echo "  read/poll: queues read per poll pass (polled/polls; a queue paused"
		echo "  while busy is not read); per read: CPU time per queue read"
		echo "  (poll_ns/polled).  CPU times are those of the emulated CPU."
		;;
	esac
done

echo
fail=0
logs=()
[ -n "$main_parts" ] && logs+=("$log")
[[ " $parts " == *" watch "* ]] && logs+=("$wlog")
if [ "$rc" != 0 ]; then
	for l in "${logs[@]}"; do tail -30 "$l" >&2; done
	echo "bench: a guest did not finish (QEMU failed or timed out)" >&2
	fail=1
fi
for l in "${logs[@]}"; do
	grep -E '^XT FAIL' "$l" >&2 && fail=1
	guest_log_clean "$l" || { echo "bench: kernel log has a splat; see $l" >&2; fail=1; }
done
echo "bench: $([ "$fail" = 0 ] && echo done || echo FAILED) in $((SECONDS - t_start)) s"
exit "$fail"
