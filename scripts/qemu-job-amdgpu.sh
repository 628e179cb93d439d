# SPDX-License-Identifier: GPL-2.0
#
# The job of scripts/amdgpu-qemu.sh's guest, sourced by /init (see
# scripts/qemu-init.sh); not run on the host.  There is no AMD GPU in
# the guest: what runs is amdgpu's module init (KFD's init, /dev/kfd,
# the CPU-only topology), the xsched provider's registration and its
# exit path, and xsched binding to it.
#   1. amdgpu's Debian dependencies (/modules/deps/order), then the
#      patched amdgpu.ko, then xsched.ko;
#   2. xsched is bound to the amdkfd provider and has no domains;
#   3. amdgpu unloads while xsched is bound (the provider-gone path),
#      loads again, and xsched binds again;
#   4. xsched unloads, then amdgpu.
# Results: "XT PASS|FAIL|SKIP <name> [reason]"; "XT INFO" lines carry
# load times.

case "${0##*/}" in
qemu-job*)
	echo "usage: $0 (a guest job, sourced by scripts/qemu-init.sh as /job; not run directly)"
	case "${1:-}" in -h|--help) exit 0 ;; *) exit 2 ;; esac ;;
esac

X=/sys/class/misc/xsched
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# load NAME FILE: insmod, reported as a module load check.
load() {
	if insmod "$2"; then
		xt PASS "module/load-$1"
	else
		xt FAIL "module/load-$1"
		return 1
	fi
}

# unload NAME MODULE: rmmod, reported as a module unload check.
unload() {
	if rmmod "$2" && [ ! -e "/sys/module/$2" ]; then
		xt PASS "module/unload-$1"
	else
		xt FAIL "module/unload-$1"
		return 1
	fi
}

# bound_count: how many times xsched said it bound to amdkfd.
bound_count() { dmesg | grep -c 'xsched: bound to provider amdkfd$'; }
# providers: what sysfs names as bound.
providers() { cat "$X/providers" 2>/dev/null; }

# no_domains CASE: xsched lists no domain (the guest has no GPU node).
no_domains() {
	if [ -d "$X/domains" ] && [ -z "$(ls "$X/domains")" ]; then
		xt PASS "$1"
	else
		xt FAIL "$1" "domains: $(ls "$X/domains" 2>&1 | tr '\n' ' ')"
	fi
}

deps_ok=1
for d in $(cat /modules/deps/order); do
	load "dep-${d%.ko}" "/modules/deps/$d" || deps_ok=0
done

t0=$(uptime_s)
if [ "$deps_ok" = 1 ] && load amdgpu /modules/amdgpu.ko; then
	xt INFO amdgpu-load-seconds "$(echo "$(uptime_s) $t0" | awk '{printf "%.2f", $1 - $2}')"
	if [ -c /dev/kfd ]; then
		xt PASS "kfd/dev-kfd"
	else
		xt FAIL "kfd/dev-kfd" "no /dev/kfd after amdgpu's init"
	fi
	if grep -q ' kfd_xsched_get_ops	\[amdgpu\]$' /proc/kallsyms; then
		xt PASS "kfd/exports-kfd_xsched_get_ops"
	else
		xt FAIL "kfd/exports-kfd_xsched_get_ops" "not in /proc/kallsyms"
	fi

	if load xsched /modules/xsched.ko; then
		if [ "$(bound_count)" = 1 ] && [ "$(providers)" = amdkfd ]; then
			xt PASS "xsched/bound-amdkfd"
		else
			xt FAIL "xsched/bound-amdkfd" "providers '$(providers)'; $(dmesg | grep 'xsched:' | tail -3 | tr '\n' ' ')"
		fi
		no_domains "xsched/no-domains"

		# The provider goes while xsched is bound.
		if unload amdgpu amdgpu; then
			if dmesg | grep -q 'xsched: provider amdkfd gone$' &&
			   [ -z "$(providers)" ]; then
				xt PASS "xsched/provider-gone"
			else
				xt FAIL "xsched/provider-gone" "providers '$(providers)'; no 'provider amdkfd gone' in the log?"
			fi
			if [ -r "$X/version" ]; then
				xt PASS "xsched/serves-without-provider"
			else
				xt FAIL "xsched/serves-without-provider" "$X/version unreadable"
			fi
			no_domains "xsched/no-domains-without-provider"
			t0=$(uptime_s)
			if load amdgpu-again /modules/amdgpu.ko; then
				xt INFO amdgpu-reload-seconds "$(echo "$(uptime_s) $t0" | awk '{printf "%.2f", $1 - $2}')"
				# The module notifier binds once amdgpu is live.
				n=0
				while [ "$(bound_count)" -lt 2 ] && [ "$n" -lt 50 ]; do
					sleep 0.1
					n=$((n + 1))
				done
				if [ "$(bound_count)" = 2 ] &&
				   [ "$(providers)" = amdkfd ]; then
					xt PASS "xsched/rebound-amdkfd"
				else
					xt FAIL "xsched/rebound-amdkfd" "bound $(bound_count) time(s)"
				fi
				no_domains "xsched/no-domains-after-rebind"
			else
				xt SKIP "xsched/rebound-amdkfd" "amdgpu did not load again"
			fi
		fi
		unload xsched xsched
	fi
	if [ -e /sys/module/amdgpu ]; then
		unload amdgpu-last amdgpu
	fi
fi
