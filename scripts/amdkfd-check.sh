#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The amdkfd provider patch against Debian's kernel sources.  For each
# line -- Debian 6.1, 6.12, the newest 7.x, and "rocm", a ROCm-shaped
# tree (below) -- generate the patch from the one set of hook
# definitions (kmod/amdkfd/hooks.def, placed by their anchors:
# scripts/amdkfd-patch.sh), apply it without fuzz to that line's
# drivers/gpu/drm/amd, and compile every object the patch touches,
# kfd_xsched.o and the MI300 MQD manager (a QUEUE_IS_ACTIVE user) with
# the matching Debian kernel headers (7.x: in the trixie chroot of
# scripts/debian-7x.sh), warnings as errors.  One result per object.
# The generated patch and the variants the tree's features chose are
# kept in build/logs/amdkfd-LINE/.
#
# The ROCm-shaped tree is Debian's 7.x amd/ given the differences ROCm's
# amdgpu-dkms trees have where hooks go: more objects in the amdkfd
# Makefile (peerdirect, ipc, trace, spm, kfd_pc_sampling.o last) and
# kfd_ais_deinit() first in kgd2kfd_device_exit() (a no-op stub here).
# ROCm's own repository cannot be reached from CI: this proves the
# anchors, not the real tree.
#
# A full amdgpu.ko is built and loaded by scripts/amdgpu-qemu.sh; here
# the objects are compiled with amdgpu's own include paths and the
# kernel's flags, as Kbuild would build them inside amdgpu.ko.
#
# Then scripts/amdgpu-dkms-patch.sh (without DKMS) on a copy of the same
# sources laid out as an amdgpu-dkms tree: dry run, apply, refusal of a
# patched tree, revert, refusal naming the missing anchor, refusal of a
# non-DKMS tree.
#
# Usage: scripts/amdkfd-check.sh [LINE...]   (default: 6.1 6.12 7.x rocm)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [6.1|6.12|7.x|rocm]..."; }
lines=()
for a in "$@"; do
	case "$a" in
	6.1|6.12|7.x|rocm) lines+=("$a") ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ "${#lines[@]}" -gt 0 ] || lines=(6.1 6.12 7.x rocm)

ensure_deps
debian_kernels
S=$XSCHED_TOP/scripts
NICE=(nice -n 5)

# rocm_tree: Debian's 7.x amd/ with ROCm's differences at the hook
# sites, made once per 7.x source under $XSCHED_BUILD.
rocm_tree() {
	local src dir=$XSCHED_BUILD/amd-rocm-shaped
	src=$(amd_tree "$LINE_7X") || return 1
	if [ "$(cat "$dir/.xsched-from" 2>/dev/null)" != "$src $(cat "$src/.xsched-unpacked")" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -al "$src/." "$dir/"
		rm -rf "$dir/amdkfd"
		cp -a "$src/amdkfd" "$dir/amdkfd"
		python3 - "$dir/amdkfd" <<'PY' >&2 || return 1
import re, sys
d = sys.argv[1]
def edit(name, fn):
    p = f"{d}/{name}"
    with open(p) as f:
        old = f.read()
    new = fn(old)
    if new == old:
        sys.exit(f"rocm_tree: {name}: nothing to change")
    with open(p, "w") as f:
        f.write(new)
# More objects at the end of AMDKFD_FILES, kfd_pc_sampling.o last.
def makefile(t):
    m = re.search(r"^AMDKFD_FILES\s*:=(?:.*\\\n)*.*$", t, re.M)
    extra = ["kfd_peerdirect.o", "kfd_ipc.o", "kfd_trace.o", "kfd_spm.o",
             "kfd_pc_sampling.o"]
    add = "".join(f" \\\n\t\t$(AMDKFD_PATH)/{o}" for o in extra)
    return t[:m.end()] + add + t[m.end():]
edit("Makefile", makefile)
# kfd_ais_deinit() first in kgd2kfd_device_exit().
edit("kfd_device.c", lambda t: t.replace(
    "void kgd2kfd_device_exit(struct kfd_dev *kfd)\n{\n",
    "void kgd2kfd_device_exit(struct kfd_dev *kfd)\n{\n\tkfd_ais_deinit(kfd);\n\n", 1))
# ... and a stub for it, so that kfd_device.o compiles.
edit("kfd_priv.h", lambda t: t.replace(
    "struct kfd_dev {",
    "struct kfd_dev;\nstatic inline void kfd_ais_deinit(struct kfd_dev *kfd) { }\n\nstruct kfd_dev {", 1))
PY
		echo "$src $(cat "$src/.xsched-unpacked")" >"$dir/.xsched-from"
	fi
	echo "$dir"
}

# line_source LINE: the amd/ directory of a line.
line_source() {
	case "$1" in
	rocm) rocm_tree ;;
	7.x) amd_tree "$LINE_7X" ;;
	*) amd_tree "$1" ;;
	esac
}

# objects PATCH: the objects to compile for a line.
objects() {
	sed -n 's#^+++ b/amdkfd/\(.*\)\.c$#\1.o#p' "$1" | grep -v '^kfd_xsched\.o$'
	echo kfd_xsched.o
	echo kfd_mqd_manager_v9.o
	echo kfd_process.o	# defines the process table kfd_xsched.o walks
}

check_line() {
	local line=$1 kver=$2 src work kdir log obj
	kdir=$(headers_dir "$kver")
	work=$XSCHED_BUILD/amdkfd-$line
	log=$XSCHED_BUILD/logs/amdkfd-$line
	mkdir -p "$log"
	if [ ! -d "$kdir" ]; then
		result fail "amdkfd-$line/headers" "$kdir missing"
		return
	fi
	src=$(line_source "$line") || { result fail "amdkfd-$line/source" "cannot unpack"; return; }

	# Hard links for the large read-only part; a real copy of what the
	# patch changes.
	rm -rf "$work"
	mkdir -p "$work"
	cp -al "$src/." "$work/"
	rm -rf "$work/amdkfd"
	cp -a "$src/amdkfd" "$work/amdkfd"

	if "$S/amdkfd-patch.sh" --features "$src" >"$log/xsched.patch" 2>"$log/features"; then
		result pass "amdkfd-$line/anchors" "$(grep -c . "$log/features") hooks placed"
	else
		cat "$log/features" >&2
		result fail "amdkfd-$line/anchors" "log: $log/features"
		return
	fi
	if patch -p1 -d "$work" --fuzz=0 --no-backup-if-mismatch -s \
		<"$log/xsched.patch" >"$log/patch.log" 2>&1; then
		result pass "amdkfd-$line/apply"
	else
		cat "$log/patch.log" >&2
		result fail "amdkfd-$line/apply" "log: $log/patch.log"
		return
	fi

	# amdgpu's include paths, then the object list of this check only.
	{
		echo "# generated by scripts/amdkfd-check.sh"
		echo "FULL_AMD_PATH := $work"
		echo "FULL_AMD_DISPLAY_PATH := \$(FULL_AMD_PATH)/display"
		# the block up to its last continued line
		sed -n '/^ccflags-y :=/,/[^\\]$/p' "$work/amdgpu/Makefile"
		echo "ccflags-y += -Wno-override-init -Werror"
		echo "obj-m := $(objects "$log/xsched.patch" | tr '\n' ' ')"
	} >"$work/amdkfd/Kbuild"

	for obj in $(objects "$log/xsched.patch"); do
		if "${NICE[@]}" bash -c '. "$1/scripts/lib.sh"; shift; kmake "$@"' _ "$XSCHED_TOP" \
			"$kver" -C "$(guest_kdir "$kver")" M="$work/amdkfd" "$obj" \
			>"$log/${obj%.o}.log" 2>&1 &&
		   ! grep -E 'warning:|error:' "$log/${obj%.o}.log" >&2; then
			result pass "amdkfd-$line/$obj" "$kver"
		else
			tail -20 "$log/${obj%.o}.log" >&2
			result fail "amdkfd-$line/$obj" "$kver, log: $log/${obj%.o}.log"
		fi
	done
	# Without linking amdgpu.ko: every symbol kfd_xsched.o needs is
	# defined by a compiled amdkfd object or exported by the kernel.
	local missing
	if [ ! -f "$work/amdkfd/kfd_xsched.o" ]; then
		result fail "amdkfd-$line/symbols" "kfd_xsched.o was not built"
		result fail "amdkfd-$line/export" "kfd_xsched.o was not built"
		return
	fi
	missing=$(comm -23 \
		<(nm -u "$work/amdkfd/kfd_xsched.o" | awk '{print $2}' |
		  grep -v '^__this_module$' | sort -u) \
		<({ nm --defined-only "$work"/amdkfd/*.o | awk 'NF == 3 {print $3}'
		    awk '{print $2}' "$kdir/Module.symvers"; } | sort -u))
	if [ -z "$missing" ]; then
		result pass "amdkfd-$line/symbols" "kfd_xsched.o resolves"
	else
		result fail "amdkfd-$line/symbols" "unresolved: $(echo $missing)"
	fi
	if nm "$work/amdkfd/kfd_xsched.o" 2>/dev/null |
		grep -q ' __ksymtab_kfd_xsched_get_ops$\|__export_symbol_kfd_xsched_get_ops\| __kstrtab_kfd_xsched_get_ops$'; then
		result pass "amdkfd-$line/export" "kfd_xsched_get_ops"
	else
		result fail "amdkfd-$line/export" "kfd_xsched_get_ops not exported by kfd_xsched.o"
	fi
}

# fake_dkms_tree SRC DIR: SRC (an amd/ directory) laid out as amdgpu-dkms.
fake_dkms_tree() {
	local src=$1 dir=$2
	rm -rf "$dir"
	mkdir -p "$dir/amd"
	cp -al "$src/." "$dir/amd/"
	rm -rf "$dir/amd/amdkfd"
	cp -a "$src/amdkfd" "$dir/amd/amdkfd"
	printf 'PACKAGE_NAME="amdgpu"\nPACKAGE_VERSION="0.0-xsched-test"\n' >"$dir/dkms.conf"
}

# expect NAME RC CMD...: CMD must exit with RC.
expect() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$dkmslog/$name.log" 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then
		result pass "$name" "exit $rc"
	else
		cat "$dkmslog/$name.log" >&2
		result fail "$name" "exit $rc, expected $want"
	fi
}

check_dkms() {
	local line=$1 src dir tool=$S/amdgpu-dkms-patch.sh n=amdgpu-dkms-$1
	src=$(line_source "$line") || { result fail "$n/source" "cannot unpack"; return; }
	dkmslog=$XSCHED_BUILD/logs
	mkdir -p "$dkmslog/$n"
	dir=$XSCHED_BUILD/$n
	fake_dkms_tree "$src" "$dir"

	expect "$n/dry-run" 0 "$tool" --dry-run "$dir"
	if grep -q "every xsched hook has its anchor" "$dkmslog/$n/dry-run.log" &&
	   [ ! -e "$dir/amd/amdkfd/kfd_xsched.c" ]; then
		result pass "$n/dry-run-places-hooks"
	else
		result fail "$n/dry-run-places-hooks" "$(cat "$dkmslog/$n/dry-run.log")"
	fi
	expect "$n/apply" 0 "$tool" --no-dkms "$dir"
	if [ -f "$dir/amd/amdkfd/kfd_xsched.c" ] &&
	   diff -r -q -x Kbuild -x '*.o' -x '.*' "$XSCHED_BUILD/amdkfd-$line/amdkfd" \
		"$dir/amd/amdkfd" >/dev/null 2>&1; then
		result pass "$n/apply-matches-check-tree"
	else
		result fail "$n/apply-matches-check-tree"
	fi
	expect "$n/refuse-patched" 3 "$tool" --no-dkms "$dir"
	expect "$n/revert" 0 "$tool" --revert --no-dkms "$dir"
	if diff -r -q "$src/amdkfd" "$dir/amd/amdkfd" >/dev/null; then
		result pass "$n/revert-restores"
	else
		result fail "$n/revert-restores"
	fi
	expect "$n/refuse-revert-unpatched" 3 "$tool" --revert --no-dkms "$dir"

	# A tree where a hook's anchor is missing is not guessed at, and
	# the refusal names the anchor.
	sed -i '/kfd_procfs_add_queue(q);/d' "$dir/amd/amdkfd/kfd_process_queue_manager.c"
	expect "$n/refuse-missing-anchor" 4 "$tool" --no-dkms "$dir"
	if grep -q 'missing anchor: hook queue_created: amdkfd/kfd_process_queue_manager.c: function pqm_create_queue: after' \
		"$dkmslog/$n/refuse-missing-anchor.log"; then
		result pass "$n/refuse-names-anchor" "queue_created"
	else
		result fail "$n/refuse-names-anchor" "$(cat "$dkmslog/$n/refuse-missing-anchor.log")"
	fi
	if [ ! -e "$dir/amd/amdkfd/kfd_xsched.c" ] &&
	   ! grep -q kfd_xsched "$dir/amd/amdkfd/Makefile"; then
		result pass "$n/refuse-missing-anchor-untouched"
	else
		result fail "$n/refuse-missing-anchor-untouched"
	fi
	cp "$src/amdkfd/kfd_process_queue_manager.c" "$dir/amd/amdkfd/"

	# An anchor that matches twice is as bad as a missing one.
	sed -i 's/^\(\s*kfd_procfs_add_queue(q);\)$/\1\n\1/' \
		"$dir/amd/amdkfd/kfd_process_queue_manager.c"
	expect "$n/refuse-ambiguous-anchor" 4 "$tool" --dry-run "$dir"
	if grep -q 'hook queue_created: .*(2 lines match, expected exactly 1)' \
		"$dkmslog/$n/refuse-ambiguous-anchor.log"; then
		result pass "$n/refuse-names-ambiguous-anchor"
	else
		result fail "$n/refuse-names-ambiguous-anchor" "$(cat "$dkmslog/$n/refuse-ambiguous-anchor.log")"
	fi
	cp "$src/amdkfd/kfd_process_queue_manager.c" "$dir/amd/amdkfd/"

	# Secondary contexts: a tree that has them must free a closing
	# context's queues through pqm_uninit().
	if grep -q 'KFD_CONTEXT_ID_PRIMARY' "$src/amdkfd/kfd_priv.h"; then
		sed -i '/^\s*pqm_uninit(&p->pqm);$/d' "$dir/amd/amdkfd/kfd_process.c"
		expect "$n/refuse-secondary-contexts-without-pqm_uninit" 4 "$tool" --dry-run "$dir"
		if grep -q 'missing anchor: hook secondary_contexts: amdkfd/kfd_process.c: function kfd_process_notifier_release_internal: require' \
			"$dkmslog/$n/refuse-secondary-contexts-without-pqm_uninit.log"; then
			result pass "$n/refuse-names-secondary-contexts"
		else
			result fail "$n/refuse-names-secondary-contexts" \
				"$(cat "$dkmslog/$n/refuse-secondary-contexts-without-pqm_uninit.log")"
		fi
		cp "$src/amdkfd/kfd_process.c" "$dir/amd/amdkfd/"
	fi

	rm "$dir/dkms.conf"
	expect "$n/refuse-not-dkms" 4 "$tool" --dry-run "$dir"
	expect "$n/usage" 2 "$tool" --bogus
	rm -rf "$dir"
}

for line in "${lines[@]}"; do
	case "$line" in
	6.1) check_line 6.1 "$KVER_61" ;;
	6.12) check_line 6.12 "$KVER_612" ;;
	7.x|rocm) check_line "$line" "$KVER_7X" ;;
	esac
	check_dkms "$line"
done
summary
