"""The platform's portal configuration through its whole life, against the target Stripe: create (prices
named by a lookup key this run made), update, clear, drift made by hand and repaired, a portal session,
destroy (deactivation). After each step the stack previews and refreshes with no change."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import stripe

from portal_infra.sessions import create_portal_session
from tests.acceptance.conftest import Project
from tests.acceptance.target import TAG, Made

pytestmark = pytest.mark.e2e

RETURN_URL = "https://acceptance.example.com/account"


def _portal(made: Made, lookup_key: str, **changes: Any) -> dict[str, Any]:
    portal: dict[str, Any] = {
        "name": f"portal-infra acceptance {made.run_id}",
        "default_return_url": RETURN_URL,
        "business_profile": {"headline": "Acceptance: created",
                             "privacy_policy_url": "https://acceptance.example.com/privacy"},
        "metadata": {TAG: made.run_id, "step": "create"},
        "features": {
            "invoice_history": {"enabled": True},
            "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
            "subscription_update": {
                "enabled": True, "default_allowed_updates": ["price"], "proration_behavior": "none",
                "products": [{"prices": [{"lookup_key": lookup_key}]}],
            },
        },
    }
    portal.update(changes)
    return portal


def test_portal_configuration_lifecycle(project: Project, made: Made, client: stripe.StripeClient) -> None:
    configurations = client.v1.billing_portal.configurations
    lookup_key = f"acceptance-{made.run_id}-monthly"
    price = made.priced_product(lookup_key)

    # Create: the lookup key resolves to this run's price in this account.
    portal = _portal(made, lookup_key)
    project.write_config(portal)
    project.cli.up()
    outputs = project.cli.outputs()
    assert outputs["price_lookup_keys"] == {lookup_key: price.id}
    config_id = outputs["configuration_id"]
    made.later(f"deactivate {config_id}", lambda: _deactivate(client, config_id))
    created = configurations.retrieve(config_id)
    assert created.active and not created.livemode
    assert created.name == portal["name"] and created.default_return_url == RETURN_URL
    assert created.business_profile.headline == "Acceptance: created"
    assert created.metadata[TAG] == made.run_id and created.metadata["step"] == "create"
    (product,) = created.features.subscription_update.products
    assert (product.product, product.prices) == (price.product, [price.id])
    project.assert_no_changes()

    # Update: only what changed.
    portal["business_profile"]["headline"] = "Acceptance: updated"
    portal["login_page"] = {"enabled": True}
    portal["features"]["customer_update"]["allowed_updates"] = ["email", "address", "phone"]
    project.write_config(portal)
    project.cli.up()
    updated = configurations.retrieve(config_id)
    assert updated.business_profile.headline == "Acceptance: updated"
    assert updated.login_page.enabled and updated.login_page.url
    assert sorted(updated.features.customer_update.allowed_updates) == ["address", "email", "phone"]
    assert project.cli.outputs()["login_page_url"] == updated.login_page.url
    project.assert_no_changes()

    # Clear: fields removed from the stack are unset in Stripe ("" on the wire); one metadata key goes.
    del portal["business_profile"]["headline"]
    del portal["default_return_url"]
    portal["metadata"] = {TAG: made.run_id}
    project.write_config(portal)
    project.cli.up()
    cleared = configurations.retrieve(config_id)
    assert cleared.business_profile.headline is None and cleared.default_return_url is None
    assert cleared.metadata[TAG] == made.run_id and "step" not in cleared.metadata.to_dict()
    project.assert_no_changes()

    # Drift: deactivated and renamed by hand (as in the Dashboard); refresh sees it, up puts it back.
    configurations.update(config_id, params={"active": False, "name": "renamed by hand"})
    refreshed = project.cli.refresh("--diff")
    assert "renamed by hand" in refreshed.output
    drift = project.cli.preview("--expect-no-changes", "--diff")
    assert drift.returncode != 0 and "renamed by hand" in drift.output
    project.cli.up()
    repaired = configurations.retrieve(config_id)
    assert repaired.active and repaired.name == portal["name"]
    project.assert_no_changes()

    # A portal session for this configuration, as an application opens one.
    customer = made.customer(email=f"acceptance+{made.run_id}@example.com")
    session = create_portal_session(client, customer=customer.id, configuration=config_id, return_url=RETURN_URL)
    assert session.configuration == config_id and session.customer == customer.id and not session.livemode
    assert urlsplit(session.url).scheme == "https" and urlsplit(session.url).hostname
    assert session.return_url == RETURN_URL
    project.assert_key_absent()

    # Destroy: Stripe has no DELETE for configurations; it is deactivated, and sessions can no longer use it.
    # Unless Stripe made it the account's default (whether the first API-made configuration of a fresh
    # account becomes the default is not documented): the default cannot be deactivated, and destroy says so.
    destroyed = project.cli.destroy()
    if configurations.retrieve(config_id).is_default:
        assert configurations.retrieve(config_id).active and "default" in destroyed.output
        return
    assert not configurations.retrieve(config_id).active
    with pytest.raises(stripe.InvalidRequestError):
        create_portal_session(client, customer=customer.id, configuration=config_id, return_url=RETURN_URL)


def _deactivate(client: stripe.StripeClient, config_id: str) -> None:
    configuration = client.v1.billing_portal.configurations.retrieve(config_id)
    if configuration.active and not configuration.is_default:  # Stripe refuses to deactivate the default
        client.v1.billing_portal.configurations.update(config_id, params={"active": False})
