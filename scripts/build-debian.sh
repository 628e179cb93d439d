#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xsched.ko against the installed Debian 6.1 and 6.12 headers and
# the newest 7.x headers (in the trixie chroot of scripts/debian-7x.sh,
# with the gcc 14 they were made with) with warnings as errors (W=1,
# -Werror); with --sparse, also run sparse (C=2) and fail on any sparse
# report.  7.x's headers need a sparse that parses __typeof_unqual__,
# which bookworm's and trixie's 0.6.4 cannot: there the newer Debian
# sparse that scripts/debian-7x.sh unpacks into its chroot runs
# (SPARSE_7X).  Should no Debian sparse be fit, the kernel refuses C=2
# and the run is reported as skipped, with the kernel's reason.
#
# Usage: scripts/build-debian.sh [--sparse]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sparse=0
case "${1:-}" in
"") ;;
--sparse) sparse=1 ;;
-h|--help) echo "usage: $0 [--sparse]"; exit 0 ;;
*) echo "usage: $0 [--sparse]" >&2; exit 2 ;;
esac

ensure_deps
debian_kernels
mkdir -p "$XSCHED_BUILD/logs"
for kver in "$KVER_61" "$KVER_612" "$KVER_7X"; do
	line=${kver%%[-+]*}; line=${line%.*}; line=${line%.0}
	if [ "$sparse" = 1 ]; then
		name="sparse-$line"; args="W=1 C=2"
		case "$kver" in 7.*) [ -n "$SPARSE_7X" ] && args="$args CHECK=$SPARSE_7X" ;; esac
	else
		name="build-$line"; args="W=1"
	fi
	log="$XSCHED_BUILD/logs/$name.log"
	# C=2 checks every file, so a clean build still runs sparse on all.
	rc=0
	kmake "$kver" -C "$XSCHED_TOP" --no-print-directory KVER="$kver" \
		KDIR="$(guest_kdir "$kver")" XSCHED_WERROR=1 KBUILD_ARGS="$args" \
		modules >"$log" 2>&1 || rc=$?
	unfit='C=2 specified, but .* is not available or not up to date'
	if [ "$rc" = 0 ] && [ "$sparse" = 1 ] && grep -q "$unfit" "$log"; then
		result skip "$name" "$kver: the kernel finds sparse unfit (its check needs __typeof_unqual__, and no Debian sparse here parses it)"
	elif [ "$rc" = 0 ] && ! grep -E 'warning:|error:|C=2 specified' "$log" >&2; then
		result pass "$name" "$kver"
	else
		tail -20 "$log" >&2
		result fail "$name" "$kver, log: $log"
	fi
done
summary
