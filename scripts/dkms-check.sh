#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that DKMS accepts the package: "dkms add" and "dkms build" for the
# installed Debian 6.1 and 6.12 headers, in throw-away DKMS and source
# trees.  Nothing is installed into any kernel, and no signing key is
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
dk() {
	sign_file=/nonexistent dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" \
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
for kver in "$KVER_61" "$KVER_612"; do
	line=${kver%%-*}; line=${line%.*}; line=${line%.0}
	moddir=$tmp/dkms/xsched/$ver/$kver/x86_64/module
	if dk build -m xsched -v "$ver" -k "$kver" >>"$log" 2>&1 &&
	   ko=$(find "$moddir" -name 'xsched.ko*' | head -n 1) && [ -n "$ko" ] &&
	   [ "$(modinfo -F version "$ko")" = "$ver" ] &&
	   modinfo -F vermagic "$ko" | grep -q "^$kver "; then
		result pass "dkms/build-$line" "$kver"
	else
		tail -30 "$log" >&2
		find "$tmp/dkms" -name make.log -exec tail -20 {} \; >&2 || true
		result fail "dkms/build-$line" "$kver, log: $log"
	fi
done
summary
