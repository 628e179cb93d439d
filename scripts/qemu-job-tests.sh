# SPDX-License-Identifier: GPL-2.0
#
# The job of scripts/qemu-test.sh's guest, sourced by /init there (see
# scripts/qemu-init.sh); not run on the host.  Loads the modules in
# /modules/order, runs every program in /tests (each as many times as
# /tests.repeat says, default once), unloads the modules.
# Results: "XT PASS|FAIL|SKIP <name> [reason]" lines.

# Run directly rather than sourced by the guest's /init: usage only.
case "${0##*/}" in
qemu-job*)
	echo "usage: $0 (a guest job, sourced by scripts/qemu-init.sh as /job; not run directly)"
	case "${1:-}" in -h|--help) exit 0 ;; *) exit 2 ;; esac ;;
esac

loaded=""
for m in $(cat /modules/order); do
	if insmod "/modules/$m.ko"; then
		xt PASS "module/load-$m"
		loaded="$m $loaded"
	else
		xt FAIL "module/load-$m"
	fi
done

repeat=$(cat /tests.repeat 2>/dev/null || echo 1)
for t in /tests/*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	i=0
	while [ "$i" -lt "$repeat" ]; do
		i=$((i + 1))
		"$t"
		rc=$?
		case $rc in
		0|1|77) ;;
		*) xt FAIL "$name/exit" "status $rc" ;;
		esac
	done
done

for m in $loaded; do
	if rmmod "$m" && [ ! -e "/sys/module/$m" ]; then
		xt PASS "module/unload-$m"
	else
		xt FAIL "module/unload-$m"
	fi
done
