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

xt() { echo "XT $*"; }
echo "xsched-qemu: begin" >/dev/kmsg
echo "XT BEGIN $(uname -r)"

. /job

echo "XT DMESG-BEGIN"
dmesg | sed -n '/xsched-qemu: begin/,$p'
echo "XT DMESG-END"
echo "XT DONE"
poweroff -f
