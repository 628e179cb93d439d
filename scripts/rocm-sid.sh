#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's own ROCm toolchain (hipcc 7.0, HIP and ROCr 6.4, in sid) for a
# Debian 12 host, whose ROCm is 5.2: a debootstrapped sid chroot,
# $XSCHED_CACHE/rocm-sid-root, with hipcc, the HIP and ROCr headers and
# gcc.  It is made once and remade only when its package list changes
# (the stamp file holds that list, then the versions installed).  The
# machine's own apt sources are never touched; builds run in the chroot
# through scripts/debian-7x.sh --run (a private mount namespace).
#
# Usage: scripts/rocm-sid.sh [--ensure]       make the chroot if needed
#        scripts/rocm-sid.sh --root            print its path
#        scripts/rocm-sid.sh --versions        hipcc, HIP and ROCr versions in it
#        scripts/rocm-sid.sh --run [-b DIR]... -- CMD...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--ensure | --root | --versions | --run [-b DIR]... -- CMD...]"; }
ROOT=$XSCHED_CACHE/rocm-sid-root
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
BASE_PKGS="gcc g++ make libc6-dev ca-certificates"
ROCM_PKGS="hipcc libamdhip64-dev libhsa-runtime-dev"

run() { XSCHED_CHROOT=$ROOT "$XSCHED_TOP/scripts/debian-7x.sh" --run "$@"; }

versions() {
	run -- dpkg-query -W -f '${Package} ${Version}\n' hipcc libamdhip64-dev \
		libhsa-runtime-dev clang-21 2>/dev/null || true
}

ensure() {
	local want="sid $BASE_PKGS + $ROCM_PKGS" log=$XSCHED_CACHE/rocm-sid-root.log
	[ "$(head -1 "$ROOT/.xsched-stamp" 2>/dev/null)" = "$want" ] && return 0
	command -v debootstrap >/dev/null ||
		{ echo "$0: debootstrap missing (scripts/deps.sh installs it)" >&2; exit 1; }
	echo "rocm-sid: debootstrapping sid with hipcc into $ROOT (once; log $log)" >&2
	rm -rf "$ROOT"
	# A finished debootstrap is kept (its own stamp) if the install failed.
	if [ "$(cat "$ROOT.tmp/.xsched-base" 2>/dev/null)" != "sid $BASE_PKGS" ]; then
		rm -rf "$ROOT.tmp"
		debootstrap --variant=minbase --keyring="$KEYRING" \
			--include="$(echo "$BASE_PKGS" | tr ' ' ,)" \
			sid "$ROOT.tmp" "$MIRROR" >"$log" 2>&1 ||
			{ tail -20 "$log" >&2; exit 1; }
		echo "deb $MIRROR sid main" >"$ROOT.tmp/etc/apt/sources.list"
		echo "sid $BASE_PKGS" >"$ROOT.tmp/.xsched-base"
	fi
	XSCHED_CHROOT=$ROOT.tmp "$XSCHED_TOP/scripts/debian-7x.sh" --run -- sh -c \
		"apt-get -o Acquire::Check-Valid-Until=false update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $ROCM_PKGS && apt-get clean" >>"$log" 2>&1 ||
		{ tail -20 "$log" >&2; exit 1; }
	echo "$want" >"$ROOT.tmp/.xsched-stamp"
	mv "$ROOT.tmp" "$ROOT"
	versions >>"$ROOT/.xsched-stamp"
}

case "${1:-}" in
""|--ensure) ensure ;;
--root) echo "$ROOT" ;;
--versions) ensure; versions ;;
--run) shift; ensure; run "$@" ;;
-h|--help) usage ;;
*) usage >&2; exit 2 ;;
esac
