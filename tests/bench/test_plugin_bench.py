"""`make bench --faces dynamic,plugin` at N=10, 250 ms and Stripe's 25/s emulated, paced at the limit:
the plugin's fleet (a plain Pulumi program, no portal_infra import) goes through every step from ONE
`pulumi-resource-portal-infra` process with the same Stripe requests as the dynamic resources, meets
no 429, and keeps no pickled provider in state, so each resource takes fewer state bytes than the
dynamic one. Times are recorded, never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import main
from tests.bench import CREATE, LIST, RETRIEVE, UPDATE

pytestmark = pytest.mark.e2e


def test_the_plugin_bench_serves_the_fleet_from_one_process(tmp_path: Path) -> None:
    assert main(["--faces", "dynamic,plugin", "--n", "10", "--latency", "250", "--pacing", "at", "--runs", "1",
                 "--no-floors", "--out", str(tmp_path)]) == 0

    [result] = tmp_path.glob("*.json")
    scenarios = {s["kind"]: s for s in json.loads(result.read_text())["scenarios"]}
    assert set(scenarios) == {"portal", "plugin"}
    plugin, dynamic = scenarios["plugin"], scenarios["portal"]
    assert plugin["pacing"] == "at" and plugin["latency_ms"] == 250

    steps = plugin["steps"]
    assert all(step["ok"] for step in steps.values()), {k: v.get("error_tail") for k, v in steps.items()}
    # One plugin process per step (the stack's default provider), and no request refused.
    assert {name: step["plugin_launches"] for name, step in steps.items()} == dict.fromkeys(steps, 1)
    assert all(set(step["statuses"]) <= {"200"} for step in steps.values())
    assert steps["up"]["requests"] == {LIST: 1, CREATE: 10}
    assert steps["preview"]["requests"] == {}
    assert steps["refresh"]["requests"] == {RETRIEVE: 10}
    assert steps["up_change"]["requests"] == {UPDATE: 1}
    assert steps["destroy"]["requests"] == {UPDATE: 10}
    # The same requests as the dynamic resources make for the same fleet.
    assert {k: v["requests"] for k, v in steps.items()} == {k: v["requests"] for k, v in dynamic["steps"].items()}

    # State: the same resource data, no pickled provider; fewer bytes per resource than the dynamic one.
    assert plugin["state"]["resources"] == dynamic["state"]["resources"] == 10
    assert plugin["state"]["provider_blob_bytes_per_resource"] == 0
    assert dynamic["state"]["provider_blob_bytes_per_resource"] > 0
    assert plugin["state"]["entry_bytes_per_resource"] < dynamic["state"]["entry_bytes_per_resource"]

    table = (tmp_path / "latest.md").read_text()
    assert "| plugin (1 process) |" in table and "paced at them" in table and "; 0 429s" in table
