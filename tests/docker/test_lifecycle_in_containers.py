"""One lifecycle through the real pulumi CLI against the compose stack: the fake's container, which
validates each request with the stripe-mock container before keeping state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import stripe
import yaml

from portal_infra.testing.fake import FakeStripeControl
from tests.docker.conftest import ComposeStack
from tests.e2e.conftest import KEY, _cli, make_project
from tests.examples import for_fake

pytestmark = [pytest.mark.docker, pytest.mark.e2e]
CONFIGS = "POST /v1/billing_portal/configurations"


def _portal() -> dict[str, Any]:
    return for_fake()


def test_up_refresh_repair_destroy_against_the_containers(
        compose_stack: ComposeStack, fake_control: FakeStripeControl, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(
        {"config": {"portal-infra:mode": "test", "portal-infra:portal": _portal()}}))
    cli = _cli(tmp_path, project, compose_stack.fake_url, STRIPE_API_KEY=KEY)
    client = stripe.StripeClient(KEY, base_addresses={"api": compose_stack.fake_url})

    cli.select_stack("dev")
    cli.up()
    config_id = str(cli.outputs()["configuration_id"])
    live = client.v1.billing_portal.configurations.retrieve(config_id)
    assert live.business_profile.headline == "Manage your Acme subscription"
    assert live.metadata["team"] == "billing"
    assert cli.preview("--expect-no-changes").returncode == 0

    client.v1.billing_portal.configurations.update(config_id, params={"active": False})
    refresh = cli.run("refresh", "--yes", "--diff")
    assert refresh.returncode == 0, refresh.output
    assert "active" in refresh.stdout
    cli.up()
    assert client.v1.billing_portal.configurations.retrieve(config_id).active is True
    assert cli.preview("--expect-no-changes").returncode == 0

    cli.destroy()
    assert client.v1.billing_portal.configurations.retrieve(config_id).active is False
    # One create; three updates (the out-of-band edit, the repair, the deactivation). The fake
    # passed each one to the stripe-mock container first.
    assert fake_control.count(CONFIGS) == 1
    assert fake_control.count(f"{CONFIGS}/{{id}}") == 3
    mock_log = compose_stack.logs("stripe-mock")
    assert mock_log.count(f"Request: {CONFIGS}/{config_id}\n") == 3
