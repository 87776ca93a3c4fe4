"""billing_portal configurations in the fake: Stripe's state semantics."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.fake.conftest import LIVE_KEY, Fake

CONFIGS = "/v1/billing_portal/configurations"
BASE: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}}


def _create(fake: Fake, **extra: Any) -> Any:
    return fake.client.v1.billing_portal.configurations.create(params={**BASE, **extra})


def test_create_fills_stripe_defaults(fake: Fake) -> None:
    obj = _create(fake)
    assert obj.id.startswith("bpc_") and obj.active is True and obj.is_default is False
    assert obj.livemode is False
    cancel = obj.features.subscription_cancel
    assert (cancel.enabled, cancel.mode, cancel.proration_behavior) == (False, "at_period_end", "none")
    assert cancel.cancellation_reason.options == ["too_expensive", "missing_features", "switched_service",
                                                  "unused", "other"]
    assert obj.features.subscription_update.trial_update_behavior == "end_trial"
    assert obj.features.payment_method_update.enabled is False


def test_state_persists_and_updates_are_partial(fake: Fake) -> None:
    obj = _create(fake, name="Portal", business_profile={"headline": "Hello"})
    fake.client.v1.billing_portal.configurations.update(obj.id, params={"name": "Renamed"})
    got = fake.client.v1.billing_portal.configurations.retrieve(obj.id)
    assert got.name == "Renamed"
    assert got.business_profile.headline == "Hello"
    assert got.updated > obj.updated


def test_empty_string_unsets_a_scalar_and_clears_a_list(fake: Fake) -> None:
    obj = _create(fake, business_profile={"headline": "Hello"},
                  features={"customer_update": {"enabled": True, "allowed_updates": ["email"]}})
    got = fake.client.v1.billing_portal.configurations.update(obj.id, params={
        "business_profile": {"headline": ""}, "features": {"customer_update": {"allowed_updates": ""}}})
    assert got.business_profile.headline is None
    assert got.features.customer_update.allowed_updates == []
    assert got.features.customer_update.enabled is True


def test_metadata_key_removal_and_clear_all(fake: Fake) -> None:
    obj = _create(fake, metadata={"a": "1", "b": "2"})
    got = fake.client.v1.billing_portal.configurations.update(obj.id, params={"metadata": {"a": ""}})
    assert got.metadata.to_dict() == {"b": "2"}
    got = fake.client.v1.billing_portal.configurations.update(obj.id, params={"metadata": ""})
    assert got.metadata.to_dict() == {}


def test_login_page_url_is_generated_and_withdrawn(fake: Fake) -> None:
    obj = _create(fake, login_page={"enabled": True})
    assert obj.login_page.url.startswith("https://billing.stripe.com/p/login/test_")
    got = fake.client.v1.billing_portal.configurations.update(obj.id, params={"login_page": {"enabled": False}})
    assert got.login_page.url is None


def test_unknown_id_is_404_resource_missing(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v1.billing_portal.configurations.retrieve("bpc_doesnotexist")
    assert caught.value.http_status == 404 and caught.value.code == "resource_missing"


def test_default_configuration_exists_and_cannot_be_deactivated(fake: Fake) -> None:
    (default,) = fake.client.v1.billing_portal.configurations.list(params={"is_default": True}).data
    assert default.is_default and default.active
    with pytest.raises(stripe.InvalidRequestError, match="default PortalConfiguration"):
        fake.client.v1.billing_portal.configurations.update(default.id, params={"active": False})
    updated = fake.client.v1.billing_portal.configurations.update(default.id, params={"name": "Adopted"})
    assert updated.name == "Adopted" and updated.active


def test_deactivation_sticks(fake: Fake) -> None:
    obj = _create(fake)
    fake.client.v1.billing_portal.configurations.update(obj.id, params={"active": False})
    assert fake.client.v1.billing_portal.configurations.retrieve(obj.id).active is False


def test_list_filters_limit_and_pages(fake: Fake) -> None:
    ids = [_create(fake).id for _ in range(5)]
    fake.client.v1.billing_portal.configurations.update(ids[0], params={"active": False})
    page = fake.client.v1.billing_portal.configurations.list(params={"limit": 2})
    assert len(page.data) == 2 and page.has_more
    assert page.data[0].id == ids[-1]  # newest first
    after = fake.client.v1.billing_portal.configurations.list(params={"limit": 100, "starting_after": page.data[1].id})
    assert [o.id for o in after.data][:3] == list(reversed(ids))[2:5]
    inactive = fake.client.v1.billing_portal.configurations.list(params={"active": False}).data
    assert [o.id for o in inactive] == [ids[0]]
    everything = list(fake.client.v1.billing_portal.configurations.list(params={"limit": 2}).auto_paging_iter())
    assert len(everything) == 6  # five plus the default


def test_test_and_live_objects_are_separate(fake: Fake) -> None:
    obj = _create(fake)
    live = fake.client_for(LIVE_KEY)
    with pytest.raises(stripe.InvalidRequestError):
        live.v1.billing_portal.configurations.retrieve(obj.id)
    (live_default,) = live.v1.billing_portal.configurations.list(params={"is_default": True}).data
    assert live_default.livemode is True


def test_rules_stripe_mock_skips(fake: Fake) -> None:
    cases = [
        ({"business_profile": {"headline": "x" * 61}}, "business_profile[headline]"),
        ({"default_return_url": "not a url"}, "default_return_url"),
        ({"metadata": {f"k{i}": "v" for i in range(51)}}, "metadata"),
        ({"features": {"subscription_update": {"enabled": True, "products": [
            {"product": "prod_missing", "prices": ["price_x"]}]}}},
         "features[subscription_update][products][0][product]"),
        ({"features": {"subscription_cancel": {"enabled": True, "mode": "at_period_end",
                                               "proration_behavior": "create_prorations",
                                               "cancellation_reason": {"enabled": False, "options": ""}}}},
         "features[subscription_cancel][proration_behavior]"),
    ]
    for extra, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            fake.client.v1.billing_portal.configurations.create(params={**BASE, **extra})
        assert caught.value.param == param, extra


def test_products_and_prices_must_exist_and_match(fake: Fake) -> None:
    product = fake.client.v1.products.create(params={"name": "Pro"})
    other = fake.client.v1.products.create(params={"name": "Other"})
    price = fake.client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 900,
                                                 "recurring": {"interval": "month"}})
    ok = _create(fake, features={"subscription_update": {"enabled": True, "products": [
        {"product": product.id, "prices": [price.id],
         "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 5}}]}})
    item = ok.features.subscription_update.products[0]
    assert (item.product, item.prices, item.adjustable_quantity.maximum) == (product.id, [price.id], 5)
    with pytest.raises(stripe.InvalidRequestError, match="does not belong"):
        _create(fake, features={"subscription_update": {"enabled": True, "products": [
            {"product": other.id, "prices": [price.id]}]}})


def test_bad_enum_is_refused_with_or_without_stripe_mock(fake: Fake) -> None:
    resp = fake.raw("POST", CONFIGS, data={"features[subscription_cancel][enabled]": "true",
                                           "features[subscription_cancel][mode]": "sometimes"})
    assert resp.status_code == 400
    message = resp.json()["error"]["message"]
    if fake.with_mock:
        assert "Request validation error" in message  # stripe-mock's own answer, unchanged
    else:
        assert resp.json()["error"]["param"] == "features[subscription_cancel][mode]"


def test_unknown_parameter_is_refused(fake: Fake) -> None:
    resp = fake.raw("POST", CONFIGS, data={"features[invoice_history][enabled]": "true",
                                           "features[invoice_history][colour]": "red"})
    assert resp.status_code == 400
    if not fake.with_mock:
        assert resp.json()["error"]["code"] == "parameter_unknown"


def test_sessions_need_an_active_configuration(fake: Fake) -> None:
    customer = fake.client.v1.customers.create(params={"email": "a@example.com"})
    obj = _create(fake, default_return_url="https://acme.example/account")
    session = fake.client.v1.billing_portal.sessions.create(params={"customer": customer.id,
                                                                    "configuration": obj.id})
    assert session.url.startswith("https://billing.stripe.com/p/session/")
    assert session.return_url == "https://acme.example/account"
    fake.client.v1.billing_portal.configurations.update(obj.id, params={"active": False})
    with pytest.raises(stripe.InvalidRequestError, match="inactive"):
        fake.client.v1.billing_portal.sessions.create(params={"customer": customer.id, "configuration": obj.id})
