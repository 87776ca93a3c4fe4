"""Refresh and drift read a fleet's accounts from `GET /v1/accounts` list pages (issue 25, item 2):
through the plugin and through the dynamic resources, one list page per 100 accounts and no GET per
account, with the same drift found; on Accounts v2, whose list has no `include`, one GET each."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.e2e.conftest import KEY, REPO, FakeDeployment

pytestmark = pytest.mark.e2e

ACCOUNTS = 110  # of a 150-account platform: on two list pages
V2_ACCOUNTS = 12
LIST, ONE = "GET /v1/accounts", "GET /v1/accounts/{id}"
# Plain Pulumi: the plugin's ConnectFleet as a remote component.
PROGRAM = '''
import pulumi

fleet = pulumi.ComponentResource("portal-infra:index:ConnectFleet", "fleet", {
    **pulumi.Config().require_object("fleet"), "configuration_ids": None}, remote=True)
'''


def _account(i: int) -> str:
    return f"acct_1Pages{i:03d}".ljust(24, "0")


def _fleet(size: int) -> dict[str, Any]:
    return {"accounts": [{"name": f"shop{i:03d}", "account": _account(i),
                          "branding": {"primary_color": f"#10{i % 256:02x}ab", "business_name": f"Shop {i} Ltd"}}
                         for i in range(size)]}


def _routes(d: FakeDeployment, start: int) -> list[str]:
    return [r["route"] for r in d.fake.control.requests()[start:]]


def _deploy(d: FakeDeployment, *, plugin: bool, api: str = "v1", size: int = ACCOUNTS) -> None:
    if plugin:
        (d.project_dir / "__main__.py").write_text(PROGRAM)
        d.cli.env["PATH"] = f"{REPO / '.venv' / 'bin'}:{d.cli.env['PATH']}"
    # A platform with more accounts than the stack manages, made before and after the fleet's.
    d.fake.control.seed(accounts=[{"id": f"acct_1Other{i:03d}".ljust(24, "0")} for i in range(20)])
    d.fake.control.seed(accounts=[{"id": _account(i)} for i in range(size)])
    d.fake.control.seed(accounts=[{"id": f"acct_1Later{i:03d}".ljust(24, "0")} for i in range(20)])
    d.write_stack({"fleet": _fleet(size), "accountsApi": api,
                   "rateLimits": {"test": 10_000, "endpoint": 10_000, "files": 10_000}})
    d.cli.select_stack(d.stack)
    d.cli.up()


@pytest.mark.parametrize("plugin", [True, False], ids=["plugin", "dynamic"])
def test_refresh_reads_accounts_a_page_at_a_time(fake_deployment: FakeDeployment, plugin: bool) -> None:
    d = fake_deployment
    _deploy(d, plugin=plugin)
    start = len(d.fake.control.requests())
    # One pass (`refresh` without --skip-preview runs a preview pass first, in a process of its own).
    assert d.cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes").returncode == 0
    routes = _routes(d, start)
    # 150 accounts on the platform: two pages (100 a page) hold the fleet's 110; no GET per account.
    assert routes.count(ONE) == 0, routes.count(ONE)
    assert routes.count(LIST) == 2

    # Drift found from the pages is the drift a GET would find.
    d.stripe.v1.accounts.update(_account(7), params={"settings": {"branding": {"primary_color": "#ff0000"}}})
    d.stripe.v1.accounts.update(_account(100), params={"business_profile": {"name": "Hand Edit"}})
    start = len(d.fake.control.requests())
    drift = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "drift", "--stack", d.stack, "--format",
                            "json"], cwd=d.project_dir, env=d.cli.env, capture_output=True, text=True, timeout=600,
                           check=False)
    assert KEY not in drift.stdout + drift.stderr
    body = json.loads(drift.stdout)
    drifted = {(a["account"], tuple(sorted(f["field"] for r in a["resources"] for f in r["fields"])))
               for a in body["accounts"]}
    assert drifted == {(_account(7), ("primary_color",)), (_account(100), ("business_name",))}, body
    assert _routes(d, start).count(ONE) == 0 and _routes(d, start).count(LIST) == 2


def test_on_accounts_v2_each_read_is_its_own_get_with_include(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _deploy(d, plugin=True, api="v2", size=V2_ACCOUNTS)
    start = len(d.fake.control.requests())
    assert d.cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes").returncode == 0
    routes = _routes(d, start)
    assert routes.count("GET /v2/core/accounts/{id}") == V2_ACCOUNTS  # the v2 list carries no configuration
    assert LIST not in routes and ONE not in routes
