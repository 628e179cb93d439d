#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every stage of the test ladder, in order, each timed.  A
# failing stage does not stop the later ones; the run ends with one line
# "N passed, N failed, N skipped": test cases passed (the harness's own
# checks are counted on the line before), every failure, cases skipped;
# it fails if anything failed.
#
# Usage: scripts/check.sh [--full] [stage...]
#   stages: deps build userlib benchhw sparse uapi style kunit qemu dkms
#           deb ops amdkfd amdgpu (default: all these), amdgpu-6.12 (with --full: make
#           check-full, the patched amdgpu.ko of 6.12 built and loaded too)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

all_stages=(deps build userlib benchhw sparse uapi style kunit qemu dkms deb ops amdkfd amdgpu)
full_stages=(amdgpu-6.12)
usage() { echo "usage: $0 [--full] [${all_stages[*]} ${full_stages[*]}]..."; }
stages=()
full=0
for a in "$@"; do
	case " ${all_stages[*]} ${full_stages[*]} " in
	*" $a "*) stages+=("$a") ;;
	*) case "$a" in -h|--help) usage; exit 0 ;; --full) full=1; continue ;; esac
	   usage >&2; exit 2 ;;
	esac
done
[ "${#stages[@]}" -gt 0 ] || stages=("${all_stages[@]}")
[ "$full" = 0 ] || stages+=("${full_stages[@]}")

export XSCHED_RESULTS
XSCHED_RESULTS=$(mktemp)
trap 'rm -f "$XSCHED_RESULTS" "$_xs_local_results"' EXIT
S=$XSCHED_TOP/scripts
times=()
t_all=$SECONDS

run_stage() {
	local name=$1 t0=$SECONDS before rc=0
	shift
	echo "==> $name: $*" >&2
	before=$(wc -l <"$XSCHED_RESULTS")
	"$@" || rc=$?
	# A stage that dies before reporting anything is a failure too.
	if [ "$rc" != 0 ] && [ "$(wc -l <"$XSCHED_RESULTS")" = "$before" ]; then
		result fail "$name/stage" "exit status $rc, no results"
	fi
	times+=("$(printf '%-7s %4d s' "$name" $((SECONDS - t0)))")
}

for st in "${stages[@]}"; do
	case "$st" in
	deps)
		t0=$SECONDS
		if "$S/deps.sh" && "$S/debian-7x.sh"; then result pass deps; else result fail deps; fi
		export XSCHED_DEPS_DONE=1
		times+=("$(printf '%-7s %4d s' deps $((SECONDS - t0)))")
		;;
	build) run_stage build "$S/build-debian.sh" ;;
	userlib) run_stage userlib "$S/userlib-check.sh" ;;
	benchhw) run_stage benchhw "$S/bench-hw-check.sh" ;;
	sparse) run_stage sparse "$S/build-debian.sh" --sparse ;;
	uapi) run_stage uapi "$S/uapi-check.sh" ;;
	style) run_stage style "$S/checkpatch.sh" ;;
	kunit) run_stage kunit "$S/kunit.sh" ;;
	qemu) run_stage qemu "$S/qemu-test.sh" ;;
	dkms) run_stage dkms "$S/dkms-check.sh" ;;
	deb) run_stage deb "$S/deb-check.sh" ;;
	ops) run_stage ops "$S/ops-check.sh" ;;
	amdkfd) run_stage amdkfd "$S/amdkfd-check.sh" ;;
	amdgpu) run_stage amdgpu "$S/amdgpu-qemu.sh" --line 7.x ;;
	amdgpu-6.12) run_stage amdgpu-6.12 "$S/amdgpu-qemu.sh" --line 6.12 ;;
	esac
done

echo "==> stage times" >&2
printf '    %s\n' "${times[@]}" "$(printf '%-7s %4d s' total $((SECONDS - t_all)))" >&2
if grep -q '^fail' "$XSCHED_RESULTS"; then
	echo "==> failed:" >&2
	sed -n 's/^fail /    /p' "$XSCHED_RESULTS" >&2
fi
# Checks of the harness itself (modules load and unload, a guest run
# completes, kernel logs are clean, kmemleak finds nothing, a program
# reports the cases it declares) are counted apart from test cases.
check_re=' [^ ]*(/module/(load|unload)-[^ ]*|/completed|/kernel-log-clean|/kmemleak/clean|/plan)$'
count() { grep -cE "^$1$2" "$XSCHED_RESULTS" || true; }
cp_=$(count pass "$check_re")
cf_=$(count fail "$check_re")
p=$(grep -c '^pass' "$XSCHED_RESULTS" || true)
f=$(grep -c '^fail' "$XSCHED_RESULTS" || true)
s=$(grep -c '^skip' "$XSCHED_RESULTS" || true)
echo "==> checks (modules load and unload, runs complete, logs clean, plans kept): $cp_ passed, $cf_ failed" >&2
# The closing line: test cases passed, and every failure (a failed check
# fails the run as a failed case does).
echo "$((p - cp_)) passed, $f failed, $s skipped"
[ "$f" = 0 ]
