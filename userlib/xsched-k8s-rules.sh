#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR MIT
#
# xsched-k8s-rules: xsched cgroup rules for the pods of one Kubernetes
# node, from their PriorityClass or namespace (docs/operators.md,
# "Kubernetes").  Prints a rules file: the base file's rules, then one
# "cgroup <pod cgroup> PRIO" line per pod that the map ranks.  The pods
# come from the API server (the pod's service account, NODE_NAME) or,
# with --pods-json, from a file as `kubectl get pods -o json` writes it.
#
# The map, one entry a line ('#' starts a comment):
#   priorityclass NAME PRIO    pods of that PriorityClass
#   namespace NAME PRIO        pods of that namespace
# A pod's PriorityClass entry comes before its namespace's.
#
# Usage: xsched-k8s-rules [--map FILE] [--base FILE] [--driver systemd|cgroupfs]
#                         [--pods-json FILE]
set -eu

usage() {
	echo "usage: xsched-k8s-rules [--map FILE] [--base FILE] [--driver systemd|cgroupfs] [--pods-json FILE]"
}
map=/etc/xsched/k8s-map.conf
base=/etc/xsched/rules.conf
driver=systemd
pods=
while [ $# -gt 0 ]; do
	case "$1" in
	--map|--base|--driver|--pods-json)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		case "$1" in
		--map) map=$2 ;;
		--base) base=$2 ;;
		--driver) driver=$2 ;;
		--pods-json) pods=$2 ;;
		esac
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case "$driver" in
systemd|cgroupfs) ;;
*) echo "xsched-k8s-rules: --driver is systemd or cgroupfs, not '$driver'" >&2; exit 2 ;;
esac
[ -r "$map" ] || { echo "xsched-k8s-rules: $map: cannot read the map" >&2; exit 1; }
command -v jq >/dev/null || { echo "xsched-k8s-rules: jq is needed" >&2; exit 1; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if [ -n "$pods" ]; then
	cp "$pods" "$tmp"
else
	sa=/var/run/secrets/kubernetes.io/serviceaccount
	[ -n "${NODE_NAME:-}" ] && [ -r "$sa/token" ] ||
		{ echo "xsched-k8s-rules: outside a pod: give --pods-json FILE (or NODE_NAME and a service account)" >&2; exit 1; }
	curl -sSf --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" \
		"https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE_NAME}" \
		>"$tmp" || { echo "xsched-k8s-rules: the API server did not list the pods" >&2; exit 1; }
fi

if [ -r "$base" ]; then
	echo "# from $base"
	grep -v '^[[:space:]]*#' "$base" | grep -v '^[[:space:]]*$' || true
fi
echo "# pods of this node, by $map"
# namespace, uid, QoS class, PriorityClass ("-" if none); then the map.
jq -r '.items[] | select(.status.phase != "Succeeded" and .status.phase != "Failed") |
	[.metadata.namespace, .metadata.uid, (.status.qosClass // "BestEffort"),
	 (.spec.priorityClassName // "-")] | @tsv' "$tmp" |
awk -v driver="$driver" -v map="$map" '
BEGIN {
	while ((getline line < map) > 0) {
		sub(/#.*/, "", line)
		n = split(line, f, /[ \t]+/)
		if (n == 0 || (n == 1 && f[1] == ""))
			continue
		if (f[1] == "") { f[1] = f[2]; f[2] = f[3]; f[3] = f[4]; n-- }
		if (n != 3 || (f[1] != "priorityclass" && f[1] != "namespace") ||
		    f[3] !~ /^([0-9]|1[0-5])$/) {
			printf "xsched-k8s-rules: %s: bad entry: %s\n", map, line > "/dev/stderr"
			bad = 1
			exit 1
		}
		prio[f[1] " " f[2]] = f[3]
	}
}
{
	ns = $1; uid = $2; qos = tolower($3); pc = $4
	p = ""
	if (("priorityclass " pc) in prio)
		p = prio["priorityclass " pc]
	else if (("namespace " ns) in prio)
		p = prio["namespace " ns]
	if (p == "")
		next
	if (driver == "systemd") {
		u = uid; gsub(/-/, "_", u)
		if (qos == "guaranteed")
			path = "/kubepods.slice/kubepods-pod" u ".slice"
		else
			path = "/kubepods.slice/kubepods-" qos ".slice/kubepods-" qos "-pod" u ".slice"
	} else {
		path = qos == "guaranteed" ? "/kubepods/pod" uid : "/kubepods/" qos "/pod" uid
	}
	printf "cgroup %s %s  # %s, %s\n", path, p, ns, pc
}
END { if (bad) exit 1 }'
