"""Pulumi state in a real S3-compatible bucket (versitygw on loopback), as a team's CI keeps it (issue 17):
up, a clean preview, a change, drift refreshed and repaired, destroy; nothing written to local disk."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from portal_infra.testing.s3_server import S3Server
from tests.e2e.conftest import FakeDeployment
from tests.examples import for_fake

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = {"bikes": "acct_1S3StateBikes000000000", "books": "acct_1S3StateBooks000000000"}
STACK_OBJECT = ".pulumi/stacks/portal-infra/dev.json"


def _stack(portal: dict[str, Any]) -> dict[str, Any]:
    accounts = [{"name": name, "account": account,
                 "branding": {"primary_color": "#0a7d50", "business_name": f"{name.title()} Inc"}}
                for name, account in ACCOUNTS.items()]
    return {"portal": portal, "fleet": {"accounts": accounts}}


def _keys(s3: S3Server, prefix: str = "") -> list[str]:
    return [o.key for o in s3.list_objects("state", prefix)]


def test_lifecycle_with_state_in_an_s3_bucket(fake_deployment: FakeDeployment, s3_server: S3Server,
                                              tmp_path: Path) -> None:
    d = fake_deployment
    d.cli.env.update(s3_server.env("state"))
    d.fake.control.seed(accounts=[{"id": a} for a in ACCOUNTS.values()])
    portal = copy.deepcopy(for_fake())
    d.write_stack(_stack(portal))
    d.cli.select_stack("dev")
    d.cli.up()

    # The state is an object in the bucket; a run that ended leaves no lock object, and S3 keeps an
    # object's metadata with it, so there is no `.attrs` file to go stale as on the file backend.
    keys = _keys(s3_server)
    assert STACK_OBJECT in keys
    assert not [k for k in keys if k.endswith(".attrs")]
    assert _keys(s3_server, ".pulumi/locks/") == []
    assert list((tmp_path / "state").iterdir()) == []  # nothing went to the file backend

    assert d.cli.preview("--expect-no-changes").returncode == 0

    # A change reaches Stripe, and the next preview is clean again.
    portal["business_profile"]["headline"] = "Changed through S3 state"
    d.write_stack(_stack(portal))
    d.cli.up()
    assert [c["business_profile"]["headline"] for c in d.owned()] == ["Changed through S3 state"]
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # A hand edit: the drift report and refresh read it through the same bucket; `up --refresh` repairs it.
    d.stripe.v1.accounts.update(ACCOUNTS["books"], params={"settings": {"branding": {"primary_color": "#ff0000"}}})
    drift = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "drift", "--stack", "dev"],
                           cwd=d.project_dir, env=d.cli.env, capture_output=True, text=True, timeout=300, check=False)
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert f'books ({ACCOUNTS["books"]}): branding.primary_color: "#0a7d50" declared -> "#ff0000"' in drift.stdout
    assert "#ff0000" in d.cli.refresh("--diff").stdout
    d.cli.up("--refresh")
    assert d.stripe.v1.accounts.retrieve(ACCOUNTS["books"]).settings.branding.primary_color == "#0a7d50"
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0

    d.cli.destroy()
    d.cli.run("stack", "rm", "--yes", "dev", check=True)
    assert STACK_OBJECT not in _keys(s3_server)
    assert _keys(s3_server, ".pulumi/locks/") == []
    assert [c["active"] for c in d.owned()] == [False]  # retired by destroy
