#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run xsched's KUnit suites under UML (lockdep on), on Debian's
# linux-source-6.1.  The kernel tree is unpacked once under
# $XSCHED_CACHE (default ~/.cache/xsched) and reused; this repository is
# linked into it as drivers/misc/xsched, so the tree always builds the
# current sources.
#
# Usage: scripts/kunit.sh [--line 6.1|6.12] [extra kunit.py run args...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [--line 6.1|6.12] [kunit.py run args...]"; }
line=6.1
while [ $# -gt 0 ]; do
	case "$1" in
	--line) [ $# -ge 2 ] || { usage >&2; exit 2; }; line=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) break ;;
	esac
done
case "$line" in 6.1|6.12) ;; *) usage >&2; exit 2 ;; esac

ensure_deps
tree=$(kernel_tree "$line")
builddir=$XSCHED_CACHE/kunit-$line

# Link the sources in and hook them into drivers/misc (idempotent).  A
# tree last linked to another checkout keeps objects built from that
# one, which make may take as current: drop them.
if [ "$(readlink "$tree/drivers/misc/xsched" 2>/dev/null)" != "$XSCHED_TOP" ] &&
   [ -d "$builddir/drivers/misc/xsched" ]; then
	find "$builddir/drivers/misc/xsched" \( -name '*.o' -o -name '.*.cmd' \) -delete
fi
ln -sfn "$XSCHED_TOP" "$tree/drivers/misc/xsched"
if ! grep -q 'drivers/misc/xsched/' "$tree/drivers/misc/Kconfig"; then
	sed -i '$ s|^endmenu|source "drivers/misc/xsched/tests/kunit/Kconfig"\nendmenu|' \
		"$tree/drivers/misc/Kconfig"
	grep -q 'drivers/misc/xsched/' "$tree/drivers/misc/Kconfig" ||
		{ echo "$0: cannot hook drivers/misc/Kconfig" >&2; exit 1; }
fi
grep -q 'xsched/' "$tree/drivers/misc/Makefile" ||
	echo 'obj-$(CONFIG_XSCHED) += xsched/' >>"$tree/drivers/misc/Makefile"

log=$XSCHED_BUILD/logs/kunit-$line.log
mkdir -p "$(dirname "$log")"
json=$XSCHED_BUILD/logs/kunit-$line.json
rm -f "$json"
rc=0
(cd "$tree" && python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$XSCHED_TOP/tests/kunit/.kunitconfig" \
	--build_dir="$builddir" --jobs="$(nproc)" --json="$json" "$@") 2>&1 | tee "$log" >&2 ||
	rc=$?

# Per-case results from kunit.py's JSON: suite/test[/parameter].
n=0
while read -r status name; do
	case "$status" in
	PASS) result pass "kunit-$line/$name" ;;
	SKIP) result skip "kunit-$line/$name" ;;
	*) result fail "kunit-$line/$name" "$status" ;;
	esac
	n=$((n + 1))
done < <(python3 - "$json" <<'PY' 2>/dev/null
import json, sys
def walk(g, path):
    for sub in g.get("sub_groups", []):
        walk(sub, path + [sub["name"]])
    for c in g.get("test_cases", []):
        print(c["status"], "/".join(path + [c["name"]]))
walk(json.load(open(sys.argv[1])), [])
PY
)
[ "$n" -gt 0 ] || result fail "kunit-$line/run" "no test results; see $log"
[ "$rc" = 0 ] || result fail "kunit-$line/kunit.py" "exit status $rc; see $log"

# The kernel log of the UML run must be free of splats.
if [ ! -s "$builddir/test.log" ]; then
	result fail "kunit-$line/kernel-log-clean" "no kernel log"
elif grep -nE "$XSCHED_SPLAT_RE" "$builddir/test.log" >&2; then
	result fail "kunit-$line/kernel-log-clean" "$builddir/test.log"
else
	result pass "kunit-$line/kernel-log-clean"
fi
summary
