"""The plugin's components through the real pulumi CLI against the fake: a program with no portal_infra
import declares `portal-infra:index:ConnectFleet` and `portal-infra:index:BillingPortal` as remote
components; the engine asks the plugin to construct them, and their children are the plugin's own
resources, served by the same plugin."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import KEY, REPO, FakeDeployment
from tests.images import png

pytestmark = pytest.mark.e2e

ACCOUNTS = {"bakery": "acct_1PluginBakery000000000", "bikes": "acct_1PluginBikes0000000000"}
EARLIER = {"settings": {"branding": {"primary_color": "#111111"}}}

# Plain Pulumi: remote components by type token; their outputs are the None-valued keys.
PROGRAM = '''
import pulumi

config = pulumi.Config()
fleet = pulumi.ComponentResource("portal-infra:index:ConnectFleet", "fleet", {
    **config.require_object("fleet"), "configuration_ids": None}, remote=True)
platform = pulumi.ComponentResource("portal-infra:index:BillingPortal", "platform", {
    **config.require_object("platform"), "configuration_id": None, "domain_status": None}, remote=True)
pulumi.export("fleet", fleet.configuration_ids)
pulumi.export("platform", platform.configuration_id)
pulumi.export("domain_status", platform.domain_status)
'''


def _declaration(assets: Path, fleet_name: str = "bikes") -> dict[str, Any]:
    accounts = []
    for i, (name, account) in enumerate(ACCOUNTS.items()):
        icon = png(assets / f"{name}-icon.png", colour=(50 * i, 80, 120))
        accounts.append({"name": name if name != "bikes" else fleet_name, "account": account,
                         "branding": {"icon": str(icon), "primary_color": f"#0a7d5{i}"}})
    return {
        "fleet": {"defaults": {"portal": {"features": {"invoice_history": {"enabled": True}}},
                               "branding": {"secondary_color": "#f6f9fc"}},
                  "accounts": accounts},
        "platform": {"portal": {"name": "Platform portal", "business_profile": {"headline": "Manage your plan"},
                                "features": {"invoice_history": {"enabled": True}},
                                "portal_infra": {"on_delete": "deactivate"}},
                     "domain": {"domain": "billing.example.com", "verify": "none"}},
    }


@pytest.fixture
def plugin_project(fake_deployment: FakeDeployment) -> FakeDeployment:
    d = fake_deployment
    (d.project_dir / "__main__.py").write_text(PROGRAM)
    d.cli.env["PATH"] = f"{REPO / '.venv' / 'bin'}:{d.cli.env['PATH']}"
    d.fake.control.seed(accounts=[{"id": a, **EARLIER} for a in ACCOUNTS.values()])
    d.cli.select_stack(d.stack)
    return d


def _ok(run: Any, step: str) -> str:
    assert run.returncode == 0, f"{step}: exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    return str(run.stdout)


def test_components_lifecycle(plugin_project: FakeDeployment) -> None:
    d = plugin_project
    d.write_stack(_declaration(d.project_dir.parent / "assets"))
    _ok(d.cli.run("up", "--yes", "--skip-preview"), "up")

    state = json.loads(d.cli.export())["deployment"]["resources"]
    kinds = Counter(r["type"] for r in state if r["type"].startswith("portal-infra:index:"))
    assert kinds == {"portal-infra:index:ConnectFleet": 1, "portal-infra:index:BillingPortal": 3,
                     "portal-infra:index:PortalConfiguration": 3, "portal-infra:index:AccountBranding": 2,
                     "portal-infra:index:CustomDomain": 1}
    # The children are named after the accounts, under their BillingPortal, under the fleet.
    (bikes,) = [r for r in state if r["urn"].endswith("::bikes-branding")]
    assert "portal-infra:index:ConnectFleet$portal-infra:index:BillingPortal$portal-infra:index:AccountBranding" \
        in bikes["urn"]
    assert bikes["inputs"]["secondary_color"] == "#f6f9fc"  # the default, laid under the account's block

    outputs = d.cli.outputs()
    configs = {c["id"]: c for c in d.configurations()}
    assert set(outputs["fleet"]) == set(ACCOUNTS)
    for name, config_id in outputs["fleet"].items():
        made = d.stripe.v1.billing_portal.configurations.retrieve(
            config_id, options={"stripe_account": ACCOUNTS[name]})
        assert made.metadata["portal_infra_owner"] == f"portal-infra/dev/{name}-portal"
        assert made.features.invoice_history.enabled is True
    assert configs[outputs["platform"]]["name"] == "Platform portal"
    assert outputs["domain_status"] == "awaiting_dashboard"
    branding = d.stripe.v1.accounts.retrieve(ACCOUNTS["bikes"]).settings.branding
    assert branding.primary_color == "#0a7d51" and branding.secondary_color == "#f6f9fc"

    _ok(d.cli.run("preview", "--expect-no-changes"), "preview clean")

    exported = d.cli.export()
    assert KEY not in exported and KEY not in d.logs()

    _ok(d.cli.run("destroy", "--yes", "--skip-preview"), "destroy")
    # Destroy restores what each account had and retires the configurations, as the Python components do.
    assert d.stripe.v1.accounts.retrieve(ACCOUNTS["bikes"]).settings.branding.primary_color == "#111111"
    assert not [c for c in d.owned() if c["active"]]
    for name, config_id in outputs["fleet"].items():
        assert not d.stripe.v1.billing_portal.configurations.retrieve(
            config_id, options={"stripe_account": ACCOUNTS[name]}).active


def test_a_bad_fleet_name_fails_preview_without_a_request(plugin_project: FakeDeployment) -> None:
    d = plugin_project
    d.write_stack(_declaration(d.project_dir.parent / "assets", fleet_name="Bikes Shop"))
    d.recorder.clear()
    preview = d.cli.preview()
    assert preview.returncode != 0
    assert "accounts[1].name" in preview.output and "'Bikes Shop' is not a usable account name" in preview.output
    # The sentence alone, as the dynamic resources print it: no Python stack from the plugin's server.
    assert "Unexpected <class" not in preview.output
    assert d.recorder.requests == []
