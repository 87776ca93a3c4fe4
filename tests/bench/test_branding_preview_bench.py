"""`make bench BENCH_ARGS="--branding-preview N"` at N=3: both runs recorded, the warm one rendering nothing.
Times are recorded, never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import main
from tests.browser import require_chromium

pytestmark = pytest.mark.e2e


def test_the_branding_preview_bench_records_a_cold_and_a_warm_run(tmp_path: Path) -> None:
    require_chromium()
    assert main(["--branding-preview", "3", "--out", str(tmp_path)]) == 0
    [result] = tmp_path.glob("branding-preview-*.json")
    runs = json.loads(result.read_text())["runs"]
    assert (runs["cold"]["rendered"], runs["cold"]["pictures"]) == (3, 3)
    assert (runs["warm"]["rendered"], runs["warm"]["browsers"]) == (0, 0)
