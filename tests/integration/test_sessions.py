"""`portal_infra.sessions.create_portal_session`: the request stripe-mock accepts, and the fake's
stateful answer (the retention offer lands on the session; an unknown coupon is refused)."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from portal_infra.sessions import create_portal_session
from portal_infra.testing import RecordingProxy

pytestmark = pytest.mark.integration
KEY = "sk_test_SessionsIntegration42"


def test_stripe_mock_accepts_a_cancellation_flow_with_a_retention_offer(stripe_recorder: RecordingProxy) -> None:
    client = stripe.StripeClient(KEY, base_addresses={"api": stripe_recorder.url})
    session = create_portal_session(client, customer="cus_123", configuration="bpc_123",
                                    return_url="https://acme.example/account", cancel_subscription="sub_123",
                                    retention_coupon="stay-25-off")
    assert session.url
    (sent,) = stripe_recorder.matching("POST", "/v1/billing_portal/sessions")
    assert sent.params == {
        "customer": "cus_123",
        "configuration": "bpc_123",
        "return_url": "https://acme.example/account",
        "flow_data[type]": "subscription_cancel",
        "flow_data[subscription_cancel][subscription]": "sub_123",
        "flow_data[subscription_cancel][retention][type]": "coupon_offer",
        "flow_data[subscription_cancel][retention][coupon_offer][coupon]": "stay-25-off",
    }


def test_the_fake_opens_the_flow_with_the_stacks_offer(fake_stripe: Any, stripe_client: stripe.StripeClient) -> None:
    made = fake_stripe.control.seed(customers=[{"email": "a@acme.example"}],
                                    coupons=[{"id": "stay-25-off", "percent_off": 25}])
    (customer,) = made["customers"]
    config = stripe_client.v1.billing_portal.configurations.create(params={
        "features": {"invoice_history": {"enabled": True}}, "default_return_url": "https://acme.example/account"})
    session = create_portal_session(stripe_client, customer=customer, configuration=config.id,
                                    cancel_subscription="sub_123", retention_coupon="stay-25-off")
    assert session.configuration == config.id
    assert session.flow is not None
    assert session.flow.type == "subscription_cancel"
    assert session.flow.subscription_cancel.retention.coupon_offer.coupon == "stay-25-off"  # type: ignore[union-attr]

    with pytest.raises(stripe.InvalidRequestError, match="No such coupon"):
        create_portal_session(stripe_client, customer=customer, configuration=config.id,
                              cancel_subscription="sub_123", retention_coupon="not-made")


def test_a_retention_offer_needs_a_subscription_to_cancel() -> None:
    client = stripe.StripeClient(KEY, base_addresses={"api": "http://127.0.0.1:9"})
    with pytest.raises(ValueError, match="cancel_subscription"):
        create_portal_session(client, customer="cus_123", retention_coupon="stay-25-off")
