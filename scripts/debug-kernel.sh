#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug guest kernel from Debian's linux-source-6.12: tinyconfig,
# then scripts/debug-kernel/guest.config (what the guest needs), then
# the variant's checkers:
#   debug  (default) debug.config: KASAN, DEBUG_PAGEALLOC, page_owner,
#          DEBUG_VM, lockdep, UBSAN, kmemleak, debug objects;
#   kasan  kasan.config: KASAN and DEBUG_VM alone, a few times faster;
#   kcsan  kcsan.config: the concurrency sanitizer (bench only).
# Cached under $XSCHED_CACHE/<variant>-6.12 and rebuilt only when the
# source package, the fragments or this script change.  Prints the build
# directory (the KDIR modules build against; its bzImage is what QEMU
# boots).
#
# Usage: scripts/debug-kernel.sh [--variant debug|kasan|kcsan] [--print-dir]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--variant debug|kasan|kcsan] [--print-dir]"; }
print_only=0
variant=debug
while [ $# -gt 0 ]; do
	case "$1" in
	--print-dir) print_only=1; shift ;;
	--variant)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case "$2" in debug|kasan|kcsan) variant=$2 ;; *) usage >&2; exit 2 ;; esac
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

out=$XSCHED_CACHE/$variant-6.12
if [ "$print_only" = 1 ]; then
	echo "$out"
	exit 0
fi

ensure_deps
frags=("$XSCHED_TOP/scripts/debug-kernel/guest.config"
	"$XSCHED_TOP/scripts/debug-kernel/$variant.config")
tarball=/usr/src/linux-source-6.12.tar.xz
key=$( { stat -c '%s-%Y' "$tarball"; cat "${frags[@]}" "$0"; } | sha256sum | cut -c1-16)
if [ "$(cat "$out/.xsched-key" 2>/dev/null)" = "$key" ] &&
   [ -f "$out/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: cached ($out)" >&2
	echo "$out"
	exit 0
fi

tree=$(kernel_tree 6.12)
echo "debug-kernel: building $variant into $out (cold: tens of minutes)" >&2
rm -rf "$out"
mkdir -p "$out"
t0=$SECONDS
log=$out/build.log
{
	make -C "$tree" O="$out" ARCH=x86_64 tinyconfig
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	make -C "$tree" O="$out" ARCH=x86_64 olddefconfig
} >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }

# Every option of the fragment must have survived Kconfig's dependencies.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" ||
		{ echo "debug-kernel: $line did not stick" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$out/.config" ||
		{ echo "debug-kernel: $opt should be unset" >&2; missing=1; } ;;
	esac
done < <(cat "${frags[@]}")
[ "$missing" = 0 ] || exit 1

if ! make -C "$tree" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage modules \
	>>"$log" 2>&1; then
	tail -40 "$log" >&2
	exit 1
fi
# Modules build against this tree: Module.symvers comes with vmlinux.
[ -f "$out/Module.symvers" ] || { echo "debug-kernel: no Module.symvers" >&2; exit 1; }
echo "$key" >"$out/.xsched-key"
echo "debug-kernel: built in $((SECONDS - t0)) s" >&2
echo "$out"
