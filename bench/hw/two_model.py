#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two models on one GPU: ResNet-18 inference at RATE requests/s (the
high-priority service) next to ResNet-50 training (the throughput job),
with torchvision's models on PyTorch for ROCm.  Runs four scenarios:
inference alone, training alone, both without xsched priorities, both
with them.  Priorities are set by xsched, per process, with
`xschedctl renice PID PRIO` (operator priorities), never by HIP stream
priorities.  Each worker is a spawned process (not forked after HIP
initialisation).

Prints a table (P50/P99/max request latency, training images/s) and one
"TWO label=... key=value..." line per scenario.  --dry-run checks the
arguments and prints the report from made-up figures, on the CPU and
without importing torch.
"""
import argparse
import multiprocessing as mp
import random
import shutil
import statistics
import subprocess
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="two_model.py",
        description="ResNet-18 serving at RATE req/s next to ResNet-50 "
                    "training, with and without xsched priorities.")
    p.add_argument("--rate", type=float, default=10.0,
                   help="inference requests per second (default 10)")
    p.add_argument("--seconds", type=float, default=30.0,
                   help="measured seconds per scenario (default 30)")
    p.add_argument("--warmup", type=float, default=5.0,
                   help="unmeasured seconds first (default 5)")
    p.add_argument("--batch", type=int, default=1,
                   help="inference batch size (default 1)")
    p.add_argument("--train-batch", type=int, default=64,
                   help="training batch size (default 64)")
    p.add_argument("--high", type=int, default=12,
                   help="xsched priority of the inference process (default 12)")
    p.add_argument("--low", type=int, default=2,
                   help="xsched priority of the training process (default 2)")
    p.add_argument("--xschedctl", default="xschedctl",
                   help="the xschedctl to run (default: from PATH)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dry-run", action="store_true",
                   help="check arguments and print a report of made-up "
                        "figures, without a GPU or torch")
    a = p.parse_args(argv)
    for name in ("high", "low"):
        if not 0 <= getattr(a, name) <= 15:
            p.error(f"--{name} must be 0..15")
    if a.rate <= 0 or a.seconds <= 0 or a.warmup < 0:
        p.error("--rate and --seconds must be positive, --warmup not negative")
    if a.batch < 1 or a.train_batch < 1:
        p.error("batch sizes must be at least 1")
    return a


def pct(values, q):
    """Nearest-rank percentile of values (ms); None if empty."""
    if not values:
        return None
    v = sorted(values)
    rank = max(1, -(-len(v) * q // 100))
    return v[int(rank) - 1]


def inference_worker(args, ready, go, out):
    import torch
    import torchvision
    dev = torch.device("cuda")
    model = torchvision.models.resnet18().to(dev).eval()
    x = torch.randn(args.batch, 3, 224, 224, device=dev)
    with torch.no_grad():
        model(x)
    torch.cuda.synchronize()
    ready.set()
    go.wait()
    rnd = random.Random(args.seed)
    t0 = time.monotonic()
    t_next = t0
    lat = []
    with torch.no_grad():
        while True:
            t_next += rnd.expovariate(args.rate)
            if t_next - t0 >= args.warmup + args.seconds:
                break
            delay = t_next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            model(x)
            torch.cuda.synchronize()
            if t_next - t0 >= args.warmup:
                # open loop: from the arrival, queueing included
                lat.append((time.monotonic() - t_next) * 1e3)
    out.put(("inference", lat))


def training_worker(args, ready, go, stop, out):
    import torch
    import torchvision
    dev = torch.device("cuda")
    model = torchvision.models.resnet50().to(dev).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(args.train_batch, 3, 224, 224, device=dev)
    y = torch.randint(0, 1000, (args.train_batch,), device=dev)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    step()
    torch.cuda.synchronize()
    ready.set()
    go.wait()
    t0 = time.monotonic()
    images = 0
    while not stop.is_set():
        step()
        torch.cuda.synchronize()
        t = time.monotonic() - t0
        if args.warmup <= t <= args.warmup + args.seconds:
            images += args.train_batch
        if t > args.warmup + args.seconds:
            break
    out.put(("training", images / args.seconds))


def renice(args, pid, prio):
    subprocess.run([args.xschedctl, "renice", str(pid), str(prio)], check=True,
                   stdout=subprocess.DEVNULL)


def scenario(args, label, infer, train, prios):
    ctx = mp.get_context("spawn")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    procs = []
    if infer:
        r = ctx.Event()
        procs.append((ctx.Process(target=inference_worker,
                                  args=(args, r, go, out)), r, args.high))
    if train:
        r = ctx.Event()
        procs.append((ctx.Process(target=training_worker,
                                  args=(args, r, go, stop, out)), r, args.low))
    for p, r, _ in procs:
        p.start()
    for p, r, prio in procs:
        r.wait()
        if prios:
            renice(args, p.pid, prio)
    go.set()
    res = {"label": label}
    if infer:
        kind, lat = out.get()
        res["lat"] = lat
        stop.set()
    if train:
        kind, ips = out.get()
        res["ips"] = ips
    for p, _, _ in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"two_model.py: {label}: a worker failed ({p.exitcode})")
    return res


def fmt_ms(v):
    return "-" if v is None else f"{v:.2f} ms"


def report(args, results):
    print(f"two models: ResNet-18 inference at {args.rate:g} req/s (xsched "
          f"priority {args.high} when set), ResNet-50 training (priority "
          f"{args.low}), {args.seconds:g} s measured per scenario")
    print(f"{'scenario':<28} | {'P50':>9} | {'P99':>9} | {'max':>9} | {'train img/s':>11}")
    print("-" * 28 + "-|-" + "-|-".join("-" * w for w in (9, 9, 9, 11)))
    for r in results:
        lat = r.get("lat", [])
        ips = r.get("ips")
        print(f"{r['label']:<28} | {fmt_ms(pct(lat, 50)):>9} | "
              f"{fmt_ms(pct(lat, 99)):>9} | "
              f"{fmt_ms(max(lat) if lat else None):>9} | "
              f"{'-' if ips is None else f'{ips:.1f}':>11}")
    alone = next((r["ips"] for r in results if r["label"] == "training alone"), None)
    xs = next((r["ips"] for r in results if r["label"] == "both, xsched priorities"), None)
    if alone and xs:
        print(f"training kept {100 * xs / alone:.1f}% of its rate alone under xsched")
    for r in results:
        lat = r.get("lat", [])
        kv = [f"label={r['label'].replace(' ', '_').replace(',', '')}",
              f"requests={len(lat)}"]
        if lat:
            kv += [f"p50_ms={pct(lat, 50):.3f}", f"p99_ms={pct(lat, 99):.3f}",
                   f"max_ms={max(lat):.3f}",
                   f"mean_ms={statistics.mean(lat):.3f}"]
        if r.get("ips") is not None:
            kv.append(f"train_ips={r['ips']:.2f}")
        print("TWO " + " ".join(kv))


SCENARIOS = (
    ("inference alone", True, False, False),
    ("training alone", False, True, False),
    ("both, no priorities", True, True, False),
    ("both, xsched priorities", True, True, True),
)


def dry_run(args):
    rnd = random.Random(args.seed)
    n = int(args.rate * args.seconds)
    results = []
    for i, (label, infer, train, _) in enumerate(SCENARIOS):
        r = {"label": label}
        if infer:
            r["lat"] = [rnd.uniform(2.0, 4.0 + i) for _ in range(n)]
        if train:
            r["ips"] = 250.0 * (1.0, 1.0, 0.9, 0.97)[i]
        results.append(r)
    print("two_model.py: DRY RUN: made-up figures, no GPU used")
    report(args, results)


def main(argv):
    args = parse_args(argv)
    if args.dry_run:
        dry_run(args)
        return 0
    try:
        import torch
    except ImportError:
        print("two_model.py: PyTorch is not installed (a ROCm build of torch "
              "and torchvision is needed)", file=sys.stderr)
        return 1
    if not torch.cuda.is_available() or not torch.version.hip:
        print("two_model.py: no ROCm GPU visible to PyTorch", file=sys.stderr)
        return 1
    if shutil.which(args.xschedctl) is None:
        print(f"two_model.py: {args.xschedctl} not found", file=sys.stderr)
        return 1
    results = [scenario(args, label, i, t, p) for label, i, t, p in SCENARIOS]
    report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
