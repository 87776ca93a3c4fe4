"""One benchmark scenario: a fleet of N resources through up, no-op preview, no-op refresh, up after
changing 10%, and destroy, with the real pulumi CLI against the fake.

`kind` "portal" is portal-infra's PortalConfiguration as a dynamic resource; "plugin" the same
configurations through the provider plugin (`pulumi-resource-portal-infra`, one process, from a plain
Pulumi program: bench/plugin_program/); "floor" is the engine floor (bench/fleet.py's no-op provider,
same inputs, no requests). The API floor is in api_floor.py.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from portal_infra.testing import offline_env
from portal_infra.testing.tools import pulumi_dir

from . import measure
from .fleet import LOGO, account_id
from .stripe_fake import FakeProcess, rate_floor, rate_limits_for

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk_test_benchFleetKey4242"
STACK = "bench"
STEPS = ("up", "preview", "refresh", "up_change", "destroy")


@dataclass(frozen=True)
class Setting:
    kind: str  # portal | plugin | floor
    n: int  # configurations, or connected accounts when shape is "branded"
    latency_ms: int  # 0: the fake's own
    providers: int = 0  # explicit dynamic-provider instances; 0: the default provider
    skip_checkpoints: bool = False
    shape: str = "configurations"  # or "branded", or "branded-v2" (the same on Accounts v2)
    stacks: int = 1  # the fleet split over this many stacks, deployed side by side
    limits: str = "test"  # Stripe's limits of a test or a live account, emulated when latency_ms is set
    parallel: int = 0  # `pulumi --parallel`; 0: parallelism(providers, kind)
    pacing: str = "under"  # rateLimits one under each emulated limit, or "at" them (stripe_fake.rate_limits_for)

    def label(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": self.shape, "n": self.n, "latency_ms": self.latency_ms,
                "providers": self.providers, "skip_checkpoints": self.skip_checkpoints, "stacks": self.stacks,
                "limits": self.limits, "parallel": self.parallel or parallelism(self.providers, self.kind),
                "pacing": self.pacing}

    def slices(self) -> list[tuple[int, int]]:
        """(first index, count) of each stack's share of the N resources."""
        bounds = [self.n * s // self.stacks for s in range(self.stacks + 1)]
        return [(bounds[s], bounds[s + 1] - bounds[s]) for s in range(self.stacks)]


# The plugin serves every operation the engine sends at once (a thread each, up to its 64 workers),
# so `--parallel` alone bounds its requests in flight. At 250 ms a request, 24/s needs 6 in flight;
# the engine's own work per step (check, diff, the state) and the pacer's waits hold more.
PLUGIN_PARALLEL = 32


def parallelism(providers: int, kind: str = "portal") -> int:
    """`pulumi --parallel` for a pool: enough steps in flight to fill every provider's 4 slots; for
    the plugin, PLUGIN_PARALLEL."""
    return PLUGIN_PARALLEL if kind == "plugin" else max(8, 4 * providers)


def changed_count(n: int) -> int:
    return max(1, n // 10)


def fleet_project(work: Path, kind: str = "portal") -> Path:
    """A Pulumi project running bench/fleet.py (or, for `kind` "plugin", bench/plugin_program/), with its
    own file-backend state under `work`."""
    project = work / "project"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "portal-infra", "runtime": {"name": "python", "options": {"virtualenv": str(ROOT / ".venv")}}}))
    program = "plugin_program" if kind == "plugin" else "fleet_program"
    shutil.copy(ROOT / "bench" / program / "__main__.py", project / "__main__.py")
    (work / "state").mkdir()
    return project


def write_fleet_stack(project: Path, *, kind: str, n: int, changed: int = 0, providers: int = 0,
                      shape: str = "configurations", latency_ms: int = 0, first: int = 0,
                      limits: str = "test", pacing: str = "under") -> None:
    config: dict[str, Any] = {
        "portal-infra:mode": "test", "bench:kind": kind, "bench:n": str(n), "bench:first": str(first),
        "bench:shape": shape,
        "bench:changed": str(changed), "bench:providers": str(providers),
        # Just under the emulated limits, or no pacing at the fake's own latency (stripe_fake.py).
        "portal-infra:rateLimits": rate_limits_for(latency_ms, limits, pacing)}
    if shape == "branded-v2":  # the accounts written and read through Accounts v2 (issue 26)
        config["portal-infra:accountsApi"] = "v2"
    (project / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": config}))


def fleet_env(work: Path, stripe_url: str, *, skip_checkpoints: bool = False) -> dict[str, str]:
    # The repository on PYTHONPATH: the program and the engine-floor provider import bench.fleet.
    extra = {"STRIPE_API_BASE": stripe_url, "STRIPE_API_KEY": KEY, "PYTHONPATH": str(ROOT)}
    if skip_checkpoints:
        extra["PULUMI_SKIP_CHECKPOINTS"] = "true"
    return offline_env(work / "state", work / "home", python=str(ROOT / ".venv" / "bin" / "python"), extra=extra)


def plugin_on_path(work: Path, env: dict[str, str]) -> Path:
    """Put the venv's `pulumi-resource-portal-infra` on the engine's PATH, behind a wrapper that notes
    each launch (its pid and the time, one line) before it `exec`s the plugin: the file says how many
    plugin processes the engine started, and when. Returns that file."""
    launches = work / "plugin-launches.txt"
    bin_dir = work / "plugin-bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "pulumi-resource-portal-infra"
    wrapper.write_text(f'''#!/bin/sh
echo "$$ $(date +%s.%N)" >> "{launches}"
exec "{ROOT / ".venv" / "bin" / "pulumi-resource-portal-infra"}" "$@"
''')
    wrapper.chmod(0o755)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return launches


def draw_logo(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (256, 128), (10, 125, 94)).save(path, format="PNG")


def _state_figures(state_dir: Path, export: str, n: int) -> dict[str, Any]:
    files = list(state_dir.rglob(f"{STACK}.json"))
    deployment = json.loads(export)["deployment"]
    # The fleet's own resources: dynamic ones (pulumi-python:dynamic...) or the plugin's
    # (portal-infra:index:...); not the stack (pulumi:pulumi:Stack) nor providers (pulumi:providers:...).
    ours = [r for r in deployment.get("resources", []) if not r["type"].startswith("pulumi:")]
    entry = sum(len(json.dumps(r, separators=(",", ":"))) for r in ours)
    # What the program's SDK records of where the resource was declared (the Python SDK: the call
    # stack); portal-infra's dynamic resources register without it (resources/base.py).
    trace = sum(len(json.dumps(r[k], separators=(",", ":"))) for r in ours for k in ("sourcePosition", "stackTrace")
                if k in r)
    own = sum(len(json.dumps({k: v for k, v in r.get(part, {}).items() if k != "__provider"},
                             separators=(",", ":")))
              for r in ours for part in ("inputs", "outputs"))
    # The pickled provider (a secret, so encrypted) is in both inputs and outputs of every resource.
    # The plugin's resources have none.
    blob = sum(len(json.dumps(r[part]["__provider"], separators=(",", ":")))
               for r in ours for part in ("inputs", "outputs") if "__provider" in r.get(part, {}))
    size = files[0].stat().st_size if files else 0
    return {
        "file_bytes": size,
        "file_bytes_per_resource": round(size / max(len(ours), 1)),
        "entry_bytes_per_resource": round(entry / max(len(ours), 1)),
        "own_inputs_outputs_bytes_per_resource": round(own / max(len(ours), 1)),
        "provider_blob_bytes_per_resource": round(blob / max(len(ours), 1)),
        "stack_trace_bytes_per_resource": round(trace / max(len(ours), 1)),
        # The state file (pretty-printed, with the stack's own entries) against the resource's own data.
        "ratio_file_to_own": round(size / max(own, 1), 2),
        "ratio_entry_to_own": round(entry / max(own, 1), 2),
        "resources": len(ours),
    }


def _timeline(requests: list[dict[str, Any]], started_at: float, marks: list[Path]) -> dict[str, Any]:
    """Where the step's time went: when the program started (after the CLI and language host) and
    finished building the fleet (the first stack's program, from bench/fleet.py's marks), when
    Stripe got its first and its last request; all in seconds from the step's start."""
    out: dict[str, Any] = {}
    if marks and marks[0].exists():
        for line in marks[0].read_text().split("\n"):
            if line:
                event, at = line.split()
                out[f"{event}_s"] = round(float(at) - started_at, 2)
    times = sorted(r["at"] for r in requests if "at" in r)
    if times:
        out.update(first_request_s=round(times[0] - started_at, 2), last_request_s=round(times[-1] - started_at, 2))
    if len(times) > 1 and times[-1] > times[0]:
        # The pace Stripe saw between the first request and the last.
        out["requests_per_second"] = round((len(times) - 1) / (times[-1] - times[0]), 2)
    return out


def run(setting: Setting, work: Path, fake: FakeProcess, steps_wanted: tuple[str, ...] = STEPS) -> dict[str, Any]:
    """The steps, in order (all five unless told). Figures per step; a failed step is recorded, not raised.

    With `stacks` > 1 each step runs on every stack at once (each its own project, state and slice
    of the fleet), and its figures are the group's: first start to last end, summed CPU and memory.
    """
    slices = setting.slices()
    projects = [fleet_project(work / f"stack-{s}", setting.kind) if setting.stacks > 1
                else fleet_project(work, setting.kind) for s in range(setting.stacks)]
    states = [p.parent / "state" for p in projects]
    envs = [fleet_env(p.parent, fake.url, skip_checkpoints=setting.skip_checkpoints) for p in projects]
    marks = [p.parent / "marks.txt" for p in projects]
    for env, mark in zip(envs, marks, strict=True):
        env["BENCH_MARKS"] = str(mark)
    launches = [plugin_on_path(p.parent, env) for p, env in zip(projects, envs, strict=True)] \
        if setting.kind == "plugin" else []
    pulumi = str(pulumi_dir() / "pulumi")

    def write(changed: int = 0) -> None:
        for project, (first, count) in zip(projects, slices, strict=True):
            write_fleet_stack(project, kind=setting.kind, n=count, first=first, changed=changed,
                              providers=setting.providers, shape=setting.shape, latency_ms=setting.latency_ms,
                              limits=setting.limits, pacing=setting.pacing)

    write()
    if setting.shape.startswith("branded"):
        for project in projects:
            draw_logo(project / LOGO)
        fake.control.seed(accounts=[{"id": account_id(i)} for i in range(setting.n)])
    for project, env in zip(projects, envs, strict=True):
        measure.run([pulumi, "stack", "select", "--create", STACK, "--non-interactive"], cwd=project, env=env)
    fake.emulate(setting.latency_ms, setting.limits)
    # The engine runs 8 steps at once by default (4 per core here); a pool of K providers serves 4·K.
    parallel = ["--parallel", str(setting.parallel or parallelism(setting.providers, setting.kind))]
    commands = {
        "up": ["up", "--yes", "--skip-preview", *parallel],
        "preview": ["preview", "--expect-no-changes", *parallel],
        "refresh": ["refresh", "--yes", "--skip-preview", *parallel],
        "up_change": ["up", "--yes", "--skip-preview", *parallel],
        "destroy": ["destroy", "--yes", "--skip-preview", *parallel],
    }
    steps: dict[str, Any] = {}
    state: dict[str, Any] = {}
    for step in (s for s in STEPS if s in steps_wanted):
        if step == "up_change":
            write(changed=changed_count(setting.n))
        seen = len(fake.control.requests())
        for mark in [*marks, *launches]:
            mark.unlink(missing_ok=True)
        result = measure.run_all([([pulumi, *commands[step], "--non-interactive"], project, env)
                                  for project, env in zip(projects, envs, strict=True)])
        requests = fake.control.requests()[seen:]
        routes = Counter(r["route"] for r in requests)
        statuses = Counter(str(r.get("status")) for r in requests)
        steps[step] = {
            "ok": result.returncode == 0,
            "seconds": round(result.seconds, 3),
            "cpu_seconds": round(result.cpu_seconds, 2),
            "peak_rss_mb": round(result.peak_rss_bytes / 2**20, 1),
            "requests_total": len(requests),
            "requests": dict(sorted(routes.items())),
            "statuses": dict(sorted(statuses.items())),
            # What the emulated limits alone need for these requests (none at the fake's own latency).
            "rate_floor_s": round(rate_floor(dict(routes), setting.limits), 2) if setting.latency_ms else 0.0,
            "load1_before": result.load_before["load1"],
            **_timeline(requests, result.started_at, marks),
        }
        if launches:
            # Plugin processes the engine started for this step, over every stack, and when the first was.
            started = sorted(float(line.split()[1]) for f in launches if f.exists()
                             for line in f.read_text().splitlines() if line)
            steps[step]["plugin_launches"] = len(started)
            if started:
                steps[step]["plugin_started_s"] = round(started[0] - result.started_at, 2)
        if result.returncode != 0:
            steps[step]["error_tail"] = (result.stdout + result.stderr)[-2000:]
        if step == "up" and result.returncode == 0:
            # Every stack holds the same kind of resource: the first stands for all.
            export = measure.run([pulumi, "stack", "export", "--non-interactive"], cwd=projects[0], env=envs[0])
            state = _state_figures(states[0], export.stdout, slices[0][1])
    return {**setting.label(), "steps": steps, "state": state}
