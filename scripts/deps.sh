#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything xsched's build, tests and demo use, with apt-get.
# Idempotent: when everything is present it only prints what it found.
# Kernel packages are chosen by pattern at run time: the newest Debian
# 6.1 and 6.12 amd64 flavour for which both an image and headers exist.
#
# Usage: scripts/deps.sh [--print-kernels]
set -euo pipefail

usage() { echo "usage: $0 [--print-kernels]" >&2; exit 2; }
print_only=0
case "${1:-}" in
	"") ;;
	--print-kernels) print_only=1 ;;
	-h|--help) echo "usage: $0 [--print-kernels]"; exit 0 ;;
	*) usage ;;
esac

export DEBIAN_FRONTEND=noninteractive

base_pkgs=(build-essential g++ make kmod dkms sparse qemu-system-x86 qemu-user
	busybox-static cpio bc flex bison libelf-dev libssl-dev python3
	gcc-multilib g++-multilib
	xz-utils rsync patch file debootstrap
	libamdhip64-dev libhsa-runtime-dev libdrm-dev pyflakes3)

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$0: missing packages and not root; run as root: $*" >&2
		exit 1
	fi
}

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	need_root "apt-get update"
	apt-get update -qq >&2
	updated=1
}

# newest_kver LINE: prints e.g. 6.1.0-56-amd64 for LINE=6.1, the newest ABI
# for which linux-image-<abi> and linux-headers-<abi> are both installable
# (or already installed).
newest_kver() {
	local line=$1 re abi
	case "$line" in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64$' ;;
	*) echo "unknown kernel line $line" >&2; return 1 ;;
	esac
	for abi in $( { apt-cache pkgnames linux-image- 2>/dev/null;
			dpkg-query -W -f='${Package}\n' 'linux-image-*' 2>/dev/null; } |
			grep -E "$re" | sed 's/^linux-image-//' | sort -uVr); do
		if apt-cache show "linux-headers-$abi" >/dev/null 2>&1 ||
		   dpkg-query -W "linux-headers-$abi" >/dev/null 2>&1; then
			echo "$abi"
			return 0
		fi
	done
	return 1
}

pick_kernels() {
	k61=$(newest_kver 6.1 || true)
	k612=$(newest_kver 6.12 || true)
	if [ -z "$k61" ] || [ -z "$k612" ]; then
		apt_update
		k61=$(newest_kver 6.1) || { echo "$0: no Debian 6.1 kernel found" >&2; exit 1; }
		k612=$(newest_kver 6.12) || { echo "$0: no Debian 6.12 kernel found" >&2; exit 1; }
	fi
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

pick_kernels
if [ "$print_only" = 1 ]; then
	echo "KVER_61=$k61"
	echo "KVER_612=$k612"
	exit 0
fi

pkgs=("${base_pkgs[@]}"
	"linux-image-$k61" "linux-headers-$k61" linux-source-6.1
	"linux-image-$k612" "linux-headers-$k612" linux-source-6.12)

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
	need_root "apt-get install ${missing[*]}"
	echo "deps: installing ${missing[*]}" >&2
	apt_update
	# Kernel images are only needed as files for QEMU; never let their
	# postinst touch this machine's boot loader.
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
echo "deps: ok (6.1: $k61, 6.12: $k612)" >&2
