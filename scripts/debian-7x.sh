#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's newest 7.x kernel line, for a Debian 12 host that cannot
# install it: 7.x lives in trixie-backports and sid, its kbuild tools
# are linked against trixie's glibc and its headers want gcc 14.
#
# * A private apt configuration under $XSCHED_CACHE/apt-7x (its own
#   sources list, state and cache: trixie, trixie-backports, sid)
#   selects, by pattern, the newest linux-image-7.*-amd64 that has
#   headers and a linux-source of the same version, and downloads
#   (never installs) the kernel image, its modules and the source.
#   The machine's own apt sources are never touched.
# * The image and modules are unpacked under $XSCHED_CACHE/image-KVER
#   (QEMU boots boot/vmlinuz-KVER; the modules are amdgpu's
#   dependencies), the source tarball under $XSCHED_CACHE/src-7x.
# * A debootstrapped trixie chroot, $XSCHED_CACHE/trixie-root, holds
#   the headers and the compiler they need; builds run in it with the
#   directories they need bind-mounted at the same paths, in a private
#   mount namespace (nothing stays mounted).
# Each part is redone only when its input changes (a stamp file holds
# the version or package list it was made from).  The apt lists are
# refreshed once a day.
#
# Usage: scripts/debian-7x.sh --print          KVER_7X=..., LINE_7X=..., ...
#        scripts/debian-7x.sh [--ensure]        download and prepare all
#                                               (and a sparse fit for 7.x)
#        scripts/debian-7x.sh --run [-b DIR]... -- CMD...
#                                               CMD in the chroot, DIRs bind-mounted
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--print | --ensure | --run [-b DIR]... -- CMD...]"; }
APT=$XSCHED_CACHE/apt-7x
# --run works on any chroot: XSCHED_CHROOT names another (scripts/rocm-sid.sh).
ROOT=${XSCHED_CHROOT:-$XSCHED_CACHE/trixie-root}
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# What the chroot is made of; a change rebuilds it.
CHROOT_PKGS="gcc make libc6-dev bc bison flex libelf-dev libssl-dev kmod sparse xz-utils python3 ca-certificates"

apt7() {
	local tool=$1
	shift
	"$tool" -o Dir::Etc="$APT/etc" -o Dir::Etc::sourcelist="$APT/etc/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State="$APT/state" \
		-o Dir::State::status="$APT/state/status" -o Dir::Cache="$APT/cache" \
		-o APT::Architecture=amd64 -o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false -o Debug::NoLocking=1 "$@"
}

apt7_update() {
	local lists=$APT/state/lists
	mkdir -p "$APT/etc/apt.conf.d" "$APT/etc/preferences.d" "$lists/partial" \
		"$APT/cache/archives/partial"
	{
		echo "deb [signed-by=$KEYRING] $MIRROR trixie main"
		echo "deb [signed-by=$KEYRING] $MIRROR trixie-backports main"
		echo "deb [signed-by=$KEYRING] $MIRROR sid main"
	} >"$APT/etc/sources.list"
	touch "$APT/state/status"
	if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
		echo "debian-7x: apt-get update (private lists in $APT)" >&2
		apt7 apt-get update -qq >&2
	fi
}

# select_kernel: KVER (e.g. 7.3.4+deb13-amd64), LINE (7.3) and VERSION
# (the Debian package version) of the newest 7.x amd64 kernel whose
# image, headers and linux-source-LINE share one version.
select_kernel() {
	local k line v
	for k in $(apt7 apt-cache pkgnames linux-image-7. |
		grep -E '^linux-image-7\.[0-9]+\.[0-9]+\+deb[0-9]+-amd64$' |
		sed 's/^linux-image-//' | sort -Vr); do
		line=$(echo "$k" | sed -E 's/^(7\.[0-9]+)\..*/\1/')
		v=$(apt7 apt-cache show "linux-image-$k" | sed -n 's/^Version: //p' | sort -Vr | head -1)
		if apt7 apt-cache show "linux-headers-$k=$v" >/dev/null 2>&1 &&
		   apt7 apt-cache show "linux-source-$line=$v" >/dev/null 2>&1; then
			KVER=$k LINE=$line VERSION=$v
			return 0
		fi
	done
	echo "$0: no Debian 7.x kernel with headers and source found" >&2
	return 1
}

# fetch_unpack PKG=VERSION DEST: download the package and unpack it into DEST.
fetch_unpack() {
	local pkg=$1 dest=$2 dl=$APT/debs
	mkdir -p "$dl"
	(cd "$dl" && apt7 apt-get download -qq "$pkg" >&2)
	dpkg-deb -x "$dl/$(echo "${pkg%%=*}" | sed 's/+/%2b/g')_"*.deb "$dest" 2>/dev/null ||
		dpkg-deb -x "$(ls -t "$dl/${pkg%%=*}"_*.deb | head -1)" "$dest"
}

ensure_image() {
	local dir=$XSCHED_CACHE/image-$KVER
	[ "$(cat "$dir/.xsched-stamp" 2>/dev/null)" = "$VERSION" ] && return 0
	echo "debian-7x: downloading linux-image $KVER ($VERSION) into $dir" >&2
	rm -rf "$dir" "$dir.tmp" "$APT/debs"
	mkdir -p "$dir.tmp"
	fetch_unpack "linux-binary-$KVER=$VERSION" "$dir.tmp"
	fetch_unpack "linux-modules-$KVER=$VERSION" "$dir.tmp"
	# depmod's modules.dep for amdgpu's dependencies (Debian's lists
	# are made at install time, which this download skips).
	/sbin/depmod -b "$dir.tmp" "$KVER" 2>/dev/null ||
		/sbin/depmod -b "$dir.tmp/usr" "$KVER"
	rm -rf "$APT/debs"
	echo "$VERSION" >"$dir.tmp/.xsched-stamp"
	mv "$dir.tmp" "$dir"
}

ensure_source() {
	local dir=$XSCHED_CACHE/src-7x
	[ "$(cat "$dir/.xsched-stamp" 2>/dev/null)" = "$LINE $VERSION" ] && return 0
	echo "debian-7x: downloading linux-source-$LINE ($VERSION) into $dir" >&2
	rm -rf "$dir" "$dir.tmp" "$APT/debs"
	mkdir -p "$dir.tmp"
	fetch_unpack "linux-source-$LINE=$VERSION" "$dir.tmp"
	rm -rf "$APT/debs"
	echo "$LINE $VERSION" >"$dir.tmp/.xsched-stamp"
	mv "$dir.tmp" "$dir"
}

# in_root [-b DIR]... -- CMD...: CMD in the chroot, in a private mount
# namespace with /proc, /dev and every DIR bind-mounted at its own path.
in_root() {
	local binds=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case "$1" in
		-b) binds+=("$(realpath -m "$2")"); shift 2 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	[ "${1:-}" = -- ] && shift
	[ $# -gt 0 ] || { usage >&2; exit 2; }
	unshare --mount --propagation private -- bash -c '
		set -e
		root=$1; shift
		mount --bind /proc "$root/proc"
		mount --rbind /dev "$root/dev"
		while [ "$1" != -- ]; do
			mkdir -p "$root$1" "$1"
			mount --bind "$1" "$root$1"
			shift
		done
		shift
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"' bash "$ROOT" ${binds[@]+"${binds[@]}"} -- "$@"
}

ensure_root() {
	local want
	want="trixie $CHROOT_PKGS"
	if [ "$(cat "$ROOT/.xsched-stamp" 2>/dev/null)" != "$want" ]; then
		command -v debootstrap >/dev/null ||
			{ echo "$0: debootstrap missing (scripts/deps.sh installs it)" >&2; exit 1; }
		echo "debian-7x: debootstrapping trixie into $ROOT (once)" >&2
		rm -rf "$ROOT" "$ROOT.tmp"
		debootstrap --variant=minbase --keyring="$KEYRING" \
			--include="$(echo "$CHROOT_PKGS" | tr ' ' ,)" \
			trixie "$ROOT.tmp" "$MIRROR" >"$XSCHED_CACHE/trixie-root.log" 2>&1 ||
			{ tail -20 "$XSCHED_CACHE/trixie-root.log" >&2; exit 1; }
		{
			echo "deb $MIRROR trixie main"
			echo "deb $MIRROR trixie-backports main"
			echo "deb $MIRROR sid main"
		} >"$ROOT.tmp/etc/apt/sources.list"
		# sid only for a kernel that is nowhere else.
		printf 'Package: *\nPin: release a=unstable\nPin-Priority: 50\n' \
			>"$ROOT.tmp/etc/apt/preferences.d/sid"
		echo "$want" >"$ROOT.tmp/.xsched-stamp"
		mv "$ROOT.tmp" "$ROOT"
	fi
	# dkms (for scripts/dkms-check.sh) is added to an existing chroot
	# rather than to CHROOT_PKGS, which would debootstrap it again.
	if [ ! -x "$ROOT/usr/sbin/dkms" ]; then
		echo "debian-7x: installing dkms in the chroot" >&2
		in_root -- sh -c "apt-get -o Acquire::Check-Valid-Until=false update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends dkms" >&2
	fi
	if [ ! -d "$ROOT/usr/src/linux-headers-$KVER" ]; then
		echo "debian-7x: installing linux-headers-$KVER in the chroot" >&2
		in_root -- sh -c "apt-get -o Acquire::Check-Valid-Until=false update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends \
			linux-headers-$KVER=$VERSION" >&2
	fi
}

# sparse_fit PATH: whether the sparse at PATH (in the chroot) parses
# __typeof_unqual__, which 7.x's headers use under sparse too; the
# kernel's Makefile makes the same test before C=1/C=2 and otherwise
# refuses to run sparse at all.
sparse_fit() {
	local t=/tmp/xsched-sparse-fit.c out
	printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$ROOT$t"
	[ -x "$ROOT$1" ] || return 1
	out=$(in_root -- "$1" "$t" 2>&1) || return 1
	case "$out" in *error*) return 1 ;; esac
}

# ensure_sparse: a sparse the 7.x kernel accepts.  Trixie's (0.6.4) is
# too old; the newest Debian has (sid's 0.6.5 release candidate, which
# needs only libc) is unpacked into the chroot's /opt/sparse-VERSION,
# not installed, so that it pulls none of its package's dependencies.
# SPARSE_7X (printed by --print) names the binary, or is empty when no
# Debian sparse is fit.
SPARSE_DIR=/opt/sparse
sparse_path() {
	[ -f "$ROOT$SPARSE_DIR/.xsched-stamp" ] && echo "$SPARSE_DIR/usr/bin/sparse"
	return 0
}

ensure_sparse() {
	local v dir=$ROOT$SPARSE_DIR
	local common=$ROOT/usr/src/linux-headers-${KVER%-amd64}-common
	# Debian's headers package leaves out scripts/checker-valid.sh,
	# which the Makefile runs before C=1/C=2 and, without it, refuses
	# every sparse; it is put back from linux-source of the same version.
	if [ -d "$common" ] && [ ! -x "$common/scripts/checker-valid.sh" ]; then
		echo "debian-7x: restoring scripts/checker-valid.sh in the chroot's headers" >&2
		tar -xJf "$XSCHED_CACHE/src-7x/usr/src/linux-source-$LINE.tar.xz" -O \
			"linux-source-$LINE/scripts/checker-valid.sh" >"$common/scripts/checker-valid.sh.tmp"
		chmod 755 "$common/scripts/checker-valid.sh.tmp"
		mv "$common/scripts/checker-valid.sh.tmp" "$common/scripts/checker-valid.sh"
	fi
	sparse_fit /usr/bin/sparse && { rm -rf "$dir"; return 0; }
	v=$(apt7 apt-cache show sparse | sed -n 's/^Version: //p' | sort -V | tail -1)
	[ -n "$v" ] || return 0
	[ "$(cat "$dir/.xsched-stamp" 2>/dev/null)" = "$v" ] && return 0
	echo "debian-7x: unpacking sparse $v into the chroot's $SPARSE_DIR" >&2
	rm -rf "$dir" "$dir.tmp" "$APT/debs"
	fetch_unpack "sparse=$v" "$dir.tmp"
	rm -rf "$APT/debs"
	echo "$v" >"$dir.tmp/.xsched-stamp"
	mv "$dir.tmp" "$dir"
	if ! sparse_fit "$SPARSE_DIR/usr/bin/sparse"; then
		echo "debian-7x: sparse $v cannot parse __typeof_unqual__ either" >&2
		rm -rf "$dir"
	fi
}

mode=--ensure
case "${1:-}" in
""|--ensure) ;;
--print) mode=--print ;;
--run) shift; in_root "$@"; exit ;;
-h|--help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

apt7_update
select_kernel
if [ "$mode" = --print ]; then
	echo "KVER_7X=$KVER"
	echo "LINE_7X=$LINE"
	echo "VERSION_7X=$VERSION"
	if sparse_fit /usr/bin/sparse 2>/dev/null; then
		echo "SPARSE_7X=sparse"
	else
		echo "SPARSE_7X=$(sparse_path)"
	fi
	exit 0
fi
ensure_root
ensure_image
ensure_source
ensure_sparse
echo "debian-7x: ok ($KVER, $VERSION)" >&2
