"""The whole PortalConfiguration lifecycle through the real pulumi CLI against stripe-mock."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import KEY, Deployment
from tests.examples import full

pytestmark = pytest.mark.e2e
CONFIGS = "/v1/billing_portal/configurations"


def _start(d: Deployment, *, key_in_config: bool = True) -> None:
    d.write_config(full())
    d.cli.select_stack(d.stack)
    if key_in_config:
        d.cli.set_config([("portal-infra:stripeApiKey", KEY)], secret=True)


def test_up_preview_update_destroy(deployment: Deployment) -> None:
    d = deployment
    _start(d)
    d.cli.up()
    config_id = d.cli.outputs()["configuration_id"]
    assert config_id.startswith("bpc_")
    (create,) = d.recorder.matching("POST", CONFIGS)
    assert create.path == CONFIGS
    assert create.params["name"] == "Acme portal"
    assert create.params["metadata[portal_infra_owner]"] == "portal-infra/dev/portal"
    assert create.headers["idempotency-key"].startswith("portal-infra-create-")

    assert d.cli.preview("--expect-no-changes").returncode == 0

    changed = full()
    changed["business_profile"]["headline"] = "A brand new headline"
    changed["default_return_url"] = "https://acme.example/billing"
    changed["features"]["invoice_history"]["enabled"] = False
    d.write_config(changed)
    d.recorder.clear()
    d.cli.up()
    (update,) = d.recorder.matching("POST", CONFIGS)
    assert update.path == f"{CONFIGS}/{config_id}"
    assert update.params == {
        "business_profile[headline]": "A brand new headline",
        "default_return_url": "https://acme.example/billing",
        "features[invoice_history][enabled]": "false",
    }
    assert d.cli.preview("--expect-no-changes").returncode == 0

    removed = changed
    del removed["business_profile"]["headline"]
    del removed["metadata"]["tier"]
    d.write_config(removed)
    d.recorder.clear()
    d.cli.up()
    (clear,) = d.recorder.matching("POST", CONFIGS)
    assert clear.params == {"business_profile[headline]": "", "metadata[tier]": ""}

    d.recorder.clear()
    d.cli.destroy()
    (deactivate,) = d.recorder.matching("POST", CONFIGS)
    assert deactivate.path == f"{CONFIGS}/{config_id}"
    assert deactivate.params == {"active": "false"}


def test_key_never_reaches_state_outputs_or_logs(deployment: Deployment) -> None:
    d = deployment
    _start(d)
    d.cli.up()
    state = d.cli.export()
    outputs = d.cli.run("stack", "output", "--json", "--show-secrets", check=True).stdout
    d.cli.refresh()
    d.cli.destroy()
    for text, where in ((state, "state"), (outputs, "outputs"), (d.logs(), "pulumi logs"),
                        (d.mock.log_path.read_text(errors="replace"), "stripe-mock log")):
        assert KEY not in text, f"the Stripe key leaked into {where}"
    assert "portal_infra.resources.portal_configuration" not in outputs


def test_key_from_environment_works_too(deployment: Deployment) -> None:
    d = deployment
    _start(d, key_in_config=False)
    run = d.cli.run("up", "--yes", "--skip-preview", env={"STRIPE_API_KEY": KEY}, check=True)
    assert "created" in run.stdout
    assert KEY not in run.output


def test_invalid_config_fails_preview_naming_the_field_and_calls_nobody(deployment: Deployment) -> None:
    d = deployment
    bad = full()
    bad["business_profile"]["headline"] = "h" * 61
    bad["features"]["subscription_cancel"]["mode"] = "sometimes"
    d.write_config(bad)
    d.cli.select_stack(d.stack)
    d.cli.set_config([("portal-infra:stripeApiKey", KEY)], secret=True)
    mock_requests_before = len(d.mock.request_lines())

    run = d.cli.preview()

    assert run.returncode != 0
    assert "business_profile.headline" in run.output and "at most 60" in run.output
    assert "features.subscription_cancel.mode" in run.output and "at_period_end" in run.output
    assert d.recorder.requests == []
    assert len(d.mock.request_lines()) == mock_requests_before


def test_live_key_on_a_test_stack_is_refused_before_any_request(deployment: Deployment) -> None:
    d = deployment
    live_key = "sk_live_e2eNotReal"
    d.write_config(full())
    d.cli.select_stack(d.stack)
    run = d.cli.run("preview", env={"STRIPE_API_KEY": live_key})
    assert run.returncode != 0
    assert "live-mode key" in run.output
    assert live_key not in run.output
    assert d.recorder.requests == []
