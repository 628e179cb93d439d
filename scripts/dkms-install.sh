#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install xsched as a DKMS package on this host: copies the module sources
# to /usr/src/xsched-<version>, then dkms add/build/install for the given
# kernel (default: the running one).  Run as root.  Undo with
#   dkms remove xsched/<version> --all && rm -rf /usr/src/xsched-<version>
#
# Usage: scripts/dkms-install.sh [-k KVER] [--dry-run]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [-k KVER] [--dry-run]"; }
kver=$(uname -r)
dry=0
while [ $# -gt 0 ]; do
	case "$1" in
	-k) [ $# -ge 2 ] || { usage >&2; exit 2; }; kver=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
ver=$(xsched_version)
src=/usr/src/xsched-$ver
run() { echo "+ $*"; [ "$dry" = 1 ] || "$@"; }

[ "$dry" = 1 ] || [ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 1; }
command -v dkms >/dev/null || { echo "$0: dkms not installed (apt-get install dkms)" >&2; exit 1; }
[ -d "/lib/modules/$kver/build" ] ||
	{ echo "$0: no headers for $kver (install linux-headers-$kver)" >&2; exit 1; }
if dkms status -m xsched -v "$ver" 2>/dev/null | grep -q .; then
	echo "$0: xsched/$ver is already registered with DKMS; remove it first:" >&2
	echo "    dkms remove xsched/$ver --all" >&2
	exit 1
fi
echo "+ copy module sources to $src"
[ "$dry" = 1 ] || { rm -rf "$src"; stage_dkms_source "$src"; }
run dkms add -m xsched -v "$ver"
run dkms build -m xsched -v "$ver" -k "$kver"
run dkms install -m xsched -v "$ver" -k "$kver"
if [ "$dry" = 1 ]; then
	echo "dry run: nothing was changed"
else
	echo "installed xsched $ver for $kver; load it with: modprobe xsched"
fi
