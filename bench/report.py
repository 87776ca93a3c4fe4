"""Figures from one or more result files: medians per setting, a markdown table and a PNG chart."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from .scenarios import STEPS

# kind, shape, n, latency, providers, skip_checkpoints, stacks, limits (Stripe's, emulated: test or live),
# pacing (the stacks' rateLimits: under or at those limits)
Key = tuple[str, str, int, int, int, bool, int, str, str]


def _key(record: dict[str, Any]) -> Key:
    return (record["kind"], record.get("shape", "configurations"), record["n"], record["latency_ms"],
            record["providers"], record["skip_checkpoints"], record.get("stacks", 1), record.get("limits", "test"),
            record.get("pacing", "under"))


def summarize(records: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Median of each step's figures over runs, per setting."""
    groups: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[_key(record)].append(record)
    out: dict[Key, dict[str, Any]] = {}
    for key, runs in groups.items():
        steps: dict[str, Any] = {}
        for step in STEPS:
            got = [r["steps"][step] for r in runs if step in r["steps"]]
            if not got:
                continue
            steps[step] = {
                "runs": len(got),
                "ok": all(g["ok"] for g in got),
                "seconds": round(statistics.median(g["seconds"] for g in got), 2),
                "seconds_all": [g["seconds"] for g in got],
                # Older result files have no CPU figure; the median is of the runs that do.
                "cpu_seconds": (round(statistics.median(g["cpu_seconds"] for g in got if "cpu_seconds" in g), 2)
                                if any("cpu_seconds" in g for g in got) else "-"),
                "requests_total": statistics.median(g["requests_total"] for g in got),
                "requests": got[-1]["requests"],
                "statuses": got[-1].get("statuses", {}),
                "peak_rss_mb": max((g.get("peak_rss_mb", 0) for g in got), default=0),
                "load1": [g.get("load1_before") for g in got],
                # Older result files have no request times.
                "first_request_s": _median_of(got, "first_request_s"),
                "last_request_s": _median_of(got, "last_request_s"),
                # Older result files have no rate floor: it was the requests at 25/s.
                "rate_floor_s": _median_of(got, "rate_floor_s"),
                # The plugin's: how many pulumi-resource-portal-infra processes the engine started.
                "plugin_launches": _median_of(got, "plugin_launches"),
            }
        states = [r["state"] for r in runs if r.get("state")]
        out[key] = {"steps": steps, "state": states[-1] if states else {}}
    return out


def _median_of(got: list[dict[str, Any]], name: str) -> float | str:
    values = [g[name] for g in got if name in g]
    return round(statistics.median(values), 2) if values else "-"


def _floor(summary: dict[Key, dict[str, Any]], kind: str, key: Key) -> dict[str, Any] | None:
    _, shape, n, latency, providers, skip, stacks, limits, pacing = key
    return summary.get((kind, shape, n, latency, providers, False if kind == "api_floor" else skip, stacks, limits,
                        pacing))


def _fmt_requests(step: dict[str, Any]) -> str:
    short = {route.replace("/v1/billing_portal/configurations", "cfg").replace("/v1/", ""): count
             for route, count in step["requests"].items()}
    return " ".join(f"{r} x{c}" for r, c in short.items()) or "none"


def table(summary: dict[Key, dict[str, Any]]) -> str:
    head = ("| shape | N | latency | providers | checkpoints | up s (engine floor, API floor, ratio) | up requests "
            "| no-op preview s, requests | no-op refresh s, requests | 10% change s, requests | destroy s "
            "| up: first, last request s | up CPU s (engine floor) | peak MB (up) | state B/resource (x own) | load1 |")
    lines = [head, "|" + "---|" * 16]
    for key in sorted(k for k in summary if k[0] in ("portal", "plugin")):
        kind, shape, n, latency, providers, skip, stacks, limits, pacing = key
        s = summary[key]["steps"]
        if "up" not in s:
            continue
        engine = _floor(summary, "floor", key)
        # The API floor is issued at the dynamic provider's concurrency: no floor for the plugin.
        api = _floor(summary, "api_floor", key) if kind == "portal" else None
        up = s["up"]["seconds"]
        floors = ""
        if kind == "plugin" and engine and "up" in engine["steps"]:
            floors = f" (engine floor {engine['steps']['up']['seconds']})"
        if engine and api and "up" in engine["steps"] and "up" in api["steps"]:
            e, a = engine["steps"]["up"]["seconds"], api["steps"]["up"]["seconds"]
            floors = f" ({e}, {a}, {up / (e + a):.2f}x)"
        if latency:
            # Against the emulated limits alone: the busiest endpoint at 25/s (files 20/s), or every
            # request at the account's limit, whichever is longer (stripe_fake.rate_floor).
            rate_floor = s["up"]["rate_floor_s"]
            if rate_floor == "-":
                rate_floor = s["up"]["requests_total"] / 25
            if rate_floor:
                floors += f"; {up / rate_floor:.2f}x of the rate floor {rate_floor:g} s"
            floors += f"; {s['up']['statuses'].get('429', 0)} 429s"
        ok = "" if all(v["ok"] for v in s.values()) else " **failed**"
        cpu = f"{s['up'].get('cpu_seconds')}"
        if engine and "up" in engine["steps"]:
            cpu += f" ({engine['steps']['up'].get('cpu_seconds')})"
        state = summary[key]["state"]

        def cell(step: str, s: dict[str, Any] = s) -> str:
            if step not in s:
                return "-"
            return f"{s[step]['seconds']}, {int(s[step]['requests_total'])}"

        pace = ", paced at them" if pacing == "at" else ""
        launches = s["up"].get("plugin_launches", "-")
        launches = f"{launches:g}" if isinstance(launches, float | int) else "?"
        face = (f"plugin ({launches} process{'' if launches == '1' else 'es'})"
                if kind == "plugin" else str(providers or "default"))
        lines.append(
            f"| {shape} | {n} | {f'{latency} ms + {limits} limits{pace}' if latency else 'fake'} | {face}"
            f"{f' x {stacks} stacks' if stacks > 1 else ''} | {'skipped' if skip else 'on'} "
            f"| {up}{floors}{ok} | {_fmt_requests(s['up'])} "
            f"| {cell('preview')} | {cell('refresh')} | {cell('up_change')} "
            f"| {s.get('destroy', {}).get('seconds', '-')} "
            f"| {s['up'].get('first_request_s', '-')}, {s['up'].get('last_request_s', '-')} "
            f"| {cpu} | {s['up']['peak_rss_mb']} "
            f"| {state.get('file_bytes_per_resource', '-')} ({state.get('ratio_file_to_own', '-')}x) "
            f"| {s['up']['load1'][0]} |")
    return "\n".join(lines) + "\n"


def chart(summary: dict[Key, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(k[1], k[3], k[7], k[8]) for k in summary})
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, (shape, latency, limits, pacing) in zip(axes[0], panels, strict=True):
        variants = sorted({(k[4], k[5], k[6]) for k in summary
                           if k[1] == shape and k[3] == latency and k[7:] == (limits, pacing)
                           and k[0] in ("portal", "plugin")})
        for providers, skip, stacks in variants:
            tag = (f"providers={providers or 'default'}{f' x {stacks} stacks' if stacks > 1 else ''}"
                   f"{', no checkpoints' if skip else ''}")
            for kind, style in (("portal", "o-"), ("plugin", "D-"), ("floor", "s--"), ("api_floor", "^:")):
                points = sorted((k[2], v["steps"]["up"]["seconds"]) for k, v in summary.items()
                                if k[0] == kind and k[1] == shape and k[3] == latency and k[7:] == (limits, pacing)
                                and k[4] == providers
                                and k[6] == stacks and (kind == "api_floor" or k[5] == skip) and "up" in v["steps"])
                if points:
                    name = {"portal": "portal-infra", "plugin": "plugin", "floor": "engine floor",
                            "api_floor": "API floor"}[kind]
                    ax.plot([p[0] for p in points], [p[1] for p in points], style, label=f"{name} ({tag})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("portal configurations (N)" if shape == "configurations"
                      else f"branded connected accounts (N){' on Accounts v2' if shape == 'branded-v2' else ''}")
        ax.set_ylabel("`pulumi up` from empty, seconds")
        where = ("fake's own latency" if not latency
                 else f"{latency} ms per request, {limits} limits{', paced at them' if pacing == 'at' else ''}")
        ax.set_title(f"{shape}: {where}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
