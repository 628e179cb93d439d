#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of every QEMU guest (scripts/lib.sh's guest_stage puts it there).
# Mounts proc, sysfs, devtmpfs, tmpfs, tracefs, debugfs and cgroup2, sources
# /job (the
# tests, the demo or the benchmarks), dumps the kernel log, powers off.
# The job reports on the serial console; xt() prints "XT ..." lines.
if [ "$$" != 1 ]; then
	echo "usage: $0 (the QEMU guest's /init, run by the kernel as PID 1; not run directly)"
	case "${1:-}" in -h|--help) exit 0 ;; *) exit 2 ;; esac
fi
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null

# Warm the network stack's one-time keys while nothing else runs.  Its
# DO_ONCE sites (the connection hash secrets) are static keys the kernel
# patches off from a workqueue after their first use; a 7.3 guest took a
# stray int3 in inet_init_ehash_secret() once when that patching met a
# test's first socket on the other vCPU (TCG's cross-modifying code).
# Kernels without networking (the debug guests) skip it.
if ip link set lo up 2>/dev/null; then
	nc -l -p 9 >/dev/null 2>&1 &
	sleep 0.1
	nc 127.0.0.1 9 </dev/null >/dev/null 2>&1
	kill $! 2>/dev/null
	wait 2>/dev/null
	sleep 0.2
fi

# Tracing never hooks the scheduler: enabling a trace event (a test
# enabling xsched's) otherwise turns on command-line recording, which
# patches the sched_switch tracepoint in __schedule() while the other
# vCPU runs it; a 6.12 guest took a stray int3 there once.
echo 0 >/sys/kernel/tracing/options/record-cmd 2>/dev/null

xt() { echo "XT $*"; }
echo "xsched-qemu: begin" >/dev/kmsg
echo "XT BEGIN $(uname -r)"

. /job

echo "XT DMESG-BEGIN"
dmesg | sed -n '/xsched-qemu: begin/,$p'
echo "XT DMESG-END"
echo "XT DONE"
poweroff -f
