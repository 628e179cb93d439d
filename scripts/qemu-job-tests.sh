# SPDX-License-Identifier: GPL-2.0
#
# The job of scripts/qemu-test.sh's guest, sourced by /init there (see
# scripts/qemu-init.sh); not run on the host.  Loads the modules in
# /modules/order, runs every program in /tests, unloads the modules.
# Results: "XT PASS|FAIL|SKIP <name> [reason]" lines.

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
