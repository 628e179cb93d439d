#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What operators deploy, checked against what the code really produces:
# * the exposition of `xschedctl metrics`, captured in a QEMU guest with
#   one queue paused for another (tests/user/xschedctl_ops.c, Debian's
#   6.12 kernel), and the exporter's reply without a device on this host,
#   both pass `promtool check metrics` (Debian's prometheus package);
# * every series the code exports is in docs/operators.md;
# * the node-feature-discovery lines from the guest are valid labels;
# * the Grafana dashboard is JSON and queries only exported series;
# * the Kubernetes manifests are YAML of the right shape (kubeconform is
#   in neither Debian nor npm: a check of our own), and their rules and
#   PriorityClass map turn a made-up node's pods into a valid rules file.
#
# Usage: scripts/ops-check.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
no_args "$@"

ensure_deps
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v jq >/dev/null || missing+=(jq)
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ "${#missing[@]}" -gt 0 ]; then
	echo "ops: installing ${missing[*]}" >&2
	apt-get update -qq >&2
	# The prometheus package is here for promtool: its server stays off.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
fi

out=$XSCHED_BUILD/ops
rm -rf "$out"
mkdir -p "$out"
D=$XSCHED_TOP/deploy

# --- the exposition from a guest ---
rc=0
env -u XSCHED_RESULTS "$XSCHED_TOP/scripts/qemu-test.sh" --line 6.12 \
	--only xschedctl_ops >"$out/guest.out" 2>&1 || rc=$?
glog=$XSCHED_BUILD/logs/qemu-6.12-xschedctl_ops.log
sed -n '/^XT METRICS-BEGIN$/,/^XT METRICS-END$/p' "$glog" 2>/dev/null | sed '1d;$d' >"$out/guest.prom"
sed -n '/^XT NFD-BEGIN$/,/^XT NFD-END$/p' "$glog" 2>/dev/null | sed '1d;$d' >"$out/guest.nfd"
if [ "$rc" = 0 ] && [ -s "$out/guest.prom" ]; then
	result pass ops/guest-run "$(tail -1 "$out/guest.out")"
else
	tail -20 "$out/guest.out" >&2
	result fail ops/guest-run "exit $rc, log: $glog"
fi
if [ -s "$out/guest.prom" ] && promtool check metrics <"$out/guest.prom" >"$out/promtool.out" 2>&1; then
	result pass ops/promtool-guest "$(grep -c '^# TYPE' "$out/guest.prom") families"
else
	cat "$out/promtool.out" >&2
	result fail ops/promtool-guest
fi

# --- the exporter on this host, without a device ---
make -C "$XSCHED_TOP/userlib" --no-print-directory >"$out/userlib.log" 2>&1
ctl=$XSCHED_BUILD/userlib/xschedctl
port=$((20000 + RANDOM % 20000))
"$ctl" --device /nonexistent metrics --listen "127.0.0.1:$port" 2>"$out/server.err" &
srv=$!
fetched=$(python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        r = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5)
        sys.stdout.write(r.read().decode())
        break
    except OSError:
        time.sleep(0.05)
PY
) || true
kill "$srv" 2>/dev/null || true
wait "$srv" 2>/dev/null || true
if grep -qx 'xsched_up 0' <<<"$fetched" &&
   promtool check metrics <<<"$fetched" >"$out/promtool-host.out" 2>&1; then
	result pass ops/exporter-no-device "xsched_up 0, promtool clean"
else
	cat "$out/promtool-host.out" "$out/server.err" >&2 2>/dev/null || true
	result fail ops/exporter-no-device "$(head -c 200 <<<"$fetched")"
fi

# --- series, labels, dashboard and manifests ---
python3 - "$out/guest.prom" "$out/guest.nfd" "$XSCHED_TOP/docs/operators.md" \
	"$D/grafana/xsched.json" "$D/kubernetes/xsched-node.yaml" "$out" <<'PY' >"$out/shape.out" || true
import json, re, sys, yaml
prom, nfd, doc, dash, k8s, out = sys.argv[1:]

def xt(ok, name, why=""):
    print("XT %s %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " " + why))

fams = set(re.findall(r"^# TYPE (\S+) ", open(prom).read(), re.M))
names = set(fams)
for f in list(fams):
    names |= {f + "_bucket", f + "_sum", f + "_count"}
text = open(doc).read()
undoc = sorted(f for f in fams if "`%s`" % f not in text)
xt(fams and not undoc, "series-documented", "not in docs/operators.md: %s" % undoc)

lab = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
lines = [l for l in open(nfd).read().splitlines() if l and not l.startswith("#")]
bad = [l for l in lines if "=" not in l or not lab.match(l.split("=", 1)[0])
       or not lab.match(l.split("=", 1)[1])]
xt(lines and not bad and lines[0] == "xsched=true", "nfd-labels-valid", "%s" % (bad or lines))

d = json.load(open(dash))
exprs = [t["expr"] for p in d.get("panels", []) for t in p.get("targets", [])]
used = set(re.findall(r"\bxsched_[a-z_]+\b", " ".join(exprs)))
for v in d.get("templating", {}).get("list", []):
    q = v.get("query")
    used |= set(re.findall(r"\bxsched_[a-z_]+\b", json.dumps(q)))
unknown = sorted(used - names)
xt(exprs and not unknown, "dashboard-series-exported", "not exported: %s" % unknown)
xt(d.get("uid") and d.get("title") and all("gridPos" in p and p.get("datasource") for p in d["panels"]),
   "dashboard-shape", "uid, title, panels with gridPos and datasource")

docs = [x for x in yaml.safe_load_all(open(k8s)) if x]
probs = []
for x in docs:
    for k in ("apiVersion", "kind", "metadata"):
        if k not in x:
            probs.append("%s without %s" % (x.get("kind"), k))
    if not re.match(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", x.get("metadata", {}).get("name", "")):
        probs.append("%s: bad name" % x.get("kind"))
want = {"Namespace": "v1", "ServiceAccount": "v1", "ConfigMap": "v1",
        "ClusterRole": "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding": "rbac.authorization.k8s.io/v1", "DaemonSet": "apps/v1"}
for x in docs:
    if want.get(x["kind"]) != x["apiVersion"]:
        probs.append("%s: apiVersion %s" % (x["kind"], x["apiVersion"]))
ds = [x for x in docs if x["kind"] == "DaemonSet"]
cm = {x["metadata"]["name"]: x for x in docs if x["kind"] == "ConfigMap"}
sas = {x["metadata"]["name"] for x in docs if x["kind"] == "ServiceAccount"}
for x in ds:
    sp = x["spec"]
    tl = sp["template"]["metadata"].get("labels", {})
    if not sp["selector"]["matchLabels"].items() <= tl.items():
        probs.append("selector does not match the template's labels")
    ps = sp["template"]["spec"]
    vols = {v["name"]: v for v in ps.get("volumes", [])}
    if ps.get("serviceAccountName") not in sas:
        probs.append("service account %s not defined" % ps.get("serviceAccountName"))
    for v in vols.values():
        if "configMap" in v and v["configMap"]["name"] not in cm:
            probs.append("volume %s: no ConfigMap %s" % (v["name"], v["configMap"]["name"]))
    for c in ps["containers"]:
        if not c.get("name") or not c.get("image"):
            probs.append("a container without name or image")
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols:
                probs.append("%s mounts unknown volume %s" % (c["name"], m["name"]))
        for p in c.get("ports", []):
            if not 0 < p["containerPort"] < 65536:
                probs.append("bad port")
    for k, v in (ps.get("nodeSelector") or {}).items():
        if not isinstance(v, str):
            probs.append("nodeSelector %s is not a string" % k)
xt(not probs and ds, "k8s-manifests-shape", "; ".join(probs))
for n, x in cm.items():
    for k, v in x.get("data", {}).items():
        open("%s/cm-%s-%s" % (out, n, k), "w").write(v)
PY
report_xt ops "$out/shape.out"
grep -q '^XT ' "$out/shape.out" || { cat "$out/shape.out" >&2; result fail ops/shape-checks "no results"; }

# The DaemonSet's own map and rules, on a made-up node's pods.
rules=$out/k8s-rules.conf
if sh "$XSCHED_TOP/userlib/xsched-k8s-rules.sh" --map "$out/cm-xsched-rules-k8s-map.conf" \
	--base "$out/cm-xsched-rules-rules.conf" --pods-json "$D/kubernetes/pods-fixture.json" \
	>"$rules" 2>"$out/k8s-rules.err" &&
   chk=$("$ctl" rules check "$rules" 2>&1) && [ "$chk" = "$rules: 5 rules, valid" ] &&
   grep -q '^cgroup /kubepods.slice/kubepods-pod0b1e2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice 12 ' "$rules" &&
   grep -q '^cgroup /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podaaaaaaaa_bbbb_cccc_dddd_eeeeeeeeeeee.slice 11 ' "$rules" &&
   ! grep -q 'abababab\|12121212' "$rules"; then
	result pass ops/k8s-rules-from-pods "$chk"
else
	cat "$rules" "$out/k8s-rules.err" >&2
	result fail ops/k8s-rules-from-pods "${chk:-}"
fi
rc=0; sh "$XSCHED_TOP/userlib/xsched-k8s-rules.sh" --driver bogus 2>/dev/null || rc=$?
[ "$rc" = 2 ] && result pass ops/k8s-rules-bad-driver-usage || result fail ops/k8s-rules-bad-driver-usage "exit $rc"
printf 'priorityclass x 16\n' >"$out/bad-map"
rc=0; err=$(sh "$XSCHED_TOP/userlib/xsched-k8s-rules.sh" --map "$out/bad-map" --base /nonexistent \
	--pods-json "$D/kubernetes/pods-fixture.json" 2>&1 >/dev/null) || rc=$?
case "$rc:$err" in
1:*"bad-map: bad entry: priorityclass x 16"*) result pass ops/k8s-rules-bad-map-error ;;
*) result fail ops/k8s-rules-bad-map-error "exit $rc: $err" ;;
esac
summary
