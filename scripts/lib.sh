# SPDX-License-Identifier: GPL-2.0
# Shared helpers for scripts/*.sh; sourced, not run.
#
# Results: every check reports "pass|fail|skip <name> [detail]" through
# result().  Standalone, a script prints its own summary line; under
# scripts/check.sh (XSCHED_RESULTS set) the lines are collected there.

XSCHED_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XSCHED_CACHE=${XSCHED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xsched}
XSCHED_BUILD=${XSCHED_BUILD:-$XSCHED_TOP/build}
# Kernel log lines that fail a run wherever they appear.
XSCHED_SPLAT_RE='BUG:|WARNING:|Call Trace|INFO: possible|possible (circular|recursive) locking|lockdep|KASAN|UBSAN|general protection fault|Oops|not freed at unload'
_xs_local_results=$(mktemp)
trap 'rm -f "$_xs_local_results"' EXIT

result() {
	local status=$1 name=$2
	shift 2
	printf '%-4s %s%s\n' "$status" "$name" "${*:+ ($*)}" | tee -a "$_xs_local_results" >&2
	if [ -n "${XSCHED_RESULTS:-}" ]; then
		printf '%s %s\n' "$status" "$name" >>"$XSCHED_RESULTS"
	fi
}

# summary: prints "N passed, N failed, N skipped" for this script's
# results and returns non-zero if any failed.
summary() {
	local p f s
	p=$(grep -c '^pass' "$_xs_local_results" || true)
	f=$(grep -c '^fail' "$_xs_local_results" || true)
	s=$(grep -c '^skip' "$_xs_local_results" || true)
	if [ -n "${XSCHED_RESULTS:-}" ]; then
		# Under check.sh only its closing line is the run's summary.
		echo "    stage: $p passed, $f failed, $s skipped" >&2
	else
		echo "$p passed, $f failed, $s skipped"
	fi
	[ "$f" = 0 ]
}

# bench_verdict RC LOG OUT: the verdict of one bench boot of
# scripts/qemu-test.sh: pass, the first kernel report of LOG (its serial
# log), or the first failed result of OUT (its output).
bench_verdict() {
	local rc=$1 log=$2 out=$3
	if [ "$rc" = 0 ]; then
		echo pass
	elif grep -qE "$XSCHED_SPLAT_RE" "$log"; then
		echo "kernel report: $(grep -m1 -oE "$XSCHED_SPLAT_RE.{0,60}" "$log")"
	else
		echo "failed: $(grep -m1 '^fail' "$out" || echo "see $log")"
	fi
}

# no_args "$@": for scripts that take no arguments but --help.
no_args() {
	case "${1:-}" in
	"") ;;
	-h|--help) echo "usage: $0"; exit 0 ;;
	*) echo "usage: $0" >&2; exit 2 ;;
	esac
}

# debian_kernels: sets KVER_61 and KVER_612 from what deps.sh selects,
# and KVER_7X, LINE_7X (e.g. 7.3) and VERSION_7X from scripts/debian-7x.sh.
debian_kernels() {
	eval "$("$XSCHED_TOP/scripts/deps.sh" --print-kernels)"
	eval "$("$XSCHED_TOP/scripts/debian-7x.sh" --print)"
}

ensure_deps() {
	if [ -z "${XSCHED_DEPS_DONE:-}" ]; then
		"$XSCHED_TOP/scripts/deps.sh"
		"$XSCHED_TOP/scripts/debian-7x.sh"
		export XSCHED_DEPS_DONE=1
	fi
}

# kmake KVER MAKE-ARGS...: make for KVER's kernel headers: on the host,
# or for a 7.x kernel in the trixie chroot of scripts/debian-7x.sh (its
# compiler and kbuild tools), with the repository and the build
# directory at their own paths.
kmake() {
	local kver=$1
	shift
	case "$kver" in
	7.*) "$XSCHED_TOP/scripts/debian-7x.sh" --run -b "$XSCHED_TOP" -b "$XSCHED_BUILD" \
		${XSCHED_KMAKE_BIND:+-b "$XSCHED_KMAKE_BIND"} -- make "$@" ;;
	*) make "$@" ;;
	esac
}

# headers_dir KVER: the Debian headers of KVER as this host sees them
# (kmake's make sees a 7.x kernel's at /usr/src/linux-headers-KVER).
headers_dir() {
	case "$1" in
	7.*) echo "$XSCHED_CACHE/trixie-root/usr/src/linux-headers-$1" ;;
	*) echo "/usr/src/linux-headers-$1" ;;
	esac
}

# source_tarball LINE: Debian's linux-source-LINE tarball (7.x: the one
# scripts/debian-7x.sh downloaded).
source_tarball() {
	case "$1" in
	7.*) echo "$XSCHED_CACHE/src-7x/usr/src/linux-source-$1.tar.xz" ;;
	*) echo "/usr/src/linux-source-$1.tar.xz" ;;
	esac
}

# unpack_once LINE DEST WHAT [TAR-ARGS...]: unpacks linux-source-LINE
# into DEST (WHAT says what, for the log) unless DEST was unpacked from
# the same tarball; prints DEST.
unpack_once() {
	local line=$1 tree=$2 what=$3 tarball stamp
	shift 3
	tarball=$(source_tarball "$line")
	[ -f "$tarball" ] ||
		{ echo "$tarball missing (apt-get install linux-source-$line)" >&2; return 1; }
	stamp=$(stat -c '%s-%Y' "$tarball")
	if [ "$(cat "$tree/.xsched-unpacked" 2>/dev/null)" != "$stamp" ]; then
		echo "unpacking $what of $tarball into $tree (once)" >&2
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		nice -n 5 tar -xf "$tarball" -C "$tree.tmp" "$@"
		echo "$stamp" >"$tree.tmp/.xsched-unpacked"
		mv "$tree.tmp" "$tree"
	fi
	echo "$tree"
}

# amd_tree LINE: Debian's drivers/gpu/drm/amd of linux-source-LINE,
# unpacked once under $XSCHED_CACHE (only that directory).
amd_tree() {
	unpack_once "$1" "$XSCHED_CACHE/amd-$1" drivers/gpu/drm/amd \
		--strip-components=5 --wildcards '*/drivers/gpu/drm/amd/*'
}

# stage_dkms_source DIR: copy what the DKMS package ships into DIR.
stage_dkms_source() {
	make -s -C "$XSCHED_TOP" --no-print-directory dkms-source DKMS_DEST="$1" >/dev/null
}

# copy_tracked DEST: the tree as a clean clone has it (git's tracked
# files, with their changes in the work tree), or, outside git, all of
# it but build/.
copy_tracked() {
	mkdir -p "$1"
	if git -C "$XSCHED_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$XSCHED_TOP" ls-files -z |
			(cd "$XSCHED_TOP" && tar --null -T - -cf -) | tar -xf - -C "$1"
	else
		(cd "$XSCHED_TOP" && tar --exclude=./build -cf - .) | tar -xf - -C "$1"
	fi
}

# xsched_version: PACKAGE_VERSION from dkms.conf.
xsched_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XSCHED_TOP/dkms.conf"
}

# kernel_tree LINE: prints the path of Debian's linux-source-LINE, unpacked
# once under $XSCHED_CACHE and unpacked again only when the package changes.
kernel_tree() {
	local tree=$XSCHED_CACHE/linux-$1 old
	old=$(cat "$tree/.xsched-unpacked" 2>/dev/null || true)
	unpack_once "$1" "$tree" "the whole tree" --strip-components=1 || return 1
	# A new source makes the UML build of scripts/kunit.sh stale.
	[ "$(cat "$tree/.xsched-unpacked")" = "$old" ] || rm -rf "$XSCHED_CACHE/kunit-$1"
}

# --- QEMU guests: scripts/qemu-test.sh, scripts/demo.sh, bench/run.sh ---
#
# A guest is Debian's real kernel booted in QEMU (TCG) with a busybox
# initramfs whose /init (scripts/qemu-init.sh) mounts the usual file
# systems, sources /job (the tests, the demo or the benchmarks), dumps
# the kernel log between "XT DMESG-BEGIN" and "XT DMESG-END", prints "XT
# DONE" and powers off.

# kver_of_line LINE: the kernel a guest of LINE boots: Debian's 6.1,
# 6.12 or newest 7.x ABI, or "debug-6.12", the debug kernel
# scripts/debug-kernel.sh builds from Debian's 6.12 source; call
# debian_kernels first.
kver_of_line() {
	case "$1" in
	6.1) echo "$KVER_61" ;;
	6.12) echo "$KVER_612" ;;
	7.x) echo "$KVER_7X" ;;
	debug|kasan|kcsan) echo "$1-6.12" ;;
	*) return 1 ;;
	esac
}

# guest_kdir KVER: the build tree modules for KVER build against.
guest_kdir() {
	case "$1" in
	debug-*|kasan-*|kcsan-*) "$XSCHED_TOP/scripts/debug-kernel.sh" --variant "${1%%-*}" --print-dir ;;
	7.*) echo "/usr/src/linux-headers-$1" ;;	# in kmake's chroot
	*) echo "/lib/modules/$1/build" ;;
	esac
}

# image_dir KVER: the directory of KVER's modules (and, for 7.x, its
# vmlinuz) from Debian's linux-image package.
image_dir() {
	case "$1" in
	7.*) echo "$XSCHED_CACHE/image-$1/usr/lib/modules/$1" ;;
	*) echo "/lib/modules/$1" ;;
	esac
}

# guest_kernel KVER: the kernel image QEMU boots for KVER.
guest_kernel() {
	case "$1" in
	debug-*|kasan-*|kcsan-*) echo "$(guest_kdir "$1")/arch/x86/boot/bzImage" ;;
	7.*) echo "$(image_dir "$1")/vmlinuz" ;;
	*) echo "/boot/vmlinuz-$1" ;;
	esac
}

# guest_stage WORK KVER JOB: builds xsched.ko and xsched_sim.ko for KVER
# and fills WORK/root with busybox, /init, /job and /modules/*.ko.  The
# caller adds its programs under WORK/root, then calls guest_boot.
# Returns non-zero (build log on stderr) if the modules do not build.
guest_stage() {
	local work=$1 kver=$2 job=$3 m
	rm -rf "$work"
	mkdir -p "$work/root"/{bin,dev,proc,sys,modules,tmp}
	case "$kver" in
	debug-*|kasan-*|kcsan-*)
		"$XSCHED_TOP/scripts/debug-kernel.sh" --variant "${kver%%-*}" >/dev/null ||
			return 1 ;;
	esac
	if ! kmake "$kver" -C "$XSCHED_TOP" --no-print-directory KVER="$kver" \
		KDIR="$(guest_kdir "$kver")" modules \
		>"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		return 1
	fi
	for m in xsched xsched_sim; do
		cp "$XSCHED_BUILD/$kver/$m.ko" "$work/root/modules/"
	done
	cp /bin/busybox "$work/root/bin/busybox"
	cp "$XSCHED_TOP/scripts/qemu-init.sh" "$work/root/init"
	cp "$job" "$work/root/job"
	chmod 755 "$work/root/init"
}

# guest_clock icount|real: sets qemu_clock_args and qemu_clock_desc for
# guest_boot (bench/run.sh and scripts/demo.sh, option --clock).  icount:
# the guest's clock advances 1 ns per emulated instruction and not with
# the host, so host scheduling noise stays out of the figures; real: the
# host's clock, as make check runs.
guest_clock() {
	case $1 in
	icount) qemu_clock_args="-icount shift=0,sleep=off"
		qemu_clock_desc="instruction-counted clock, 1 ns per instruction" ;;
	real) qemu_clock_args=""; qemu_clock_desc="the host's clock" ;;
	*) return 1 ;;
	esac
}

# qemu_cpu_args: the -cpu option every guest boots with.  QEMU 7.2 (Debian
# 12's) computes EFLAGS wrongly after CMPXCHG16B under TCG, as
# scripts/qemu-cpu/cx16_flags.c shows under qemu-x86_64 (the same
# translator): after an interrupt returns into SLUB's allocation fast
# path, the guest kernel runs on with a pointer's bits as its flags (TF,
# NT, reserved bits) and corrupts memory at random.  Where the check
# fails, guests get a CPU without CX16, and Linux takes its paths
# without CMPXCHG16B.  The verdict is cached per QEMU build and check.
# XSCHED_QEMU_CPU, when set, is used instead (e.g. "-cpu qemu64" to run
# with CX16 regardless).
qemu_cpu_args() {
	local dir=$XSCHED_BUILD/qemu-cpu src=$XSCHED_TOP/scripts/qemu-cpu/cx16_flags.c
	local stamp out verdict
	if [ -n "${XSCHED_QEMU_CPU+set}" ]; then
		echo "$XSCHED_QEMU_CPU"
		return 0
	fi
	stamp="$(qemu-x86_64 --version 2>/dev/null | head -1) $(sha1sum <"$src")"
	if [ "$(head -1 "$dir/verdict" 2>/dev/null)" != "$stamp" ]; then
		mkdir -p "$dir"
		gcc -O2 -std=c11 -static -o "$dir/cx16_flags" "$src" >&2 || return 1
		if out=$(qemu-x86_64 "$dir/cx16_flags" 2>&1); then
			verdict=cx16
		else
			verdict=no-cx16
		fi
		printf '%s\n%s\n%s\n' "$stamp" "$verdict" "$out" >"$dir/verdict"
	fi
	if [ "$(sed -n 2p "$dir/verdict")" = no-cx16 ]; then
		echo "guest CPU: qemu64 without CX16 (this QEMU's TCG gets the flags of CMPXCHG16B wrong: $(sed -n 3p "$dir/verdict"))" >&2
		echo "-cpu qemu64,-cx16"
	fi
}

# guest_boot WORK KVER LOG TIMEOUT: packs WORK/root and boots it with
# 2 vCPUs (XSCHED_GUEST_SMP vCPUs if set) and 1 GiB (2 GiB and the
# checkers' boot options for the debug kernels); the serial console goes to LOG (and, with
# XSCHED_GUEST_TEE=1, to stderr as well); XSCHED_QEMU_ARGS adds QEMU
# options (guest_clock), XSCHED_GUEST_APPEND kernel options (e.g.
# slub_debug=FZPU on a stock kernel).  Returns 0 if the guest reached
# "XT DONE".  A guest kernel that died in its own boot, before the init
# printed "XT BEGIN" (nothing of ours loaded or run: TCG has been seen
# to take an int3 oops in the kernel's own text patching), is booted
# once more; its log is kept as LOG.boot-failed.
guest_boot() {
	guest_boot_once "$@" && return 0
	grep -aq '^XT BEGIN' "$3" && return 1
	mv "$3" "$3.boot-failed"
	echo "qemu: $2 died before its job began (see $3.boot-failed); booting once more" >&2
	guest_boot_once "$@"
}

guest_boot_once() {
	local work=$1 kver=$2 log=$3 timeout_s=$4 mem=1024 extra= cpu
	cpu=$(qemu_cpu_args) || return 1
	case "$kver" in
	debug-*) mem=2048; extra="page_owner=on" ;;
	kasan-*|kcsan-*) mem=2048 ;;
	esac
	extra="$extra ${XSCHED_GUEST_APPEND:-}"
	mkdir -p "$(dirname "$log")"
	(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$work/initramfs.gz"
	timeout "$timeout_s" qemu-system-x86_64 -machine q35 -accel tcg \
		-m "$mem" -smp "${XSCHED_GUEST_SMP:-2}" -nographic -no-reboot -monitor none \
		$cpu ${XSCHED_QEMU_ARGS:-} -kernel "$(guest_kernel "$kver")" -initrd "$work/initramfs.gz" \
		-append "console=ttyS0 loglevel=1 panic=-1 oops=panic rdinit=/init $extra" \
		</dev/null 2>&1 | tr -d '\r' |
		if [ "${XSCHED_GUEST_TEE:-0}" = 1 ]; then tee "$log" >&2; else cat >"$log"; fi || true
	grep -q '^XT DONE' "$log"
}

# report_xt NAME FILE: FILE's "XT PASS|FAIL|SKIP case [reason]" lines
# as results NAME/case.
report_xt() {
	local name=$1 file=$2 status case rest
	while read -r _ status case rest; do
		case "$status" in
		PASS) result pass "$name/$case" ;;
		FAIL) result fail "$name/$case" "$rest" ;;
		SKIP) result skip "$name/$case" "$rest" ;;
		esac
	done < <(grep -E '^XT (PASS|FAIL|SKIP) ' "$file")
}

# guest_report NAME LOG DONE: reports the guest's "XT PASS|FAIL|SKIP
# case" lines of LOG as NAME/case, then NAME/completed (DONE: 1 if
# guest_boot returned 0) and NAME/kernel-log-clean.
guest_report() {
	local name=$1 log=$2 done=$3
	report_xt "$name" "$log"
	if [ "$done" = 0 ]; then
		tail -30 "$log" >&2
		result fail "$name/completed" "guest did not finish; see $log"
		return
	fi
	result pass "$name/completed"
	if guest_log_clean "$log"; then
		result pass "$name/kernel-log-clean"
	else
		result fail "$name/kernel-log-clean" "see $log"
	fi
}

# guest_log_clean LOG: 0 if the guest's kernel log has no splat (the
# offending lines go to stderr).
guest_log_clean() {
	! sed -n '/^XT DMESG-BEGIN/,/^XT DMESG-END/p' "$1" |
		grep -E "$XSCHED_SPLAT_RE" >&2
}
