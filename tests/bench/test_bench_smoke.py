"""`make bench` at N=2: every scenario runs, every file is written, and each step makes exactly the
Stripe requests it should. Times are recorded, never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import main
from tests.bench import CREATE, LIST, RETRIEVE, UPDATE

pytestmark = pytest.mark.e2e


def test_the_harness_runs_at_n_2(tmp_path: Path) -> None:
    assert main(["--n", "2", "--latency", "0", "--runs", "1", "--out", str(tmp_path)]) == 0

    [result] = tmp_path.glob("*.json")
    assert (tmp_path / "latest.md").read_text().startswith("| shape | N |")
    assert (tmp_path / "latest.png").stat().st_size > 0
    scenarios = {s["kind"]: s for s in json.loads(result.read_text())["scenarios"]}
    assert set(scenarios) == {"portal", "floor", "api_floor"}

    ours = scenarios["portal"]["steps"]
    assert all(step["ok"] for step in ours.values())
    assert ours["up"]["requests"] == {LIST: 1, CREATE: 2}
    assert ours["preview"]["requests"] == {}
    assert ours["refresh"]["requests"] == {RETRIEVE: 2}
    assert ours["up_change"]["requests"] == {UPDATE: 1}
    assert ours["destroy"]["requests"] == {UPDATE: 2}
    assert all(step["peak_rss_mb"] > 0 for step in ours.values())
    assert scenarios["portal"]["state"]["resources"] == 2

    # The floors: the engine's makes no request at all, the API's the same requests as ours.
    assert all(step["requests_total"] == 0 for step in scenarios["floor"]["steps"].values())
    assert {k: v["requests"] for k, v in scenarios["api_floor"]["steps"].items()} == {
        k: v["requests"] for k, v in ours.items()}


def test_a_fleet_split_over_two_stacks_deploys_each_slice_once(tmp_path: Path) -> None:
    assert main(["--n", "4", "--latency", "0", "--runs", "1", "--stacks", "2", "--no-floors",
                 "--steps", "up,preview,destroy", "--out", str(tmp_path)]) == 0

    [result] = tmp_path.glob("*.json")
    [ours] = json.loads(result.read_text())["scenarios"]
    assert ours["stacks"] == 2
    assert all(step["ok"] for step in ours["steps"].values())
    # Each stack lists its account's configurations once and creates its own two.
    assert ours["steps"]["up"]["requests"] == {LIST: 2, CREATE: 4}
    assert ours["steps"]["preview"]["requests"] == {}
    assert ours["steps"]["destroy"]["requests"] == {UPDATE: 4}
    assert ours["state"]["resources"] == 2
    assert "x 2 stacks" in (tmp_path / "latest.md").read_text()
