#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that DKMS accepts the package: "dkms add" and "dkms build" for the
# installed Debian 6.1 and 6.12 headers, and for the newest 7.x with the
# DKMS and headers of scripts/debian-7x.sh's trixie chroot, in throw-away
# DKMS and source trees.  Nothing is installed into any kernel, and no signing key is
# created (sign_file points nowhere, so DKMS skips signing).
#
# Usage: scripts/dkms-check.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"
ensure_deps
debian_kernels

ver=$(xsched_version)
kver_h=$(sed -n 's/^#define XSCHED_VERSION "\(.*\)"$/\1/p' "$XSCHED_TOP/kmod/xsched/xsched.h")
if [ -n "$ver" ] && [ "$ver" = "$kver_h" ]; then
	result pass dkms/version-consistent
else
	result fail dkms/version-consistent "dkms.conf '$ver', kmod/xsched/xsched.h '$kver_h'"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$_xs_local_results"' EXIT
mkdir -p "$tmp/dkms" "$tmp/install"
stage_dkms_source "$tmp/src/xsched-$ver"
# dk [7x] ARGS...: dkms on the host, or with "7x" in the trixie chroot
# (its own DKMS tree: the two DKMS versions need not share one).
dk() {
	local tree=$tmp/dkms
	if [ "$1" = 7x ]; then
		shift
		"$XSCHED_TOP/scripts/debian-7x.sh" --run -b "$tmp" -- env sign_file=/nonexistent \
			dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms-7x" \
			--installtree "$tmp/install" "$@"
		return
	fi
	sign_file=/nonexistent dkms --sourcetree "$tmp/src" --dkmstree "$tree" \
		--installtree "$tmp/install" "$@"
}
log=$XSCHED_BUILD/logs/dkms.log
mkdir -p "$(dirname "$log")"
: >"$log"
if dk add -m xsched -v "$ver" >>"$log" 2>&1; then
	result pass dkms/add
else
	cat "$log" >&2
	result fail dkms/add
	summary
	exit 1
fi
mkdir -p "$tmp/dkms-7x"
if dk 7x add -m xsched -v "$ver" >>"$log" 2>&1; then
	result pass dkms/add-7.x
else
	cat "$log" >&2
	result fail dkms/add-7.x
fi
for kver in "$KVER_61" "$KVER_612" "$KVER_7X"; do
	line=${kver%%[-+]*}; line=${line%.*}; line=${line%.0}
	case "$kver" in
	7.*) in=7x; tree=$tmp/dkms-7x ;;
	*) in=""; tree=$tmp/dkms ;;
	esac
	moddir=$tree/xsched/$ver/$kver/x86_64/module
	# modinfo of the module's own line (7.x's may be compressed by a
	# newer kmod than the host's).
	# DKMS 3.2 looks for the headers under its install tree.
	if dk $in build -m xsched -v "$ver" -k "$kver" \
		${in:+--kernelsourcedir "/usr/src/linux-headers-$kver"} >>"$log" 2>&1 &&
	   ko=$(find "$moddir" -name 'xsched.ko*' | head -n 1) && [ -n "$ko" ] &&
	   info=$(if [ -n "$in" ]; then "$XSCHED_TOP/scripts/debian-7x.sh" --run -b "$tmp" -- modinfo "$ko"; else modinfo "$ko"; fi) &&
	   echo "$info" | grep -q "^version: *$ver\$" &&
	   echo "$info" | grep -q "^vermagic: *$kver "; then
		result pass "dkms/build-$line" "$kver"
	else
		tail -30 "$log" >&2
		find "$tree" -name make.log -exec tail -20 {} \; >&2 || true
		result fail "dkms/build-$line" "$kver, log: $log"
	fi
done
summary
