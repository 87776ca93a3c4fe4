"""`make bench BENCH_ARGS="--pull N"` at N=130: both runs recorded, each making exactly the requests pull
promises (2 account pages, one configuration list per account and one for the platform, one
`GET /v1/account`). Times are recorded, never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import main

pytestmark = pytest.mark.e2e


def test_the_pull_bench_counts_pages_and_one_configuration_list_per_account(tmp_path: Path) -> None:
    assert main(["--pull", "130", "--out", str(tmp_path)]) == 0
    [result] = tmp_path.glob("pull-*.json")
    record = json.loads(result.read_text())
    assert record["expected_requests"] == {"GET /v1/account": 1, "GET /v1/accounts": 2,
                                           "GET /v1/billing_portal/configurations": 131}
    for run in record["runs"].values():
        assert run["as_promised"] and run["requests"] == record["expected_requests"] and run["accounts_written"] == 130
