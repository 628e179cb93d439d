#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the whole amdgpu.ko, with the xsched amdkfd patch, out of tree
# from Debian's sources of one line, against that line's Debian headers
# (7.x in the trixie chroot of scripts/debian-7x.sh):
#   make -C <headers> M=<tree>/drivers/gpu/drm/amd/amdgpu modules
# where <tree> keeps the kernel's drivers/gpu/drm/amd layout and
# KCFLAGS adds -I<tree>/drivers/gpu, so that the trace headers'
# "../../drivers/gpu/drm/amd/..." includes resolve.
#
# The result, stripped of debug info, is cached under
# $XSCHED_CACHE/amdgpu-LINE/KEY/amdgpu.ko, KEY being a hash of the
# generated patch, the source tarball and the headers' version: it is
# rebuilt only when one of them changes (the three latest keys are
# kept; builds of one line wait for each other).  The build tree stays in
# $XSCHED_CACHE/amdgpu-LINE/tree: when only the patch changed, the
# rebuild is incremental (the changed amdkfd files and what includes
# them); new sources or headers build from scratch.  Prints the module's path on
# stdout, the build time and the log's path on stderr.
#
# Usage: scripts/amdgpu-build.sh [--print-key] LINE   (6.12 | 7.x)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--print-key] 6.12|7.x"; }
print_key=0
case "${1:-}" in
--print-key) print_key=1; shift ;;
-h|--help) usage; exit 0 ;;
esac
[ $# = 1 ] || { usage >&2; exit 2; }
ensure_deps
debian_kernels
case "$1" in
6.12) line=6.12 ;;
7.x) line=$LINE_7X ;;
*) usage >&2; exit 2 ;;
esac
kver=$(kver_of_line "$1")
src=$(amd_tree "$line")
cache=$XSCHED_CACHE/amdgpu-$line
mkdir -p "$cache"
# Checkouts share the cache (and its build tree): one build at a time.
exec 9>"$cache/.lock"
if ! flock -n 9; then
	echo "amdgpu-build: $line: waiting for another build in $cache" >&2
	flock 9
fi

patch=$(mktemp)
trap 'rm -f "$patch" "$_xs_local_results"' EXIT
"$XSCHED_TOP/scripts/amdkfd-patch.sh" "$src" >"$patch"
# Bump RECIPE when the way the module is built or stripped changes.
RECIPE=1
key=$( { sha1sum <"$patch"; stat -c '%s-%Y' "$(source_tarball "$line")"; echo "$kver";
	 echo "$RECIPE"; } | sha1sum | cut -c1-16)
if [ "$print_key" = 1 ]; then
	echo "$key"
	exit 0
fi
out=$cache/$key
if [ -f "$out/amdgpu.ko" ]; then
	touch "$out"
	echo "amdgpu-build: $line: cached ($out, key $key)" >&2
	echo "$out/amdgpu.ko"
	exit 0
fi

# The build tree is kept between builds.  With the same sources and
# headers, only the files of amdkfd/ whose contents the new patch
# changes are replaced (with a new mtime), and make rebuilds what
# depends on them; otherwise a fresh tree, hard links for what the
# patch does not touch.
tree=$cache/tree
from="$(cat "$src/.xsched-unpacked") $kver"
# Keep the three most recently used modules (checkouts with different
# patches take turns), drop the rest and any unfinished build.
rm -rf "$cache"/*.tmp
ls -dt "$cache"/*/ 2>/dev/null | grep -v -e '/tree/$' -e '/amdkfd.new/$' |
	tail -n +3 | xargs -r rm -rf
new=$cache/amdkfd.new
rm -rf "$new"
cp -a "$src/amdkfd" "$new"
patch -p1 -d "$cache" --fuzz=0 -s < <(sed 's#^\(---\|+++\) \([ab]\)/amdkfd/#\1 \2/amdkfd.new/#' "$patch")
if [ "$(cat "$tree/.xsched-from" 2>/dev/null)" = "$from" ]; then
	mode=incremental
	for f in "$new"/*; do
		b=${f##*/}
		cmp -s "$f" "$tree/drivers/gpu/drm/amd/amdkfd/$b" ||
			cp "$f" "$tree/drivers/gpu/drm/amd/amdkfd/$b"
	done
	rm -rf "$new"
else
	mode=cold
	rm -rf "$tree"
	mkdir -p "$tree/drivers/gpu/drm/amd"
	cp -al "$src/." "$tree/drivers/gpu/drm/amd/"
	rm -rf "$tree/drivers/gpu/drm/amd/amdkfd"
	mv "$new" "$tree/drivers/gpu/drm/amd/amdkfd"
	echo "$from" >"$tree/.xsched-from"
fi
mkdir -p "$out.tmp"
cp "$patch" "$out.tmp/xsched-amdkfd.patch"

log=$out.tmp/build.log
echo "amdgpu-build: $line: building amdgpu.ko for $kver, $mode (log: $log)" >&2
t0=$SECONDS
rc=0
renice -n 5 $$ >/dev/null
XSCHED_KMAKE_BIND=$cache kmake "$kver" -C "$(guest_kdir "$kver")" \
	M="$tree/drivers/gpu/drm/amd/amdgpu" KCFLAGS="-I$tree/drivers/gpu" \
	-j"$(nproc)" modules >"$log" 2>&1 || rc=$?
secs=$((SECONDS - t0))
if [ "$rc" != 0 ]; then
	tail -30 "$log" >&2
	echo "amdgpu-build: $line: build failed after $secs s (log: $log)" >&2
	exit 1
fi
strip --strip-debug -o "$out.tmp/amdgpu.ko" "$tree/drivers/gpu/drm/amd/amdgpu/amdgpu.ko"
echo "$secs $mode" >"$out.tmp/build-seconds"
grep -cE 'warning:' "$log" >"$out.tmp/warnings" || true
mv "$out.tmp" "$out"
echo "amdgpu-build: $line: built ($mode) in $secs s, $(cat "$out/warnings") warnings ($out)" >&2
echo "$out/amdgpu.ko"
