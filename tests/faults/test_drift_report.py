"""`portal-infra drift` through the real pulumi CLI against the fake (issue 17): a fleet of 40 branded
accounts, three edited by hand, named exactly in text, Markdown and JSON; clean after `up`; a refresh
that fails is said so, with its own exit code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import stripe

from portal_infra.drift import EXIT_CLEAN, EXIT_DRIFT, EXIT_FAILED
from portal_infra.testing.pytest_plugin import FAKE_TEST_KEY
from tests.faults.conftest import KEY, KEY_TAIL, Fleet

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = 40  # as telling as 100 were; fleet sizes that measure time are `make bench`'s


def _account(i: int) -> str:
    return f"acct_1Drift{i:03d}".ljust(24, "0")


def _deploy(fleet: Fleet) -> None:
    accounts = [{"name": f"shop{i:03d}", "account": _account(i),
                 "branding": {"primary_color": f"#10{i:02x}ab", "business_name": f"Shop {i} Ltd"}}
                for i in range(ACCOUNTS)]
    fleet.control.seed(accounts=[{"id": a["account"]} for a in accounts])
    fleet.select("drift")
    fleet.configure(0, rateLimits={"test": 1000, "endpoint": 1000}, fleet={"accounts": accounts})
    fleet.cli.up()


def _drift(fleet: Fleet, fmt: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "drift", "--stack", "drift", "--format", fmt],
                          cwd=fleet.project_dir, env=fleet.cli.env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert KEY not in proc.stdout + proc.stderr and KEY_TAIL not in proc.stdout + proc.stderr
    return proc


def test_drift_on_3_of_40_accounts_is_named_in_every_format(fleet: Fleet) -> None:
    _deploy(fleet)
    clean = _drift(fleet, "text")
    assert clean.returncode == EXIT_CLEAN, clean.stdout + clean.stderr
    assert clean.stdout.startswith("No drift in stack drift: 40 resources match Stripe.")

    # Changed by hand in the Dashboard: a colour, a name, and both.
    client = stripe.StripeClient(FAKE_TEST_KEY, base_addresses={"api": fleet.fake.url})
    client.v1.accounts.update(_account(7), params={"settings": {"branding": {"primary_color": "#ff0000"}}})
    client.v1.accounts.update(_account(24), params={"business_profile": {"name": "Hand Edit"}})
    client.v1.accounts.update(_account(39), params={"settings": {"branding": {"primary_color": "#00ff00"}},
                                                    "business_profile": {"name": "Both Changed"}})
    expected = {
        ("shop007", _account(7)): {"primary_color": ("#1007ab", "#ff0000")},
        ("shop024", _account(24)): {"business_name": ("Shop 24 Ltd", "Hand Edit")},
        ("shop039", _account(39)): {"primary_color": ("#1027ab", "#00ff00"),
                                    "business_name": ("Shop 39 Ltd", "Both Changed")},
    }

    as_json = _drift(fleet, "json")
    assert as_json.returncode == EXIT_DRIFT, as_json.stderr
    body: dict[str, Any] = json.loads(as_json.stdout)
    assert body["drifted"] is True
    assert body["totals"] == {"resources_checked": 40, "resources_drifted": 3, "accounts_drifted": 3,
                              "fields_drifted": 4, "resources_gone": 0}
    found = {(a["name"], a["account"]): {f["field"]: (f["declared"], f["live"])
                                          for r in a["resources"] for f in r["fields"]}
             for a in body["accounts"]}
    assert found == expected

    text = _drift(fleet, "text")
    assert text.returncode == EXIT_DRIFT
    head, *lines = text.stdout.splitlines()
    assert head == "Drift in stack drift: 3 account(s), 3 of 40 resources, 4 field(s)."
    assert len(lines) == 3
    for line, ((name, account), fields) in zip(lines, sorted(expected.items()), strict=True):
        assert line.startswith(f"  {name} ({account}): ")
        for field, (declared, live) in fields.items():
            assert f'branding.{field}: "{declared}" declared -> "{live}" in Stripe' in line

    markdown = _drift(fleet, "markdown")
    assert markdown.returncode == EXIT_DRIFT
    rows = [r for r in markdown.stdout.splitlines() if r.startswith("| shop")]
    assert [r.split(" | ")[:2] for r in rows] == [[f"| {name}", account] for name, account in sorted(expected)]
    assert '"#1027ab" declared → "#00ff00" in Stripe' in rows[2]
    assert "<details>" not in markdown.stdout  # three accounts stay unfolded

    # `up --refresh` puts Stripe back (a plain `up` compares with the state, which still says all is well).
    fleet.cli.up("--refresh")
    assert _drift(fleet, "markdown").returncode == EXIT_CLEAN


def test_a_failed_refresh_is_not_reported_as_drift_or_as_clean(fleet: Fleet) -> None:
    _deploy(fleet)
    fleet.control.add_fault(path="/v1/accounts", status=503, should_retry=False)
    failed = _drift(fleet, "json")
    assert failed.returncode == EXIT_FAILED
    assert failed.stdout == ""
    assert "the refresh of stack drift failed, so drift is unknown" in failed.stderr
    assert "Stripe answered 503" in failed.stderr
