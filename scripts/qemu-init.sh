#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the QEMU test guest (scripts/qemu-test.sh puts it there).
# Loads the modules in /modules/order, runs every program in /tests,
# unloads the modules, dumps the kernel log, powers off.  Results go to
# the serial console as "XT PASS|FAIL|SKIP <name> [reason]" lines.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp

xt() { echo "XT $*"; }
echo "xsched-qemu: begin" >/dev/kmsg
echo "XT BEGIN $(uname -r)"

loaded=""
for m in $(cat /modules/order); do
	if insmod "/modules/$m.ko"; then
		xt PASS "module/load-$m"
		loaded="$m $loaded"
	else
		xt FAIL "module/load-$m"
	fi
done

for t in /tests/*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	"$t"
	rc=$?
	case $rc in
	0|1|77) ;;
	*) xt FAIL "$name/exit" "status $rc" ;;
	esac
done

for m in $loaded; do
	if rmmod "$m" && [ ! -e "/sys/module/$m" ]; then
		xt PASS "module/unload-$m"
	else
		xt FAIL "module/unload-$m"
	fi
done

echo "XT DMESG-BEGIN"
dmesg | sed -n '/xsched-qemu: begin/,$p'
echo "XT DMESG-END"
echo "XT DONE"
poweroff -f
