#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xsched.ko against the installed Debian 6.1 and 6.12 headers with
# warnings as errors (W=1, -Werror); with --sparse, also run sparse
# (C=2) and fail on any sparse report.
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
for kver in "$KVER_61" "$KVER_612"; do
	line=${kver%%-*}; line=${line%.*}; line=${line%.0}
	if [ "$sparse" = 1 ]; then
		name="sparse-$line"; args="W=1 C=2"
	else
		name="build-$line"; args="W=1"
	fi
	log="$XSCHED_BUILD/logs/$name.log"
	# C=2 checks every file, so a clean build still runs sparse on all.
	if make -C "$XSCHED_TOP" --no-print-directory KVER="$kver" \
		XSCHED_WERROR=1 KBUILD_ARGS="$args" modules >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" >&2; then
		result pass "$name" "$kver"
	else
		tail -20 "$log" >&2
		result fail "$name" "$kver, log: $log"
	fi
done
summary
