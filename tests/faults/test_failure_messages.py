"""What a person reads when Stripe is down or says no (issue 11, item 5 and the error shape)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from portal_infra.testing.fake import FakeStripe
from portal_infra.testing.stripe_mock import StripeMock
from tests.faults.conftest import Fleet

pytestmark = pytest.mark.e2e


def _configurations(fleet: Fleet) -> list[dict[str, Any]]:
    """Each configuration in the state: ID, inputs and outputs (less the provider blob, whose secret
    encryption is fresh on every write)."""
    def plain(props: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if k != "__provider"}
    return sorted(({"id": r["id"], "inputs": plain(r["inputs"]), "outputs": plain(r["outputs"])}
                   for r in fleet.state_resources() if r["type"].endswith("PortalConfiguration")),
                  key=lambda r: str(r["id"]))


def test_stripe_unreachable_is_one_clear_message_and_the_next_up_completes(
        fleet: Fleet, stripe_mock: StripeMock, tmp_path: Path) -> None:
    fleet.configure(3, retries={"maxAttempts": 3})
    fleet.select()
    fleet.cli.up()
    before = _configurations(fleet)
    saved = tmp_path / "fake.json"
    fleet.fake.save(saved)
    port = int(fleet.fake.url.rsplit(":", 1)[1])
    fleet.fake.stop()

    fleet.configure(5, retries={"maxAttempts": 3})
    run = fleet.cli.up(check=False)

    assert run.returncode != 0
    assert "Traceback" not in run.output
    diagnostics = run.stdout.split("Diagnostics:", 1)[1]
    messages = [line.strip() for line in diagnostics.splitlines() if "could not reach Stripe" in line]
    assert messages  # one per resource whose create was attempted (portal-003, portal-004)
    for message in messages:
        assert re.search(rf'^error: PortalConfiguration "portal-00[34]": could not reach Stripe at '
                         rf"http://127\.0\.0\.1:{port} \(connection refused; 3 attempts over [\d.]+ s\)", message)
        assert "Nothing was sent, so Stripe and the Pulumi state are unchanged" in message
        assert "then run `pulumi up` again" in message
    assert _configurations(fleet) == before

    # Stripe is back (same address, same objects): the next `up` completes what was asked.
    fleet.fake = FakeStripe(port=port, stripe_mock_url=stripe_mock.url)
    fleet.fake.load(saved)
    fleet.fake.start()
    fleet.cli.up()
    assert len(fleet.owned()) == 5
    assert {c["id"] for c in before} <= {c["id"] for c in _configurations(fleet)}
    assert fleet.cli.preview("--expect-no-changes").returncode == 0


def test_a_stripe_refusal_names_the_resource_field_message_and_request(fleet: Fleet) -> None:
    # Valid by every local rule, so only Stripe can say no: the product does not exist there.
    portal = {"features": {"subscription_update": {
        "enabled": True, "default_allowed_updates": ["price"],
        "products": [{"product": "prod_Missing", "prices": ["price_Missing"]}]}}}
    fleet.configure(0, extra={"upgrades": portal})
    fleet.select()

    run = fleet.cli.up(check=False)

    assert run.returncode != 0
    assert "Traceback" not in run.output
    diagnostics = run.stdout.split("Diagnostics:", 1)[1]
    (message,) = [line.strip() for line in diagnostics.splitlines()
                  if line.strip().startswith('error: PortalConfiguration "upgrades"')]
    assert re.search(r"Stripe answered 40\d to POST /v1/billing_portal/configurations: No such product", message)
    assert "field: features[subscription_update][products][0][product]" in message
    assert re.search(r"request id: req_\w+", message)
    assert fleet.owned() == []
