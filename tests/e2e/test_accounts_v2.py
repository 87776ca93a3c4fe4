"""Connect platforms on Accounts v2 (issue 26), through the real pulumi CLI against the fake set to
the platform kinds Stripe has: every account write on the v2 wire, the same look as v1 would give,
drift made through v2 caught, a v1 stack moved to v2 with no diff, and the wrong API refused by name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import KEY, REPO, FakeDeployment, repo_project
from tests.images import png

pytestmark = pytest.mark.e2e

FLEET_SIZE = 30
EARLIER = {"settings": {"branding": {"primary_color": "#111111"}}, "business_profile": {"name": "Earlier name"}}
V2_WRITE = "POST /v2/core/accounts/{id}"
UNPACED = {"test": 10_000, "endpoint": 10_000, "files": 10_000}


def _account(i: int) -> str:
    return f"acct_1V2Shop{i:03d}".ljust(24, "0")


def _platform(d: FakeDeployment, accounts: str) -> None:
    """The fake as a platform whose Accounts APIs are `accounts` (v1, v1+v2 or v2)."""
    d.fake.control.platform(accounts=accounts)


def _fleet(d: FakeDeployment, size: int) -> dict[str, Any]:
    png(d.project_dir / "assets" / "shared-icon.png", colour=(10, 125, 94))
    return {
        "defaults": {"branding": {"icon": "assets/shared-icon.png", "secondary_color": "#f6f9fc"}},
        "accounts": [{"name": f"shop{i:03d}", "account": _account(i),
                      "branding": {"primary_color": f"#10{i:02x}ab", "business_name": f"Shop {i} Ltd",
                                   "support_email": f"help@shop{i}.example", "url": f"https://shop{i}.example"}}
                     for i in range(size)],
    }


def _v1(d: FakeDeployment, i: int) -> Any:
    return d.stripe.v1.accounts.retrieve(_account(i))


def _v2(d: FakeDeployment, i: int) -> Any:
    return d.stripe.v2.core.accounts.retrieve(_account(i), params={"include": ["configuration.merchant", "defaults"]})


def _seed(d: FakeDeployment, size: int) -> None:
    d.fake.control.seed(accounts=[{"id": _account(i), **EARLIER} for i in range(size)])


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _drift(d: FakeDeployment) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "drift", "--stack", d.stack, "--format",
                           "json"], cwd=d.project_dir, env=d.cli.env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert KEY not in proc.stdout + proc.stderr
    return proc


def test_a_fleet_on_a_v2_platform_writes_v2_only_and_comes_back_as_it_was(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _platform(d, "v2")
    _seed(d, FLEET_SIZE)
    d.write_stack({"accountsApi": "v2", "rateLimits": UNPACED, "portal": {
        "business_profile": {"headline": "Manage your plan"}, "features": {"invoice_history": {"enabled": True}}},
        "fleet": _fleet(d, FLEET_SIZE)})
    d.cli.select_stack(d.stack)
    start = len(d.fake.control.requests())
    d.cli.up()
    sent = d.fake.control.requests()[start:]
    writes = [r for r in sent if r["method"] == "POST"]
    assert not [r for r in sent if r["route"].startswith(("POST /v1/accounts", "GET /v1/accounts"))]
    account_writes = [r for r in writes if r["route"] == V2_WRITE]
    assert len(account_writes) == FLEET_SIZE
    assert all(r["headers"].get("content-type", "").startswith("application/json") for r in account_writes)
    assert all(r["headers"].get("idempotency-key") for r in account_writes)
    assert sum(r["route"] == "POST /v1/files" for r in writes) == 1  # one shared icon, uploaded by the platform
    assert all(r["status"] == 200 for r in sent), [r for r in sent if r["status"] != 200]

    # What v2 wrote, v1 shows too (one account, two views).
    icon = d.cli.outputs()["fleet"]["shop003"]["icon_file"]
    shop3 = _v2(d, 3)
    assert shop3.configuration.merchant.branding.primary_color == "#1003ab"
    assert shop3.configuration.merchant.branding.icon == icon
    assert shop3.configuration.merchant.support.email == "help@shop3.example"
    assert shop3.defaults.profile.doing_business_as == "Shop 3 Ltd"
    assert shop3.defaults.profile.business_url == "https://shop3.example"
    assert _v1(d, 3).business_profile.name == "Shop 3 Ltd"
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0
    assert KEY not in d.cli.export() and KEY not in d.logs()

    # A Dashboard-style edit made through v2: refresh and `portal-infra drift` both name it.
    d.stripe.v2.core.accounts.update(_account(7), params={
        "configuration": {"merchant": {"branding": {"primary_color": "#ff0000"}}}})
    drift = _drift(d)
    body = json.loads(drift.stdout)
    assert body["drifted"] is True and body["totals"]["resources_drifted"] == 1, drift.stdout + drift.stderr
    assert "#ff0000" in drift.stdout and _account(7) in drift.stdout
    refreshed = d.cli.run("refresh", "--yes", "--diff")
    assert refreshed.returncode == 0 and "#ff0000" in refreshed.stdout
    d.cli.up()
    assert _v2(d, 7).configuration.merchant.branding.primary_color == "#1007ab"

    # Destroy puts back each account's earlier look, with no value Stripe refuses.
    start = len(d.fake.control.requests())
    destroyed = d.cli.destroy()
    sent = d.fake.control.requests()[start:]
    assert all(r["status"] == 200 for r in sent), [r for r in sent if r["status"] != 200]
    for i in (0, 7, FLEET_SIZE - 1):
        v1 = _v1(d, i)
        assert v1.settings.branding.primary_color == "#111111"
        assert v1.business_profile.name == "Earlier name"
        assert not any(k.startswith("portal_infra_") for k in v1.metadata.to_dict())
    # Nothing can unset a v2 field: what had no value before is kept, and said.
    assert "support_email had no value before portal-infra set it" in destroyed.output


def test_a_v1_stack_moved_to_v2_after_enrolment_previews_no_change(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _seed(d, 3)
    fleet = _fleet(d, 3)
    d.write_stack({"fleet": fleet})
    d.cli.select_stack(d.stack)
    d.cli.up()
    state_before = json.loads(d.cli.export())["deployment"]["resources"]

    d.write_stack({"fleet": fleet, "accountsApi": "v2"})  # the platform enrolled in v2 (the fake's default)
    preview = d.cli.preview("--expect-no-changes", "--diff")
    assert preview.returncode == 0, preview.output
    # The up changes nothing in Stripe; it records the setting with the stack's default provider, which
    # is what `pulumi refresh` configures itself from (the provider as it stands in state).
    start = len(d.fake.control.requests())
    d.cli.up("--expect-no-changes")
    assert not [r for r in d.fake.control.requests()[start:] if r["method"] == "POST"]
    start = len(d.fake.control.requests())
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0
    reads = {r["route"] for r in d.fake.control.requests()[start:]}
    assert "GET /v2/core/accounts/{id}" in reads and "GET /v1/accounts/{id}" not in reads
    after = json.loads(d.cli.export())["deployment"]["resources"]

    def branding(resources: list[dict[str, Any]]) -> dict[str, Any]:
        # The pickled provider is a secret, encrypted anew at every write; the rest is what was declared.
        # A refresh writes maps without their null entries (`previous.icon: null` was never set): the same.
        return {r["id"]: _without_nulls({k: v for k, v in r["outputs"].items() if k != "__provider"})
                for r in resources if r["type"].endswith(":AccountBranding")}
    assert branding(after) == branding(state_before)


def test_a_v2_stack_on_a_platform_without_v2_fails_at_its_first_request_naming_the_setting(
        fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _platform(d, "v1")
    _seed(d, 2)
    d.write_stack({"accountsApi": "v2", "fleet": {"accounts": [
        {"name": f"shop{i}", "account": _account(i), "branding": {"primary_color": "#0a7d5e"}} for i in range(2)]}})
    d.cli.select_stack(d.stack)
    start = len(d.fake.control.requests())
    failed = d.cli.up(check=False)
    assert failed.returncode != 0
    assert "portal-infra:accountsApi v1" in failed.output and "not enrolled in Accounts v2" in failed.output
    assert "Traceback" not in failed.output and KEY not in failed.output
    sent = d.fake.control.requests()[start:]
    assert not [r for r in sent if r["method"] == "POST" and "/accounts" in r["path"]]
    assert d.stripe.v1.accounts.retrieve(_account(0)).settings.branding.primary_color == "#111111"


def test_pull_of_a_v2_platform_adopts_its_accounts_and_up_changes_nothing(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _platform(d, "v2")
    size = 12
    _seed(d, size)
    for i in range(0, size, 3):  # some accounts carry a look set through v2
        d.stripe.v2.core.accounts.update(_account(i), params={
            "configuration": {"merchant": {"branding": {"primary_color": f"#20{i:02x}cd"},
                                           "support": {"email": f"care@shop{i}.example"}}},
            "defaults": {"profile": {"doing_business_as": f"Shop {i} Ltd"}}})
    d.write_stack({"accountsApi": "v2", "rateLimits": UNPACED})
    before = [_v2(d, i).to_dict() for i in range(size)]
    pulled = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "pull", "--stack", d.stack,
                             "--project-dir", str(d.project_dir)], env=d.cli.env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert pulled.returncode == 0, pulled.stderr
    config = yaml.safe_load((d.project_dir / f"Pulumi.{d.stack}.yaml").read_text())["config"]
    assert config["portal-infra:accountsApi"] == "v2"
    accounts = {a["account"]: a for a in config["portal-infra:fleet"]["accounts"]}
    assert len(accounts) == size
    shop3 = {**config["portal-infra:fleet"].get("defaults", {}).get("branding", {}),
             **accounts[_account(3)]["branding"]}
    assert shop3["primary_color"] == "#2003cd" and shop3["support_email"] == "care@shop3.example"
    assert shop3["business_name"] == "Shop 3 Ltd"

    d.cli.select_stack(d.stack)
    start = len(d.fake.control.requests())
    d.cli.up()
    writes = [r for r in d.fake.control.requests()[start:] if r["method"] == "POST"]
    assert not [r for r in writes if r["route"].startswith("POST /v1/")]
    # Adopting records the holder only: no branding, support or profile value is sent.
    assert {tuple(sorted(r["params"])) for r in writes if r["route"] == V2_WRITE} <= {("include", "metadata")}
    after = [_v2(d, i).to_dict() for i in range(size)]
    for old, new in zip(before, after, strict=True):
        assert old["configuration"] == new["configuration"] and old["defaults"] == new["defaults"]
    assert d.cli.preview("--expect-no-changes").returncode == 0


def test_the_plugin_and_its_connect_fleet_component_on_a_v2_platform(fake_deployment: FakeDeployment) -> None:
    """The plugin's provider takes the same setting (a provider config key), and its ConnectFleet's
    AccountBranding children write through v2."""
    from tests.e2e.test_plugin_components import ACCOUNTS, EARLIER, PROGRAM, _declaration

    d = fake_deployment
    (d.project_dir / "__main__.py").write_text(PROGRAM)
    d.cli.env["PATH"] = f"{REPO / '.venv' / 'bin'}:{d.cli.env['PATH']}"
    _platform(d, "v2")
    d.fake.control.seed(accounts=[{"id": a, **EARLIER} for a in ACCOUNTS.values()])
    d.cli.select_stack(d.stack)
    d.write_stack({**_declaration(d.project_dir.parent / "assets"), "accountsApi": "v2"})
    start = len(d.fake.control.requests())
    up = d.cli.run("up", "--yes", "--skip-preview")
    assert up.returncode == 0, up.output
    sent = d.fake.control.requests()[start:]
    assert sum(r["route"] == V2_WRITE for r in sent) == len(ACCOUNTS)
    assert not [r for r in sent if r["route"].startswith(("POST /v1/accounts", "GET /v1/accounts"))]
    for i, account in enumerate(ACCOUNTS.values()):
        shown = d.stripe.v2.core.accounts.retrieve(account, params={"include": ["configuration.merchant"]})
        assert shown.configuration.merchant.branding.primary_color == f"#0a7d5{i}"
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0
    assert d.cli.destroy().returncode == 0
    for account in ACCOUNTS.values():
        assert d.stripe.v1.accounts.retrieve(account).settings.branding.primary_color == "#111111"


def test_pulumi_import_on_a_v2_platform_declares_what_v1_would(fake_deployment: FakeDeployment,
                                                               tmp_path: Path) -> None:
    """`pulumi import` through the plugin reads the account with v2's include and writes the same
    declaration as on v1; preview is then clean and nothing is written."""
    from tests.e2e.test_plugin_import import ACCOUNT, BRANDING, _generated, _seed, _yaml_project

    d = fake_deployment
    _yaml_project(d)
    ids = _seed(d)
    _platform(d, "v2")
    d.cli.select_stack(d.stack)
    d.write_stack({"accountsApi": "v2"})
    start = len(d.fake.control.requests())
    out = tmp_path / "branding.yaml"
    run = d.cli.run("import", BRANDING, "shop-one", ACCOUNT, "--yes", "--out", str(out))
    assert run.returncode == 0, run.output
    assert _generated(out)["shop-one"]["properties"] == {
        "account": ACCOUNT, "icon": ids["icon"], "primary_color": "#0a7d5e", "secondary_color": "#f6f9fc",
        "business_name": "Shop One", "support_email": "help@shop-one.example",
        "support_url": "https://shop-one.example/help", "on_delete": "restore"}
    routes = [r["route"] for r in d.fake.control.requests()[start:]]
    assert "GET /v2/core/accounts/{id}" in routes and "GET /v1/accounts/{id}" not in routes
    assert not [r for r in routes if r.startswith("POST")]


def test_the_dev_stack_on_a_v2_platform(tmp_path: Path, stripe_mock: Any) -> None:
    """The repository's dev stack (its portal, platform check, custom domain and three-account fleet), as
    `make up` deploys it, with `portal-infra:accountsApi: v2` on a platform made on Accounts v2."""
    import importlib.util

    from portal_infra.testing import PulumiCLI, offline_env
    from portal_infra.testing.fake import FakeStripe

    spec = importlib.util.spec_from_file_location("dev_script", REPO / "scripts" / "dev.py")
    assert spec and spec.loader
    dev_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev_script)

    project = repo_project(tmp_path)
    dev = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())
    dev["config"]["portal-infra:accountsApi"] = "v2"
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(dev, sort_keys=False))

    fake = FakeStripe(stripe_mock_url=stripe_mock.url)
    fake.seed(dev_script.catalog("dev"))
    fake.set_platform(accounts="v2")
    fake.start()
    try:
        env = offline_env(tmp_path / "state", tmp_path / "home", python=str(REPO / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_BASE": fake.url, "STRIPE_API_KEY": KEY})
        cli = PulumiCLI(project, env, log_path=tmp_path / "pulumi.log")
        cli.select_stack("dev")
        cli.up()
        routes = [r["route"] for r in fake.requests()]
        accounts = [a["account"] for a in dev["config"]["portal-infra:fleet"]["accounts"]]
        assert routes.count(V2_WRITE) == len(accounts)
        assert not [r for r in routes if r.startswith(("POST /v1/accounts", "GET /v1/accounts"))]
        assert all(r["status"] == 200 for r in fake.requests())
        assert cli.preview("--expect-no-changes").returncode == 0
        cli.destroy()
    finally:
        fake.stop()
