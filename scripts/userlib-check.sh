#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# libxsched and xschedctl on the build host: build them with warnings as
# errors, compile the HIP/HSA declarations against Debian's ROCm headers
# and the libdrm_amdgpu ones against libdrm-dev's, install into a scratch
# DESTDIR and build a program from the installed header, pkg-config file
# and shared library, check that the library exports exactly its symbol
# map, device naming against a made-up KFD topology
# (tests/userlib/device_names.c), libxsched-hsa on made-up ROCr API
# tables (tests/userlib/hsa_tool.c), xschedctl's exit codes without a
# device, and that the build tree's xschedctl runs as built (from a
# clean copy of the tree) while the installed one has no run path.
# (The calls themselves run in QEMU: tests/user/lib_*.c.)
#
# Usage: scripts/userlib-check.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"

ensure_deps
out=$XSCHED_BUILD/userlib
log=$XSCHED_BUILD/logs/userlib.log
mkdir -p "$XSCHED_BUILD/logs"

if make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out" >"$log" 2>&1 &&
   ! grep -E 'warning:|error:' "$log" | grep -v 'statically linked' >&2; then
	result pass userlib/build
else
	tail -20 "$log" >&2
	result fail userlib/build "log: $log"
	summary
	exit 1
fi

if make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out" rocm-check \
	>>"$log" 2>&1; then
	result pass userlib/rocm-headers-match
else
	tail -20 "$log" >&2
	result fail userlib/rocm-headers-match "log: $log"
fi

# The same HIP/HSA declarations against HIP 6.4 (Debian sid, in the chroot).
if "$XSCHED_TOP/scripts/rocm-sid.sh" --run -b "$XSCHED_TOP" -b "$out" -- \
	make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out/rocm6" \
	rocm-check >>"$log" 2>&1; then
	result pass userlib/rocm6-headers-match
else
	tail -20 "$log" >&2
	result fail userlib/rocm6-headers-match "log: $log"
fi

# libxsched-hsa's OnLoad, table layout and slots: ROCm 5.2 headers here,
# ROCm 6.4 (Debian sid) in the chroot.
if make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out" hsa-abi-check \
	>>"$log" 2>&1; then
	result pass userlib/hsa-tools-abi-rocm5
else
	tail -20 "$log" >&2
	result fail userlib/hsa-tools-abi-rocm5 "log: $log"
fi
if "$XSCHED_TOP/scripts/rocm-sid.sh" --run -b "$XSCHED_TOP" -b "$out" -- \
	make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out/rocm6" \
	hsa-abi-check >>"$log" 2>&1; then
	result pass userlib/hsa-tools-abi-rocm6
else
	tail -20 "$log" >&2
	result fail userlib/hsa-tools-abi-rocm6 "log: $log"
fi

if make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out" drm-check \
	>>"$log" 2>&1; then
	result pass userlib/libdrm-headers-match
else
	tail -20 "$log" >&2
	result fail userlib/libdrm-headers-match "log: $log"
fi

dest=$(mktemp -d)
trap 'rm -rf "$dest"; rm -f "$_xs_local_results"' EXIT
if make -C "$XSCHED_TOP/userlib" --no-print-directory OUT="$out" \
	PREFIX=/usr DESTDIR="$dest" install >>"$log" 2>&1 &&
   [ -f "$dest/usr/include/libxsched.h" ] && [ -f "$dest/usr/include/xsched.h" ] &&
   [ -f "$dest/usr/lib/libxsched.a" ] && [ -L "$dest/usr/lib/libxsched.so" ] &&
   [ -f "$dest/usr/lib/pkgconfig/libxsched.pc" ] &&
   [ -x "$dest/usr/sbin/xschedctl" ] &&
   [ -f "$dest/usr/share/man/man8/xschedctl.8" ] &&
   [ -f "$dest/usr/share/man/man3/xsched_attach_hip_stream.3" ] &&
   [ -f "$dest/usr/share/man/man3/xsched_get_rules.3" ] &&
   [ -f "$dest/usr/lib/libxsched-hsa.so.0" ] &&
   [ -f "$dest/usr/share/man/man7/libxsched-hsa.7" ] &&
   grep -q '^ExecStart=/usr/sbin/xschedctl rules apply' \
	"$dest/usr/lib/systemd/system/xsched-rules.service" &&
   grep -q '^ExecStart=/usr/sbin/xschedctl metrics --listen' \
	"$dest/usr/lib/systemd/system/xsched-exporter.service" &&
   [ -f "$dest/etc/xsched/rules.conf" ] &&
   "$out/xschedctl-static" rules check "$dest/etc/xsched/rules.conf" >>"$log" 2>&1; then
	result pass userlib/install
else
	result fail userlib/install "log: $log"
fi

# A consumer built only from what was installed (pkg-config, header, .so).
cat >"$dest/consumer.c" <<'C'
#include <libxsched.h>
#include <stdio.h>
int main(void)
{
	struct xsched *xs;
	int ret = xsched_open_path("/nonexistent", &xs);

	printf("%d\n", ret);
	return 0;
}
C
cflags=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig \
	pkg-config --cflags --libs libxsched 2>>"$log" || true)
if [ -n "$cflags" ] &&
   gcc -std=c11 -Wall -Werror -o "$dest/consumer" "$dest/consumer.c" $cflags >>"$log" 2>&1 &&
   [ "$(LD_LIBRARY_PATH=$dest/usr/lib "$dest/consumer")" = "-2" ]; then
	result pass userlib/pkg-config-consumer
else
	result fail userlib/pkg-config-consumer "cflags '$cflags', log: $log"
fi

# Exactly the symbols of the map, each at the version node that names it.
want=$(awk '/^LIBXSCHED_/ { v = $1 } /^[[:space:]]*xsched_[a-z_]*;/ {
	sub(/^[[:space:]]*/, ""); sub(/;$/, ""); print $0 "@@" v }' \
	"$XSCHED_TOP/userlib/libxsched.map" | sort)
have=$(nm -D --defined-only "$out/libxsched.so" | awk '$2 == "T" { print $3 }' | sort)
if [ "$want" = "$have" ]; then
	result pass userlib/exports-match-map
else
	diff <(echo "$want") <(echo "$have") >&2 || true
	result fail userlib/exports-match-map
fi

# The tools library exports ROCr's entry points and its own, nothing else.
have=$(nm -D --defined-only "$out/libxsched-hsa.so" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
if [ "$have" = "OnLoad@@LIBXSCHED_HSA_0 OnUnload@@LIBXSCHED_HSA_0 xsched_hsa_tool@@LIBXSCHED_HSA_0 " ]; then
	result pass userlib/hsa-tool-exports
else
	result fail userlib/hsa-tool-exports "$have"
fi

# xt_results NAME OUTFILE RC: a host test program's XT lines as results.
xt_results() {
	local name=$1 file=$2 rc=$3
	report_xt userlib "$file"
	case $rc in
	0|1|77) ;;
	*) result fail "userlib/$name/exit" "status $rc" ;;
	esac
}

# Device naming on this host, dynamically linked to the library just built.
if gcc -std=gnu11 -Wall -Wextra -Werror -I"$XSCHED_TOP/userlib/include" \
	-I"$out/include" -o "$dest/device_names" \
	"$XSCHED_TOP/tests/userlib/device_names.c" -L"$out" -lxsched -ldl >>"$log" 2>&1; then
	mkdir "$dest/topology"
	rc=0
	LD_LIBRARY_PATH=$out "$dest/device_names" "$dest/topology" >"$dest/dn.out" 2>>"$log" || rc=$?
	xt_results device_names "$dest/dn.out" "$rc"
else
	tail -20 "$log" >&2
	result fail userlib/device_names/build "log: $log"
fi

# libxsched-hsa's OnLoad and wrappers, on made-up ROCr tables.
if gcc -std=gnu11 -Wall -Wextra -Werror -o "$dest/hsa_tool" \
	"$XSCHED_TOP/tests/userlib/hsa_tool.c" -ldl >>"$log" 2>&1; then
	rc=0
	"$dest/hsa_tool" "$out/libxsched-hsa.so.0" >"$dest/ht.out" 2>>"$log" || rc=$?
	xt_results hsa_tool "$dest/ht.out" "$rc"
else
	tail -20 "$log" >&2
	result fail userlib/hsa_tool/build "log: $log"
fi

# Tools run where they are built: from a clean copy of the tree (its
# tracked files, as a clone has them), `make userlib`, then the build
# tree's xschedctl with no LD_LIBRARY_PATH finds the libxsched.so.0 next
# to it ($ORIGIN); the installed one has no run path at all.
clone=$dest/clone
copy_tracked "$clone"
rc=0
if make -C "$clone" --no-print-directory userlib >>"$log" 2>&1; then
	env -u LD_LIBRARY_PATH "$clone/build/userlib/xschedctl" --help >/dev/null 2>>"$log" || rc=$?
	lib=$(env -u LD_LIBRARY_PATH ldd "$clone/build/userlib/xschedctl" | awk '/libxsched/ { print $3 }')
else
	rc=build
fi
if [ "$rc" = 0 ] && [ "$lib" = "$clone/build/userlib/libxsched.so.0" ]; then
	result pass userlib/build-tree-xschedctl-runs
else
	result fail userlib/build-tree-xschedctl-runs "exit $rc, libxsched from '${lib:-}', log: $log"
fi
if [ -x "$dest/usr/sbin/xschedctl" ] &&
   ! readelf -d "$dest/usr/sbin/xschedctl" | grep -qE 'RPATH|RUNPATH'; then
	result pass userlib/installed-xschedctl-no-run-path
else
	result fail userlib/installed-xschedctl-no-run-path \
		"$(readelf -d "$dest/usr/sbin/xschedctl" 2>&1 | grep -E 'RPATH|RUNPATH')"
fi

ctl=$out/xschedctl-static
rc=0; "$ctl" --help >/dev/null || rc=$?
[ "$rc" = 0 ] && result pass userlib/xschedctl-help || result fail userlib/xschedctl-help "exit $rc"
rc=0; "$ctl" frobnicate 2>/dev/null || rc=$?
[ "$rc" = 2 ] && result pass userlib/xschedctl-usage-exit-2 || result fail userlib/xschedctl-usage-exit-2 "exit $rc"
rc=0; "$ctl" --device /nonexistent list 2>/dev/null || rc=$?
[ "$rc" = 1 ] && result pass userlib/xschedctl-no-device-exit-1 || result fail userlib/xschedctl-no-device-exit-1 "exit $rc"

# The rules file parser: valid files pass; each malformed one is refused
# with its line and reason (exit 1), before any device is opened.
rules_case() {
	local name=$1 want=$2 text=$3 out rc=0
	printf '%b' "$text" >"$dest/rules.conf"
	out=$("$ctl" --device /nonexistent rules check "$dest/rules.conf" 2>&1) || rc=$?
	case "$rc:$out" in
	$want) result pass "userlib/rules-file/$name" ;;
	*) result fail "userlib/rules-file/$name" "exit $rc: $out" ;;
	esac
}
rules_case valid '0:*3 rules, valid' '# c\nuser 0 3  # root\ncgroup /k/*/c?  9\n\ndefault 7\n'
rules_case empty '0:*0 rules, valid' '# nothing\n'
rules_case bad-priority '1:*rules.conf:2: priority *16* is not 0..15*' 'user 0 1\nuser 1 16\n'
rules_case bad-kind '1:*rules.conf:1: unknown rule *group*' 'group 0 1\n'
rules_case relative-cgroup '1:*rules.conf:1: cgroup *a/b* is not an absolute path*' 'cgroup a/b 1\n'
rules_case duplicate '1:*rules.conf:3: the same target given twice (line 1)*' 'user 5 1\ndefault 2\nuser 5 3\n'
rules_case two-defaults '1:*rules.conf:2: default given twice (line 1)*' 'default 1\ndefault 2\n'
rules_case unknown-user '1:*rules.conf:1: no such user*' 'user no-such-user-xs 1\n'
rules_case trailing-word '1:*rules.conf:1: unexpected *x* after the priority*' 'user 0 1 x\n'
rules_case missing-priority '1:*rules.conf:1: missing priority*' 'user 0\n'
summary
