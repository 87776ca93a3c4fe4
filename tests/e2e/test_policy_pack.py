"""The policy pack (policy/) through the real pulumi CLI and the project's language host.

`pulumi preview --policy-pack policy/` refuses a stack that breaks a rule, with that rule's message
and before any write; the dev stack passes every rule; a stack's policy config file turns a rule
off, makes it advisory, or widens a live-only rule to test mode.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.resources import AccountBranding, PortalConfiguration
from portal_infra.testing import Run
from tests.e2e.conftest import KEY, FakeDeployment

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policy"
# A live-mode key for the live rules. It can never be sent anywhere: see _go_live.
LIVE_KEY = "sk_live_" "PolicyPackCanary4242"  # split: no live-key look-alike in the source
CANCEL_OK: dict[str, Any] = {
    "enabled": True, "mode": "at_period_end",
    "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
}
PORTAL_OK: dict[str, Any] = {
    "business_profile": {"headline": "Manage your plan"},
    "features": {"invoice_history": {"enabled": True}, "subscription_cancel": CANCEL_OK},
}
TENANT = "acct_1PolicyTenant000000000"
# `- [mandatory]  headline-present  (pulumi-python:dynamic/...: portal)` in the preview's Policies section.
_VIOLATION = re.compile(r"- \[(mandatory|advisory)\]\s+(\S+)\s+\(")


def _portal(**features: Any) -> dict[str, Any]:
    portal = copy.deepcopy(PORTAL_OK)
    portal["features"].update(features)
    return portal


def _preview(d: FakeDeployment, *extra: str, env: dict[str, str] | None = None) -> Run:
    return d.cli.run("preview", "--policy-pack", str(PACK), *extra, env=env)


def _violations(run: Run) -> set[tuple[str, str]]:
    return set(_VIOLATION.findall(run.output))


def _errors(run: Run) -> set[str]:
    return {line[line.index("error:"):] for line in run.output.splitlines() if "error:" in line}


def _writes(d: FakeDeployment) -> list[str]:
    return [f"{r.method} {r.path}" for r in d.recorder.requests if r.method != "GET"]


def _go_live(d: FakeDeployment) -> dict[str, str]:
    """The environment for a live-mode preview. portal-infra sends a live key only to api.stripe.com, so
    a live stack cannot reach the fake; these stacks declare no lookup key and no coupon, so preview asks
    Stripe nothing. HTTPS goes to a proxy on a closed local port and retries are off, so a request made by
    mistake fails the preview at once instead of leaving the machine; loopback (the engine's gRPC) is exempt."""
    dead, loopback = "http://127.0.0.1:9", "127.0.0.1,localhost"
    return {"STRIPE_API_KEY": LIVE_KEY, "STRIPE_API_BASE": "https://api.stripe.com",
            "HTTPS_PROXY": dead, "https_proxy": dead, "NO_PROXY": loopback, "no_proxy": loopback}


def _stack(d: FakeDeployment, config: dict[str, Any], *, live: bool = False) -> dict[str, str]:
    extra: dict[str, Any] = {"retries": {"maxAttempts": 1}}
    if live:
        extra |= {"mode": "live", "allowLive": True}
    d.write_stack({**config, **extra})
    d.cli.select_stack(d.stack)
    return _go_live(d) if live else {}


def _fleet_without_icon_or_support_email(d: FakeDeployment) -> dict[str, Any]:
    d.fake.control.seed(accounts=[{"id": TENANT}])
    return {"defaults": {"portal": PORTAL_OK},
            "accounts": [{"name": "tenant", "account": TENANT,
                          "branding": {"primary_color": "#0a4d7d", "business_name": "Tenant Co",
                                       "support_url": "https://tenant.example/help"}}]}


CASES = {
    "headline-present": (
        False, lambda d: {"portal": {**PORTAL_OK, "business_profile": {"privacy_policy_url": "https://a.example/p"}}},
        'PortalConfiguration "portal" has no headline, so the portal shows customers no line about the business: '
        "set business_profile.headline"),
    "branded-account-has-icon-and-support-email": (
        False, lambda d: {"portal": PORTAL_OK, "fleet": _fleet_without_icon_or_support_email(d)},
        f'AccountBranding "tenant-branding" (account {TENANT}) has no icon and no support_email: set '
        "branding.icon, branding.support_email for this account"),
    "live-collects-cancellation-reasons": (
        True, lambda d: {"portal": _portal(subscription_cancel={"enabled": True, "mode": "at_period_end"})},
        'PortalConfiguration "portal" lets customers cancel in live mode without asking why: set '
        "features.subscription_cancel.cancellation_reason.enabled: true"),
    "no-immediate-cancel-without-proration": (
        True, lambda d: {"portal": _portal(subscription_cancel={**CANCEL_OK, "mode": "immediately"})},
        'PortalConfiguration "portal" cancels subscriptions immediately with no proration in live mode '
        "(proration_behavior: none)"),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_a_stack_that_breaks_a_rule_is_refused_with_its_message(fake_deployment: FakeDeployment, rule: str) -> None:
    d = fake_deployment
    live, config, message = CASES[rule]
    env = _stack(d, config(d), live=live)
    run = _preview(d, env=env)
    assert run.returncode != 0, run.output
    assert _violations(run) == {("mandatory", rule)}, run.output
    assert message in run.output
    # The policy alone refused it: no check failed, and no request went unanswered (_go_live).
    assert _errors(run) == {"error: preview failed"}, run.output
    assert _writes(d) == []
    if live:  # nothing at all reached the fake
        assert d.recorder.requests == []
    assert KEY not in run.output and LIVE_KEY not in run.output and "__provider" not in run.output


def _dev_project(d: FakeDeployment) -> None:
    """The repository's own project and dev stack file (base, fleet, platform, domain) in the test's
    project, with the catalog, coupon and connected accounts it names seeded in the fake."""
    data = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    data["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
    data.pop("main"), data.pop("stackConfigDir")
    (d.project_dir / "Pulumi.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    shutil.copy(REPO / "stacks" / "Pulumi.dev.yaml", d.project_dir / "Pulumi.dev.yaml")
    shutil.copytree(REPO / "stacks" / "assets", d.project_dir / "assets")
    dev = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    lookup_keys = {"starter_monthly": "prod_Starter", "starter_yearly": "prod_Starter", "pro_monthly": "prod_Pro"}
    d.fake.fake.seed({
        "products": [{"id": "prod_Starter", "name": "Starter"}, {"id": "prod_Pro", "name": "Pro"}],
        "prices": [{"id": f"price_{key}", "product": product, "lookup_key": key, "unit_amount": 1000,
                    "recurring": {"interval": "month"}} for key, product in lookup_keys.items()],
        "coupons": [{"id": "stay-25-off", "percent_off": 25}],
    })
    d.fake.control.seed(accounts=[{"id": a["account"]} for a in dev["portal-infra:fleet"]["accounts"]])
    d.cli.select_stack("dev")


def test_the_dev_stack_passes_every_rule(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _dev_project(d)
    run = _preview(d)
    assert run.returncode == 0, run.output
    assert "✅ portal-infra@v0.1.0" in run.output
    assert _violations(run) == set()
    assert _writes(d) == []


def test_a_stack_policy_config_turns_a_rule_off_or_to_advisory(fake_deployment: FakeDeployment,
                                                                tmp_path: Path) -> None:
    d = fake_deployment
    _stack(d, CASES["headline-present"][1](d))
    off = tmp_path / "headline-off.json"
    off.write_text(json.dumps({"headline-present": "disabled"}))
    passed = _preview(d, "--policy-pack-config", str(off))
    assert passed.returncode == 0, passed.output
    assert _violations(passed) == set() and "has no headline" not in passed.output
    # The dev stack's own file: every rule advisory, so the violation is shown and the preview goes on.
    warned = _preview(d, "--policy-pack-config", str(PACK / "config" / "dev.json"))
    assert warned.returncode == 0, warned.output
    assert _violations(warned) == {("advisory", "headline-present")}
    assert _writes(d) == []


def test_staging_policy_config_applies_the_live_rules_in_test_mode(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _stack(d, {"portal": _portal(subscription_cancel={**CANCEL_OK, "mode": "immediately"})})
    by_default = _preview(d)
    assert by_default.returncode == 0, by_default.output  # a live-only rule, and this stack is in test mode
    staged = _preview(d, "--policy-pack-config", str(PACK / "config" / "staging.json"))
    assert staged.returncode != 0, staged.output
    assert _violations(staged) == {("mandatory", "no-immediate-cancel-without-proration")}
    assert "cancels subscriptions immediately with no proration in test mode" in staged.output
    assert _writes(d) == []


def test_the_pack_selects_the_type_tokens_the_resources_register() -> None:
    # The pack runs in its own venv and cannot import portal_infra; its tokens are written out by hand.
    spec = importlib.util.spec_from_file_location("policy_kinds", PACK / "portal_policies" / "kinds.py")
    assert spec is not None and spec.loader is not None
    kinds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kinds)
    registered = {cls.__name__: f"pulumi-python:{cls._resource_type_name}"
                  for cls in (PortalConfiguration, AccountBranding)}
    assert registered == {"PortalConfiguration": kinds.PORTAL_CONFIGURATION, "AccountBranding": kinds.ACCOUNT_BRANDING}
