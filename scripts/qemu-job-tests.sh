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

# Debug kernels: kmemleak scans when asked, at the end (below), not from
# its own thread, whose scan (seconds here) would come in the middle of
# a program and hold up its timed cases.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan=off >/sys/kernel/debug/kmemleak
fi

loaded=""
for m in $(cat /modules/order); do
	if insmod "/modules/$m.ko"; then
		xt PASS "module/load-$m"
		loaded="$m $loaded"
	else
		xt FAIL "module/load-$m"
	fi
done

# Every program declares "XT PLAN <name> N" and must report exactly N
# cases (PASS, FAIL or SKIP) in that run: one that declares nothing,
# reports nothing, or reports another number has failed.  The plan is a
# check of the harness, counted apart from the program's cases.
check_plan() {
	local name=$1 out=$2 plan got
	plan=$(sed -n "s|^XT PLAN $name \([0-9]*\)\$|\1|p" "$out" | head -1)
	got=$(grep -cE "^XT (PASS|FAIL|SKIP) $name/" "$out")
	if [ -z "$plan" ]; then
		xt FAIL "$name/plan" "no XT PLAN line; $got case(s) reported"
	elif [ "$got" != "$plan" ] || [ "$got" = 0 ]; then
		xt FAIL "$name/plan" "$got case(s) reported, $plan declared"
	else
		xt PASS "$name/plan" "$got case(s)"
	fi
}

repeat=$(cat /tests.repeat 2>/dev/null || echo 1)
[ -f /tests.env ] && . /tests.env
for t in /tests/*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	i=0
	while [ "$i" -lt "$repeat" ]; do
		i=$((i + 1))
		{ "$t"; echo $? >/tmp/test.rc; } | tee /tmp/test.out
		rc=$(cat /tmp/test.rc)
		case $rc in
		0|1|77) ;;
		*) xt FAIL "$name/exit" "status $rc" ;;
		esac
		check_plan "$name" /tmp/test.out
	done
done

for m in $loaded; do
	if rmmod "$m" && [ ! -e "/sys/module/$m" ]; then
		xt PASS "module/unload-$m"
	else
		xt FAIL "module/unload-$m"
	fi
done

# Debug kernels: whatever kmemleak finds after the modules are gone.
# Two scans, as kmemleak reports an object only once it has stayed
# unreferenced across scans.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		cat /sys/kernel/debug/kmemleak
		xt FAIL kmemleak/clean "$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak) object(s)"
	else
		xt PASS kmemleak/clean
	fi
fi
