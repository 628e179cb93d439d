#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, built and used as an operator would: `make deb`
# (dpkg-buildpackage), lintian with no errors, then, in a debootstrapped
# Debian 12 chroot with Debian's 6.12 kernel headers, install all four
# packages and use them: xschedctl runs (and says clearly that there is
# no /dev/xsched), a program builds against libxsched-dev through
# pkg-config and runs, DKMS has built and installed xsched.ko for the
# chroot's kernel headers (`dkms status`), then purge them all and find
# nothing left behind: no file the packages listed, and no file anywhere
# that was not there before they were installed.
#
# The chroot is made once under $XSCHED_CACHE/deb-bookworm-root and again
# only when what it is made of changes (a stamp holds the package list
# and the kernel); every run works in an overlay of it, in a private
# mount namespace, so the cached root is never changed.
#
# Usage: scripts/deb-check.sh [--ensure-root]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--ensure-root]"; }
only_root=0
case "${1:-}" in
"") ;;
--ensure-root) only_root=1 ;;
-h|--help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

ROOT=$XSCHED_CACHE/deb-bookworm-root
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# What the chroot is made of (besides the kernel headers); a change
# rebuilds it.
# systemd only for systemd-analyze: the chroot runs no init.
ROOT_PKGS="dkms gcc make libc6-dev pkg-config kmod systemd"
HOST_PKGS=(debhelper lintian dpkg-dev fakeroot debootstrap)

host_tools() {
	local p missing=()
	for p in "${HOST_PKGS[@]}"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			missing+=("$p")
	done
	[ "${#missing[@]}" = 0 ] && return 0
	echo "deb: installing ${missing[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

# in_chroot DIR CMD...: CMD in the chroot DIR, in a private mount
# namespace, with /proc and a /dev of its own: null, zero, full, random,
# urandom and tty from the host's, and nothing else (no /dev/xsched even
# where the host has one).
in_chroot() {
	local dir=$1
	shift
	unshare --mount --propagation private -- bash -c '
		set -e
		root=$1; shift
		mount --bind /proc "$root/proc"
		mount -t tmpfs -o mode=755 dev "$root/dev"
		for n in null zero full random urandom tty; do
			touch "$root/dev/$n"
			mount --bind "/dev/$n" "$root/dev/$n"
		done
		mkdir -p "$root/dev/pts" "$root/dev/shm"
		ln -s /proc/self/fd "$root/dev/fd"
		ln -s /proc/self/fd/0 "$root/dev/stdin"
		ln -s /proc/self/fd/1 "$root/dev/stdout"
		ln -s /proc/self/fd/2 "$root/dev/stderr"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
		bash "$dir" "$@"
}

# ensure_root: the cached Debian 12 chroot with ROOT_PKGS and the headers
# of Debian's 6.12 kernel that scripts/deps.sh selects.
ensure_root() {
	local want log=$XSCHED_CACHE/deb-bookworm-root.log
	want="bookworm $ROOT_PKGS linux-headers-$KVER_612"
	[ "$(cat "$ROOT/.xsched-stamp" 2>/dev/null)" = "$want" ] && return 0
	echo "deb: debootstrapping Debian 12 into $ROOT (once; log $log)" >&2
	rm -rf "$ROOT" "$ROOT.tmp"
	if ! nice debootstrap --variant=minbase --keyring="$KEYRING" \
		--include="$(echo "$ROOT_PKGS" | tr ' ' ,)" \
		bookworm "$ROOT.tmp" "$MIRROR" >"$log" 2>&1; then
		tail -20 "$log" >&2
		return 1
	fi
	{
		echo "deb $MIRROR bookworm main"
		echo "deb $MIRROR bookworm-updates main"
		echo "deb http://deb.debian.org/debian-security bookworm-security main"
	} >"$ROOT.tmp/etc/apt/sources.list"
	# A chroot starts no services.
	printf '#!/bin/sh\nexit 101\n' >"$ROOT.tmp/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT.tmp/usr/sbin/policy-rc.d"
	if ! in_chroot "$ROOT.tmp" sh -c "apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends linux-headers-$KVER_612 &&
		apt-get clean" >>"$log" 2>&1; then
		tail -20 "$log" >&2
		return 1
	fi
	echo "$want" >"$ROOT.tmp/.xsched-stamp"
	mv "$ROOT.tmp" "$ROOT"
}

ensure_deps
host_tools
debian_kernels
ensure_root
[ "$only_root" = 1 ] && exit 0

# --- the packages ---
t0=$SECONDS
if changes=$("$XSCHED_TOP/scripts/deb-build.sh"); then
	result pass deb/build "$((SECONDS - t0)) s"
else
	result fail deb/build "log: $XSCHED_BUILD/logs/deb-build.log"
	summary
	exit 1
fi
debdir=$(dirname "$changes")
log=$XSCHED_BUILD/logs/deb-lintian.log
if lintian --fail-on error "$changes" >"$log" 2>&1; then
	result pass deb/lintian-no-errors "$(grep -c '^W:' "$log" || true) warnings"
else
	grep '^E:' "$log" >&2 || tail -20 "$log" >&2
	result fail deb/lintian-no-errors "log: $log"
fi

# --- installed, used and purged in an overlay of the chroot ---
work=$(mktemp -d)
trap 'rm -rf "$work"; rm -f "$_xs_local_results"' EXIT
mkdir -p "$work"/{upper,work,root}
mkdir -p "$work/upper/tmp/debs"
for p in xsched-dkms libxsched0 libxsched-dev xsched-tools; do
	cp "$debdir/${p}_"*.deb "$work/upper/tmp/debs/"
done
cat >"$work/upper/tmp/job.sh" <<'JOB'
set -u
xt() { echo "XT $*"; }
check() {	# check NAME CMD...: a case passes iff CMD succeeds
	local name=$1
	shift
	if "$@" >/tmp/out 2>&1; then xt PASS "$name"; else xt FAIL "$name" "$(tail -3 /tmp/out | tr '\n' ' ')"; fi
}
kver=$1 ver=$2
pkgs="xsched-dkms libxsched0 libxsched-dev xsched-tools"
# Everything on the file system but state that dpkg, apt and logs keep,
# and /run (a tmpfs at boot; systemd-analyze leaves a stamp there).
snapshot() {
	find / -xdev \( -path /proc -o -path /dev -o -path /tmp -o -path /var/log -o -path /run \
		-o -path /var/lib/dpkg -o -path /var/cache -o -path /var/lib/apt \) -prune \
		-o -print | sort
}
snapshot >/tmp/before
echo "== dpkg -i"
dpkg -i /tmp/debs/*.deb >/tmp/install.log 2>&1; rc=$?
cat /tmp/install.log
if [ "$rc" = 0 ]; then xt PASS install; else xt FAIL install "dpkg -i exit $rc"; fi

# DKMS built and installed the module for the chroot's kernel headers.
st=$(dkms status -m xsched -v "$ver" 2>&1)
echo "dkms status: $st"
case "$st" in
*"xsched/$ver, $kver, x86_64: installed"*) xt PASS dkms/status-installed ;;
*) xt FAIL dkms/status-installed "$st" ;;
esac
ko=$(find "/lib/modules/$kver/updates" -name 'xsched.ko*' | head -1)
if [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$ver" ] &&
   modinfo -F vermagic "$ko" | grep -q "^$kver "; then
	xt PASS dkms/module-for-kernel
else
	xt FAIL dkms/module-for-kernel "ko '$ko'"
fi
# Installed again over itself, as an upgrade runs: the old prerm has
# DKMS remove the module, the new postinst builds it again.
dpkg -i /tmp/debs/xsched-dkms_*.deb >/tmp/upgrade.log 2>&1; rc=$?
cat /tmp/upgrade.log
st=$(dkms status -m xsched -v "$ver" 2>/dev/null)
case "$rc:$st" in
"0:xsched/$ver, $kver, x86_64: installed"*) xt PASS dkms/reinstall-rebuilds ;;
*) xt FAIL dkms/reinstall-rebuilds "dpkg -i exit $rc, dkms: $st" ;;
esac
check dkms/reinstall-removed-first grep -q 'Deleting module xsched-' /tmp/upgrade.log
check boot/modules-load test "$(cat /usr/lib/modules-load.d/xsched.conf | grep -v '^#')" = xsched
check boot/udev-rule grep -q 'KERNEL=="xsched".*MODE="0666"' /lib/udev/rules.d/60-xsched.rules
check boot/modprobe-conffile grep -qx /etc/modprobe.d/xsched.conf /var/lib/dpkg/info/xsched-dkms.conffiles
check boot/rules-service-enabled test -L /etc/systemd/system/multi-user.target.wants/xsched-rules.service
check boot/exporter-service-not-enabled test ! -e /etc/systemd/system/multi-user.target.wants/xsched-exporter.service
check boot/exporter-unit grep -q '^ExecStart=/usr/sbin/xschedctl metrics --listen' /lib/systemd/system/xsched-exporter.service
check boot/units-verify systemd-analyze verify --man=no xsched-rules.service xsched-exporter.service

# xschedctl runs; without /dev/xsched it says so and exits 1.
check tools/help xschedctl --help
out=$(xschedctl version 2>&1)
case "$out" in
"xschedctl $ver"*"module: not loaded"*) xt PASS tools/version ;;
*) xt FAIL tools/version "$out" ;;
esac
out=$(xschedctl list 2>&1); rc=$?
case "$rc:$out" in
"1:xschedctl: /dev/xsched: No such file or directory (the xsched module is not loaded: modprobe xsched)") xt PASS tools/no-device-error ;;
*) xt FAIL tools/no-device-error "exit $rc: $out" ;;
esac
out=$(xschedctl metrics 2>&1); rc=$?
[ "$rc" = 1 ] && xt PASS tools/metrics-no-device-exit-1 || xt FAIL tools/metrics-no-device-exit-1 "exit $rc: $out"
check tools/rules-check xschedctl rules check
check tools/k8s-rules-help xsched-k8s-rules --help
check tools/man-page test -f /usr/share/man/man8/xschedctl.8.gz -a -f /usr/share/man/man3/xsched_open.3.gz

# A program built against libxsched-dev through pkg-config.
cat >/tmp/consumer.c <<'C'
#include <libxsched.h>
#include <stdio.h>
int main(void)
{
	struct xsched *xs;

	printf("%d\n", xsched_open_path("/nonexistent", &xs));
	return 0;
}
C
if gcc -std=c11 -Wall -Werror -o /tmp/consumer /tmp/consumer.c $(pkg-config --cflags --libs libxsched) >/tmp/out 2>&1 &&
   [ "$(/tmp/consumer)" = -2 ] &&
   ldd /tmp/consumer | grep -qE "libxsched.so.0 => (/usr)?/lib/x86_64-linux-gnu/libxsched.so.0 "; then
	xt PASS dev/pkg-config-consumer
else
	xt FAIL dev/pkg-config-consumer "$(pkg-config --cflags --libs libxsched 2>&1): $(head -3 /tmp/out | tr '\n' ' ')"
fi

for p in $pkgs; do dpkg -L "$p"; done | sort -u >/tmp/listed
echo "== dpkg --purge"
dpkg --purge $pkgs >/tmp/purge.log 2>&1; rc=$?
cat /tmp/purge.log
if [ "$rc" = 0 ]; then xt PASS purge; else xt FAIL purge "dpkg --purge exit $rc"; fi
left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done </tmp/listed)
[ -z "$left" ] && xt PASS purge/listed-files-gone || xt FAIL purge/listed-files-gone "$(echo $left)"
st=$(dkms status -m xsched 2>&1)
[ -z "$st" ] && [ ! -e /usr/src/xsched-"$ver" ] && [ ! -e /var/lib/dkms/xsched ] &&
	xt PASS purge/dkms-forgotten || xt FAIL purge/dkms-forgotten "$st"
snapshot >/tmp/after
new=$(comm -13 /tmp/before /tmp/after)
[ -z "$new" ] && xt PASS purge/nothing-left-behind || xt FAIL purge/nothing-left-behind "$(echo $new | cut -c1-300)"
JOB
log=$XSCHED_BUILD/logs/deb-chroot.log
t0=$SECONDS
unshare --mount --propagation private -- bash -c '
	set -e
	w=$1 root=$2; shift 2
	mount -t overlay overlay -o lowerdir="$root",upperdir="$w/upper",workdir="$w/work" "$w/root"
	'"$(declare -f in_chroot)"'
	in_chroot "$w/root" bash /tmp/job.sh "$@"' \
	bash "$work" "$ROOT" "$KVER_612" "$(xsched_version)" >"$log" 2>&1 || true
echo "deb: chroot install, use and purge: $((SECONDS - t0)) s, log: $log" >&2
if grep -q '^XT ' "$log"; then
	report_xt deb "$log"
else
	tail -20 "$log" >&2
	result fail deb/chroot "no results; log: $log"
fi
summary
