"""Every request portal-infra can send passes Stripe's own spec validation (stripe-mock)."""

from __future__ import annotations

from typing import Any

import pytest

from portal_infra.specs import parse_portal_configuration
from portal_infra.specs.wire import create_params, declared, update_params
from portal_infra.stripe_api import StripeCallError, StripeGateway, resolve
from portal_infra.testing import StripeMock
from tests.examples import FULL, MINIMAL, OPTIONAL_LEAVES, full, without

pytestmark = pytest.mark.integration
PATH = "/v1/billing_portal/configurations"
KEY = "sk_test_integrationKey"


@pytest.fixture
def gateway(stripe_mock: StripeMock) -> StripeGateway:
    return StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": stripe_mock.url}), max_retries=0)


def _create(gateway: StripeGateway, data: dict[str, Any]) -> dict[str, Any]:
    params = create_params(parse_portal_configuration(data))
    return gateway.post(PATH, params, idempotency_key=f"create-{id(params)}")


def test_create_with_every_field_is_accepted(gateway: StripeGateway) -> None:
    obj = _create(gateway, full())
    assert obj["id"].startswith("bpc_")
    # stripe-mock copies scalars and string lists back (STRIPE-MOCK.md 2.2).
    assert obj["business_profile"]["headline"] == FULL["business_profile"]["headline"]
    assert obj["features"]["subscription_cancel"]["mode"] == "immediately"
    assert obj["name"] == "Acme portal"


def test_minimal_create_is_accepted(gateway: StripeGateway) -> None:
    assert _create(gateway, MINIMAL)["id"].startswith("bpc_")


def test_update_with_every_field_is_accepted(gateway: StripeGateway) -> None:
    old = declared(parse_portal_configuration(MINIMAL))
    new = declared(parse_portal_configuration(full()))
    obj = gateway.post(f"{PATH}/bpc_existing", update_params(old, new), idempotency_key="update-all")
    assert obj["id"] == "bpc_existing"
    assert obj["default_return_url"] == FULL["default_return_url"]


@pytest.mark.parametrize("path", OPTIONAL_LEAVES, ids=".".join)
def test_clearing_each_optional_field_is_accepted(gateway: StripeGateway, path: tuple[str, ...]) -> None:
    old = declared(parse_portal_configuration(full()))
    new = declared(parse_portal_configuration(without(FULL, path)))
    params = update_params(old, new)
    assert params
    gateway.post(f"{PATH}/bpc_existing", params, idempotency_key=f"clear-{'.'.join(path)}")


def test_deactivation_is_accepted(gateway: StripeGateway) -> None:
    assert gateway.post(f"{PATH}/bpc_existing", {"active": False}, idempotency_key="off")["active"] is False


def test_stripe_refusal_becomes_a_clear_error_without_the_key(gateway: StripeGateway) -> None:
    with pytest.raises(StripeCallError) as caught:
        gateway.post(PATH, {"features": {"subscription_cancel": {"enabled": True, "mode": "sometimes"}}},
                     idempotency_key="bad")
    err = caught.value
    assert err.status == 400
    assert "POST /v1/billing_portal/configurations" in str(err)
    assert KEY not in str(err)
