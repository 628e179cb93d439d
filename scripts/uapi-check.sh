#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every uapi/ header must compile on its own as C90 and as C++, pedantically,
# and every ioctl struct must have the same layout for 64-bit and 32-bit
# (compat) callers, padded to 64 bits.
#
# Usage: scripts/uapi-check.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"
ensure_deps

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$_xs_local_results"' EXIT

for h in "$XSCHED_TOP"/uapi/*.h; do
	echo "#include \"$(basename "$h")\"" >>"$tmp/only.c"
done
cp "$tmp/only.c" "$tmp/only.cc"
check() {
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		result pass "$name"
	else
		cat "$tmp/out" >&2
		result fail "$name"
	fi
}
strict="-Wall -Wextra -Werror -pedantic-errors -fsyntax-only -I$XSCHED_TOP/uapi"
check uapi/c90 gcc -std=c90 $strict "$tmp/only.c"
check uapi/c11 gcc -std=c11 $strict "$tmp/only.c"
check uapi/c++98 g++ -std=c++98 $strict "$tmp/only.cc"
check uapi/c++17 g++ -std=c++17 $strict "$tmp/only.cc"

# Expected size of every ioctl struct; one line per struct.
cat >"$tmp/layout.c" <<'LAYOUT'
#include "xsched.h"
#include "xsched_sim.h"
#define XS_SIZE(s, n) \
	_Static_assert(sizeof(struct s) == (n), #s " size"); \
	_Static_assert(sizeof(struct s) % 8 == 0, #s " padded to 64 bits")
XS_SIZE(xsched_features, 56);
XS_SIZE(xsched_sim_create_queue, 64);
XS_SIZE(xsched_sim_queue_op, 48);
XS_SIZE(xsched_sim_nodes, 288);
XS_SIZE(xsched_domain_info, 128);
XS_SIZE(xsched_queue_info, 80);
XS_SIZE(xsched_list, 48);
XS_SIZE(xsched_queue_query, 112);
XS_SIZE(xsched_set_priority, 32);
XS_SIZE(xsched_hint, 32);
XS_SIZE(xsched_rule, 272);
XS_SIZE(xsched_rules, 48);
XS_SIZE(xsched_proc_priority, 40);
LAYOUT
check uapi/layout-64 gcc -std=c11 -m64 $strict "$tmp/layout.c"
check uapi/layout-32 gcc -std=c11 -m32 $strict "$tmp/layout.c"

# No kernel-internal headers may leak into the uapi header.
if grep -nE '^#include <(linux/(kernel|module|slab|fs)|asm/)' "$XSCHED_TOP"/uapi/*.h >&2; then
	result fail uapi/includes
else
	result pass uapi/includes
fi
summary
