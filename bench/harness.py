"""`make bench [BENCH_ARGS=...]`: the fleet benchmark (and, with --layers, the per-layer timings).

Each run of a setting starts a fresh fake and measures, back to back so the ratios hold on a busy
machine: the API floor, portal-infra, and the engine floor. Results go to bench/results/:
<time>.json (every figure), latest.md (medians) and latest.png (up time against N).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import api_floor, measure, report, scenarios
from .stripe_fake import FakeProcess

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=_ints, default=[1, 10, 100, 1000], help="fleet sizes, e.g. 1,10,100")
    p.add_argument("--latency", type=_ints, default=[0, 250],
                   help="ms added per request; 0 is the fake's own, anything else also sets Stripe's limits (--limits)")
    p.add_argument("--limits", default="test", choices=("test", "live"),
                   help="with a latency, the limits of a Stripe account in this mode: 25/s (test) or 100/s (live) for "
                        "the account, and 25/s per endpoint and 20/s for files reads and writes in both; the "
                        "stacks pace one under each")
    p.add_argument("--pacing", default="under", choices=("under", "at"),
                   help="with a latency, the stacks' rateLimits: one under each of Stripe's limits (what a team "
                        "should set), or at them (the fake's token buckets allow it: the rate-limit floor)")
    p.add_argument("--providers", type=_ints, default=[0],
                   help="explicit dynamic-provider instances per stack (0: the default provider), e.g. 0,2")
    p.add_argument("--stacks", type=_ints, default=[1],
                   help="split each fleet over K stacks deployed side by side, e.g. 1,3")
    p.add_argument("--faces", default="dynamic",
                   help="dynamic (the dynamic resources, with the engine floor beside them), plugin (the same "
                        "configurations from a plain Pulumi program through one pulumi-resource-portal-infra "
                        "process, no pool), or both: dynamic,plugin")
    p.add_argument("--parallel", type=int, default=0,
                   help="pulumi --parallel for every step (default: 8, 4 per provider of a pool, 32 for the plugin)")
    p.add_argument("--shape", default="configurations",
                   help="configurations (N portal configurations), branded (N connected accounts, each with a "
                        "configuration and AccountBranding), branded-v2 (the same through Accounts v2, "
                        "portal-infra:accountsApi v2), or several: configurations,branded")
    p.add_argument("--checkpoints", default="on", help="on, skip, or on,skip (PULUMI_SKIP_CHECKPOINTS)")
    p.add_argument("--steps", default=",".join(scenarios.STEPS),
                   help="which of up,preview,refresh,up_change,destroy to run (in that order; each needs the "
                        "ones before it except that up alone is fine)")
    p.add_argument("--runs", type=int, default=3, help="runs per setting (the table shows medians)")
    p.add_argument("--no-floors", action="store_true", help="measure portal-infra only")
    p.add_argument("--layers", action="store_true", help="also the per-layer timings (spec, HTTP, one resource)")
    p.add_argument("--out", type=Path, default=RESULTS, help="where results go")
    p.add_argument("--branding-preview", type=int, metavar="N",
                   help="no fleet runs: picture N accounts with preview-branding, cold then warm "
                        "(bench/branding_preview.py)")
    p.add_argument("--pull", type=int, metavar="N",
                   help="no fleet runs: time `portal-infra pull` over N connected accounts and count its requests "
                        "(bench/pull.py)")
    p.add_argument("--report", nargs="+", type=Path, metavar="JSON",
                   help="no runs: merge these result files into latest.md and latest.png")
    return p.parse_args(argv)


def _write_report(records: list[dict[str, Any]], out: Path) -> None:
    summary = report.summarize(records)
    (out / "latest.md").write_text(report.table(summary))
    try:
        report.chart(summary, out / "latest.png")
    except ImportError:
        print("matplotlib is not installed: no chart (pip install -e '.[dev]')", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.branding_preview:
        from .branding_preview import run as picture

        picture(args.branding_preview, args.out)
        return 0
    if args.pull:
        from .pull import run as pull_bench

        return 0 if all(r["as_promised"] for r in pull_bench(args.pull, args.out)["runs"].values()) else 1
    if args.report:
        # Files from before the fleet benchmark have no scenarios; they add nothing.
        records = [r for path in args.report for r in json.loads(path.read_text()).get("scenarios", [])]
        _write_report(records, args.out)
        print(report.table(report.summarize(records)))
        return 0
    started = datetime.now(UTC)
    results: dict[str, Any] = {
        "when": started.isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_at_start": measure.load()},
        "scenarios": [],
    }
    name = results["when"].replace(":", "")
    path = args.out / f"{name}.json"
    skips = [s == "skip" for s in args.checkpoints.split(",")]
    steps = tuple(s for s in args.steps.split(",") if s)
    unknown = set(steps) - set(scenarios.STEPS)
    if unknown:
        raise SystemExit(f"--steps: unknown {sorted(unknown)}; choose from {','.join(scenarios.STEPS)}")
    faces = [f for f in args.faces.split(",") if f]
    if set(faces) - {"dynamic", "plugin"}:
        raise SystemExit(f"--faces: unknown {sorted(set(faces) - {'dynamic', 'plugin'})}; choose from dynamic,plugin")
    if "plugin" in faces and args.shape != "configurations":
        raise SystemExit("--faces plugin: the plugin bench deploys --shape configurations only")
    with tempfile.TemporaryDirectory(prefix="portal-infra-bench-") as tmp:
        work = Path(tmp)
        count = 0
        for run in range(args.runs):
            for shape, latency in [(s, lat) for s in args.shape.split(",") for lat in args.latency]:
                for n in args.n:
                    for providers, stacks in [(p, k) for p in args.providers for k in args.stacks]:
                        jobs: list[tuple[str, bool]] = []
                        # The API floor issues requests at the dynamic provider's concurrency; the plugin's
                        # own floor is the rate limit's (stripe_fake.rate_floor, in every step's figures).
                        if not args.no_floors and "dynamic" in faces:
                            jobs.append(("api_floor", False))
                        for skip in skips:
                            if "dynamic" in faces:
                                jobs.append(("portal", skip))
                            if "plugin" in faces and not providers:  # one process: no pool to measure
                                jobs.append(("plugin", skip))
                            if not args.no_floors:
                                jobs.append(("floor", skip))
                        for kind, skip in jobs:
                            count += 1
                            print(f"[bench] run {run + 1}/{args.runs}: {kind} {shape} N={n} latency={latency} ms "
                                  f"limits={args.limits} "
                                  f"providers={providers} stacks={stacks} skip_checkpoints={skip}",
                                  file=sys.stderr, flush=True)
                            with FakeProcess(work / "fake.log") as fake:
                                if kind == "api_floor":
                                    record = api_floor.run(n, latency, fake, providers, shape, work / f"a{count}",
                                                           steps, stacks=stacks, limits=args.limits,
                                                           pacing=args.pacing)
                                else:
                                    setting = scenarios.Setting(kind, n, latency, providers, skip, shape, stacks,
                                                                args.limits, args.parallel, args.pacing)
                                    record = scenarios.run(setting, work / f"s{count}", fake, steps)
                            record["run"] = run
                            results["scenarios"].append(record)
                            failed = [s for s, v in record["steps"].items() if not v["ok"]]
                            summary = {s: v["seconds"] for s, v in record["steps"].items()}
                            print(f"[bench]   {summary}{' FAILED: ' + str(failed) if failed else ''}",
                                  file=sys.stderr, flush=True)
                            # Written after every scenario, so an interrupted sweep keeps what it measured.
                            path.write_text(json.dumps(results, indent=1) + "\n")
        if args.layers:
            from .layers import run_layers

            results["layers"] = run_layers()
    results["machine"]["load_at_end"] = measure.load()
    path.write_text(json.dumps(results, indent=1) + "\n")
    _write_report(results["scenarios"], args.out)
    print(report.table(report.summarize(results["scenarios"])))
    print(f"written to {path} and {args.out / 'latest.md'}", file=sys.stderr)
    return 0
