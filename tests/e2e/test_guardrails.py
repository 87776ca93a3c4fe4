"""The guardrail matrix through `pulumi preview`: every key kind against every stack mode gives the
documented outcome (README, Guardrails), and a refused case sends nothing (the fake's log stays empty)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portal_infra.testing.pulumi_cli import PulumiCLI
from tests.e2e.conftest import FakeDeployment
from tests.unit.test_keys import KEYS, STACKS, expected_outcome

pytestmark = pytest.mark.e2e
MODE = "portal-infra:mode"

PORTAL: dict[str, Any] = {
    "features": {"invoice_history": {"enabled": True},
                 "subscription_update": {"enabled": True, "default_allowed_updates": ["price"],
                                         "products": [{"prices": [{"lookup_key": "starter_monthly"}]}]}},
}
# What `pulumi preview` says for each refusal (the key guard's own words).
MESSAGES = {
    "publishable": "publishable key",
    "malformed": "the Stripe key is malformed",
    "test-mode key": "test-mode key",
    "live-mode key": "live-mode key",
    "allowLive": "portal-infra:allowLive: true",
}


def _seed(d: FakeDeployment) -> None:
    d.fake.control.seed(products=[{"id": "prod_Starter", "name": "Starter"}],
                        prices=[{"id": "price_StarterMonthly", "product": "prod_Starter",
                                 "lookup_key": "starter_monthly", "unit_amount": 900,
                                 "recurring": {"interval": "month"}}])


def _preview(cli: PulumiCLI, key: str) -> tuple[int, str]:
    run = cli.run("preview", "--diff", env={"STRIPE_API_KEY": key})
    return run.returncode, run.output


def test_guardrail_matrix_through_pulumi_preview(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _seed(d)
    d.cli.select_stack(d.stack)
    seen: dict[tuple[str, str], str] = {}
    for stack, settings in STACKS.items():
        extra = {k.partition(":")[2]: v for k, v in settings.items() if k != MODE}
        d.write_config(PORTAL, **extra)
        path = d.project_dir / f"Pulumi.{d.stack}.yaml"
        path.write_text(path.read_text().replace("portal-infra:mode: test", f"portal-infra:mode: {settings[MODE]}"))
        for kind, key in KEYS.items():
            outcome = expected_outcome(kind, stack)
            before = len(d.fake.control.requests())
            code, output = _preview(d.cli, key)
            sent = d.fake.control.requests()[before:]
            seen[(kind, stack)] = outcome
            if outcome == "ok" and stack == "live_allowed":
                # Past every mode guard; a live key then goes only to api.stripe.com, never to the fake.
                assert code != 0
                assert "refusing to send a live-mode key" in output, output
                assert sent == []
            elif outcome == "ok":
                assert code == 0, output
                assert [r["route"] for r in sent] == ["GET /v1/prices"]  # the lookup key, in this account
                assert "price_StarterMonthly" in output
            else:
                assert code != 0, f"{kind} on {stack} was not refused:\n{output}"
                assert MESSAGES[outcome] in output, f"{kind} on {stack}: expected {outcome!r}\n{output}"
                assert sent == [], f"{kind} on {stack} reached Stripe: {sent}"
            if len(key) > len("sk_test_"):
                assert key not in output
    assert len(seen) == len(KEYS) * len(STACKS)


def test_a_live_key_on_an_allowed_live_stack_only_goes_to_stripe(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.write_config(PORTAL, allowLive=True)
    path = d.project_dir / f"Pulumi.{d.stack}.yaml"
    path.write_text(path.read_text().replace("portal-infra:mode: test", "portal-infra:mode: live"))
    d.cli.select_stack(d.stack)
    for key in (KEYS["sk_live"], KEYS["rk_live"]):
        code, output = _preview(d.cli, key)
        assert code != 0
        assert "refusing to send a live-mode key" in output  # past the mode guards; the fake is not Stripe
    assert d.fake.control.requests() == []


def test_a_restricted_key_works_and_a_missing_permission_is_named(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _seed(d)
    d.write_config(PORTAL)
    d.cli.select_stack(d.stack)
    key = "rk_test_RestrictedPortal42"
    d.fake.control.restrict_key(key, {"billing_portal": "write"})
    code, output = _preview(d.cli, key)
    assert code != 0
    assert "'Prices: Read' permission" in output
    assert "rak_prices_read" in output  # Stripe's own words come through too
    assert key not in output

    d.fake.control.restrict_key(key, {"billing_portal": "write", "prices": "read"})
    assert d.cli.run("up", "--yes", "--skip-preview", env={"STRIPE_API_KEY": key}).check().returncode == 0
    assert d.fake.control.count("POST /v1/billing_portal/configurations") == 1


def test_state_from_the_other_mode_fails_instead_of_making_a_new_object(fake_deployment: FakeDeployment) -> None:
    """A stack whose state was written in live mode, run with a test key: preview, up and refresh all
    fail (nothing sent), where a replace would have made a second configuration in test mode."""
    d = fake_deployment
    d.write_config({"features": {"invoice_history": {"enabled": True}}})
    d.cli.select_stack(d.stack)
    d.cli.up()
    state = json.loads(d.cli.export())
    (portal,) = [r for r in state["deployment"]["resources"] if r["type"].endswith("PortalConfiguration")]
    portal["outputs"].update(mode="live", livemode=True)  # as if `up` had run with prod's live key
    (d.project_dir / "state.json").write_text(json.dumps(state))
    d.cli.run("stack", "import", "--file", "state.json", check=True)
    before = len(d.fake.control.requests())

    for args in (("preview",), ("up", "--yes", "--skip-preview"), ("refresh", "--yes", "--skip-preview")):
        run = d.cli.run(*args)
        assert run.returncode != 0, run.output
        assert f"portal configuration {portal['id']} was made in live mode" in run.output
    assert d.fake.control.requests()[before:] == []
    assert len(d.owned()) == 1
    assert any(r["type"].endswith("PortalConfiguration") for r in json.loads(d.cli.export())["deployment"]["resources"])
