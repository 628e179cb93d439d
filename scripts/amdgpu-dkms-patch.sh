#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Applies the amdkfd xsched patch to an installed amdgpu-dkms source tree
# (/usr/src/amdgpu-<version>: dkms.conf, amd/amdkfd, amd/amdgpu) and
# rebuilds and installs amdgpu with DKMS for one kernel.
#
# The patch is made for this tree: every hook of kmod/amdkfd/hooks.def
# is placed by its anchor (scripts/amdkfd-patch.sh, which needs
# python3), its variant chosen by the features the tree has.  A tree
# where an anchor is missing (the refusal names it), or one already
# patched, is refused and left untouched.  Once patched, dkms builds the
# module; the built amdgpu.ko must export kfd_xsched_get_ops before it
# is installed.  The applied patch is saved as
# <tree>/xsched-amdkfd.patch; --revert reverses it.
#
# Usage: scripts/amdgpu-dkms-patch.sh [--dry-run] [--revert] [--no-dkms]
#                                     [-k KERNEL] [TREE]
#   TREE       default: the only /usr/src/amdgpu-* directory
#   --dry-run  say what fits and what would be done; change nothing
#   --revert   reverse a patch this script applied, then rebuild
#   --no-dkms  patch (or revert) the sources only
#   -k KERNEL  kernel to build for (default: uname -r)
# Exit status: 0 done, 1 failed, 2 usage, 3 already patched (or, with
# --revert, not patched), 4 tree not recognised.
set -euo pipefail

S=$(cd "$(dirname "$0")" && pwd)
usage() {
	echo "usage: $0 [--dry-run] [--revert] [--no-dkms] [-k KERNEL] [TREE]"
}
die() { local rc=$1; shift; echo "$0: $*" >&2; exit "$rc"; }

dry=0 revert=0 dkms=1 kernel=$(uname -r) tree=
while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run) dry=1 ;;
	--revert) revert=1 ;;
	--no-dkms) dkms=0 ;;
	-k) [ $# -ge 2 ] || { usage >&2; exit 2; }; kernel=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) [ -z "$tree" ] || { usage >&2; exit 2; }; tree=$1 ;;
	esac
	shift
done

if [ -z "$tree" ]; then
	shopt -s nullglob
	trees=(/usr/src/amdgpu-*)
	shopt -u nullglob
	[ "${#trees[@]}" = 1 ] ||
		die 2 "found ${#trees[@]} /usr/src/amdgpu-* trees; name one"
	tree=${trees[0]}
fi
tree=$(cd "$tree" 2>/dev/null && pwd) || die 4 "$tree: no such directory"

# The amdgpu-dkms layout.
for f in dkms.conf amd/amdkfd/Makefile amd/amdkfd/kfd_priv.h amd/amdgpu; do
	[ -e "$tree/$f" ] ||
		die 4 "$tree is not an amdgpu-dkms source tree (no $f)"
done
name=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$tree/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$tree/dkms.conf")
[ -n "$name" ] && [ -n "$version" ] ||
	die 4 "$tree/dkms.conf has no PACKAGE_NAME/PACKAGE_VERSION"
saved=$tree/xsched-amdkfd.patch
patched=0
if [ -e "$tree/amd/amdkfd/kfd_xsched.c" ] ||
   grep -q 'kfd_xsched' "$tree/amd/amdkfd/Makefile"; then
	patched=1
fi

rebuild() {
	if [ "$dkms" = 0 ]; then
		echo "sources changed; not rebuilding (--no-dkms)"
		return
	fi
	command -v dkms >/dev/null || die 1 "dkms not found"
	echo "rebuilding $name/$version for $kernel with dkms"
	dkms build -m "$name" -v "$version" -k "$kernel" --force ||
		die 1 "dkms build failed; the sources stay patched (see --revert)"
	check_export
	dkms install -m "$name" -v "$version" -k "$kernel" --force ||
		die 1 "dkms install failed"
	echo "installed; reboot (or reload amdgpu) to use it." \
	     "If amdgpu is in the initramfs, update it first (update-initramfs -u or dracut -f)."
}

# check_export: the amdgpu.ko dkms built exports kfd_xsched_get_ops
# (after a revert: does not).
check_export() {
	local ko tmpko want=1
	[ "$revert" = 0 ] || want=0
	ko=$(find "/var/lib/dkms/$name/$version/$kernel" -name 'amdgpu.ko*' 2>/dev/null | head -1)
	[ -n "$ko" ] || die 1 "dkms built no amdgpu.ko under /var/lib/dkms/$name/$version/$kernel"
	tmpko=$(mktemp)
	case "$ko" in
	*.xz) xz -dc "$ko" >"$tmpko" ;;
	*.zst) zstd -qdc "$ko" >"$tmpko" ;;
	*.gz) gzip -dc "$ko" >"$tmpko" ;;
	*) cp "$ko" "$tmpko" ;;
	esac
	if [ "$(nm "$tmpko" 2>/dev/null | grep -c ' __ksymtab_kfd_xsched_get_ops$\|__export_symbol_kfd_xsched_get_ops$')" -gt 0 ] ||
	   [ "$want" = 0 ]; then
		rm -f "$tmpko"
		return 0
	fi
	rm -f "$tmpko"
	die 1 "$ko does not export kfd_xsched_get_ops; not installed"
}

if [ "$revert" = 1 ]; then
	[ "$patched" = 1 ] && [ -f "$saved" ] ||
		die 3 "$tree is not patched by this script (no $saved)"
	patch -p1 -d "$tree/amd" -R --dry-run --fuzz=0 -s <"$saved" >/dev/null ||
		die 1 "$saved does not reverse cleanly: the tree changed since"
	if [ "$dry" = 1 ]; then
		echo "would revert $saved in $tree and rebuild $name/$version for $kernel"
		exit 0
	fi
	patch -p1 -d "$tree/amd" -R --fuzz=0 --no-backup-if-mismatch -s <"$saved"
	rm -f "$saved"
	echo "reverted the xsched patch in $tree"
	rebuild
	exit 0
fi

[ "$patched" = 0 ] || die 3 "$tree already has the xsched patch; nothing done (--revert to remove it)"

command -v python3 >/dev/null || die 1 "python3 is needed to place the hooks (apt-get install python3)"
tmp=$(mktemp) err=$(mktemp)
trap 'rm -f "$tmp" "$err"' EXIT
rc=0
"$S/amdkfd-patch.sh" --features "$tree/amd" >"$tmp" 2>"$err" || rc=$?
if [ "$rc" = 4 ]; then
	cat "$err" >&2
	die 4 "$tree: amdkfd sources not recognised (an xsched hook's anchor is missing, named above); nothing done"
elif [ "$rc" != 0 ]; then
	cat "$err" >&2
	die 1 "could not make the patch for $tree"
fi
patch -p1 -d "$tree/amd" --dry-run --fuzz=0 -s <"$tmp" >/dev/null 2>&1 ||
	die 1 "$tree: the generated patch does not apply; nothing done"
features=$(tr '\n' ';' <"$err" | sed 's/;$//; s/;/; /g')

if [ "$dry" = 1 ]; then
	echo "$tree: every xsched hook has its anchor ($features); would patch it and rebuild $name/$version for $kernel"
	exit 0
fi
[ -w "$tree/amd/amdkfd" ] || die 1 "$tree/amd/amdkfd is not writable (run as root)"
patch -p1 -d "$tree/amd" --fuzz=0 --no-backup-if-mismatch -s <"$tmp" ||
	die 1 "patch failed half way; restore $tree from the package"
cp "$tmp" "$saved"
echo "applied the amdkfd xsched patch to $tree (saved as $saved)"
rebuild
