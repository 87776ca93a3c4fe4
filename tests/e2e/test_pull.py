"""`portal-infra pull` (issue 17) through the real pulumi CLI against the fake, seeded as a real
platform would be: the pulled stack adopts everything, `up` changes nothing a customer sees and
uploads nothing, and the stack is clean afterwards."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import REPO, FakeDeployment
from tests.pull.seeding import (
    SHARED_ACCENT,
    account_id,
    customer_facing,
    seed_accounts,
    seed_platform,
)

pytestmark = pytest.mark.e2e

UNPACED = {"test": 10_000, "endpoint": 10_000, "files": 10_000}


def run_pull(d: FakeDeployment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "pull", "--stack", d.stack,
                           "--project-dir", str(d.project_dir), *args],
                          env=d.cli.env, capture_output=True, text=True, timeout=300, check=False)


def stack_file(d: FakeDeployment) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((d.project_dir / f"Pulumi.{d.stack}.yaml").read_text())["config"]
    return config


def _steps(preview_json: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = json.loads(preview_json).get("steps") or []
    return steps


def test_pull_round_trip_adopts_everything_and_changes_nothing_customers_see(
        fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    ids = seed_platform(d.fake, d.stripe)
    images = seed_accounts(d.fake, d.stripe, 30)
    d.write_stack({"rateLimits": UNPACED})
    before = customer_facing(d.fake)

    pulled = run_pull(d)
    assert pulled.returncode == 0, pulled.stderr
    text = (d.project_dir / f"Pulumi.{d.stack}.yaml").read_text()
    config = stack_file(d)
    assert "sk_test_" not in text + pulled.stdout + pulled.stderr

    # The platform: its default adopted, the other active ones by ID, the retired one skipped and said.
    assert config["portal-infra:portal"]["portal_infra"] == {"adopt": "default"}
    assert config["portal-infra:portal"]["business_profile"]["headline"] == "Manage your Acme plan"
    portals = config["portal-infra:portals"]
    assert {p["portal_infra"]["adopt"] for p in portals.values()} == {ids["enterprise"], ids["plain"]}
    assert "enterprise-customers" in portals
    assert config["portal-infra:platform"] == {"business_name": "Acme Platform", "primary_color": "#0a7d5e",
                                               "secondary_color": "#ffffff"}
    assert config["portal-infra:rateLimits"] == UNPACED  # what pull does not own stays
    for said in (text, pulled.stderr):
        assert ids["retired"] in said and "inactive configuration skipped" in said
        assert "mcc" in said and "custom domains" in said
        assert f"{account_id(4)} " in said  # its second active configuration
    # The fleet: shared values in defaults, each account only what differs.
    fleet = config["portal-infra:fleet"]
    accounts = {a["account"]: a for a in fleet["accounts"]}
    assert len(accounts) == 30
    assert fleet["defaults"]["portal"]["portal_infra"] == {"adopt": "default"}
    assert "portal" not in accounts[account_id(1)]  # its default configuration is every account's
    assert accounts[account_id(2)]["portal"] == {"business_profile": {"headline": "Shop 2 plans"}}
    assert "branding" not in accounts[account_id(0)]  # no branding: nothing to adopt
    assert accounts[account_id(1)]["branding"]["icon"] == images["shared_icon"]
    assert accounts[account_id(1)]["branding"]["secondary_color"] == SHARED_ACCENT
    assert accounts[account_id(7)]["branding"]["icon"] == images["own_icon"]  # its own upload, by ID
    assert accounts[account_id(1)]["name"] == "shop-1"

    d.cli.select_stack(d.stack)
    preview = d.cli.preview("--json")
    assert preview.returncode == 0, preview.output
    steps = _steps(preview.stdout)
    assert steps and {s["op"] for s in steps} == {"create"}, {s["op"] for s in steps}
    types = [s["newState"]["type"] for s in steps]
    configurations = [s["newState"]["inputs"] for s in steps if s["newState"]["type"].endswith(":PortalConfiguration")]
    assert len(configurations) == 3 + 30 and all(c.get("adopt") for c in configurations)
    assert sum(t.endswith(":AccountBranding") for t in types) == 25
    first_up = len(d.fake.control.requests())

    d.cli.up()
    during = d.fake.control.requests()[first_up:]
    writes = [r for r in during if r["method"] == "POST"]
    assert not [r for r in writes if r["route"] == "POST /v1/files"]  # uploads nothing
    assert not [r for r in writes if r["route"].startswith("POST /v1/billing_portal")]
    # AccountBranding's create records itself, and sends no branding or profile change.
    assert {tuple(r["params"]) for r in writes} == {("metadata",)}
    assert len(writes) == 25
    assert customer_facing(d.fake) == before

    assert d.cli.preview("--expect-no-changes").returncode == 0
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0


def test_pull_reads_accounts_a_page_at_a_time_and_one_configuration_list_each(
        fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    n = 230
    seed_accounts(d.fake, d.stripe, n, images=False)
    d.write_stack({"rateLimits": UNPACED})
    start = len(d.fake.control.requests())
    pulled = run_pull(d)
    assert pulled.returncode == 0, pulled.stderr
    requests = d.fake.control.requests()[start:]
    routes: dict[str, int] = {}
    for r in requests:
        routes[r["route"]] = routes.get(r["route"], 0) + 1
    pages = math.ceil(n / 100)
    assert routes == {"GET /v1/account": 1, "GET /v1/accounts": pages,
                      "GET /v1/billing_portal/configurations": n + 1}, routes
    lists = [r["account"] for r in requests if r["route"] == "GET /v1/billing_portal/configurations"]
    assert sorted(a for a in lists if a) == sorted(account_id(i) for i in range(n))
    assert len(stack_file(d)["portal-infra:fleet"]["accounts"]) == n

    # A selection still reads the account list page by page, and lists only the chosen ones' configurations.
    start = len(d.fake.control.requests())
    chosen = f"{account_id(3)},{account_id(150)}"
    assert run_pull(d, "--accounts", chosen, "--out", str(d.project_dir / "two.yaml")).returncode == 0
    routes = {}
    for r in d.fake.control.requests()[start:]:
        routes[r["route"]] = routes.get(r["route"], 0) + 1
    assert routes == {"GET /v1/account": 1, "GET /v1/accounts": pages, "GET /v1/billing_portal/configurations": 3}
    two = yaml.safe_load(Path(d.project_dir / "two.yaml").read_text())["config"]["portal-infra:fleet"]
    assert [a["account"] for a in two["accounts"]] == [account_id(3), account_id(150)]


def test_pull_with_assets_saves_images_by_hash_and_adopting_them_uploads_nothing(
        fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    images = seed_accounts(d.fake, d.stripe, 8)
    d.write_stack({"rateLimits": UNPACED})
    before = customer_facing(d.fake)
    pulled = run_pull(d, "--assets", str(d.project_dir / "assets"))
    assert pulled.returncode == 0, pulled.stderr
    accounts = {a["account"]: a for a in stack_file(d)["portal-infra:fleet"]["accounts"]}
    shared, own = accounts[account_id(1)]["branding"]["icon"], accounts[account_id(7)]["branding"]
    assert shared.startswith("assets/") and accounts[account_id(2)]["branding"]["icon"] == shared
    assert own["icon"].startswith("assets/") and own["logo"].startswith("assets/") and own["icon"] != shared
    saved = sorted(p.name for p in (d.project_dir / "assets").iterdir())
    assert len(saved) == 3 and all(len(name) == len("0" * 32 + ".png") for name in saved)
    assert images["own_icon"] not in (d.project_dir / f"Pulumi.{d.stack}.yaml").read_text()

    d.cli.select_stack(d.stack)
    start = len(d.fake.control.requests())
    d.cli.up()
    writes = [r for r in d.fake.control.requests()[start:] if r["method"] == "POST"]
    assert {r["route"] for r in writes} == {"POST /v1/accounts/{id}"}  # no upload, no configuration write
    assert {tuple(r["params"]) for r in writes} == {("metadata",)}
    assert customer_facing(d.fake) == before
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # A later change to the account keeps showing the image it uploaded itself, with no upload.
    config = stack_file(d)
    for entry in config["portal-infra:fleet"]["accounts"]:
        if entry["account"] == account_id(7):
            entry["branding"]["primary_color"] = "#123456"
    d.write_stack({k.partition(":")[2]: v for k, v in config.items() if k != "portal-infra:mode"})
    start = len(d.fake.control.requests())
    d.cli.up()
    writes = [r for r in d.fake.control.requests()[start:] if r["method"] == "POST"]
    assert [r["params"] for r in writes] == [{"settings": {"branding": {"primary_color": "#123456"}}}]
    branding = d.stripe.v1.accounts.retrieve(account_id(7)).settings.branding
    assert (branding.icon, branding.logo) == (images["own_icon"], images["own_logo"])


def test_pull_writes_the_fleet_to_a_file_whose_up_changes_nothing_customers_see(
        fake_deployment: FakeDeployment) -> None:
    """Issue 25: `pull --accounts-file` writes one account a line, the stack file names the file, and
    adopting it changes nothing a customer sees; the accounts are read 100 a page (101: two pages)."""
    d = fake_deployment
    seed_platform(d.fake, d.stripe)
    seed_accounts(d.fake, d.stripe, 101)
    d.write_stack({"rateLimits": UNPACED})
    before = customer_facing(d.fake)
    start = len(d.fake.control.requests())
    pulled = run_pull(d, "--accounts-file", "accounts.jsonl")
    assert pulled.returncode == 0, pulled.stderr
    assert [r["route"] for r in d.fake.control.requests()[start:]].count("GET /v1/accounts") == 2
    fleet = stack_file(d)["portal-infra:fleet"]
    assert fleet["accounts_file"] == "accounts.jsonl" and "accounts" not in fleet
    rows = [json.loads(line) for line in (d.project_dir / "accounts.jsonl").read_text().splitlines()]
    assert len(rows) == 101 and rows[1]["account"] == account_id(1) and rows[1]["name"] == "shop-1"

    d.cli.select_stack(d.stack)
    d.cli.up()
    assert customer_facing(d.fake) == before
    assert d.cli.preview("--expect-no-changes").returncode == 0
