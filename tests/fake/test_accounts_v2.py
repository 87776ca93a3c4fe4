"""Accounts v2 (`/v2/core/accounts`) in the fake: one account seen through v1 and v2 (models/accounts_v2.py).

stripe-mock serves no `/v2`, so with or without it every v2 answer here is the fake's own.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe

from portal_infra.testing.fake import FakeStripe
from tests.fake.conftest import LIVE_KEY, TEST_KEY, Fake
from tests.fake.test_accounts_files_catalog import png

V2 = "/v2/core/accounts"
MERCHANT: Any = {
    "contact_email": "ops@tenant.example", "display_name": "Tenant",
    "identity": {"country": "us", "entity_type": "company"},
    "configuration": {"merchant": {"branding": {"primary_color": "#112233", "secondary_color": "#abc"},
                                   "support": {"email": "help@tenant.example", "phone": "+15555550100",
                                               "url": "https://tenant.example/help"}}},
    "defaults": {"profile": {"doing_business_as": "Tenant Co", "business_url": "https://tenant.example",
                             "product_description": "Widgets"}},
}
BOTH = ["configuration.merchant", "defaults"]


def _create(fake: Fake, **extra: Any) -> stripe.v2.core.Account:
    return fake.client.v2.core.accounts.create(params={**MERCHANT, **extra})


def _upload(fake: Fake, purpose: str, account: str | None = None) -> str:
    client = fake.client_for(account=account) if account else fake.client
    uploaded = client.v1.files.create(params={"purpose": purpose, "file": io.BytesIO(png())})  # type: ignore[typeddict-item]
    return uploaded.id


def _v2_refused(resp: requests.Response, param: str, code: str | None, words: str) -> None:
    """v2's envelope (STRIPE.md 4.1): {"error": {"type", "code", "message", "param"}}, no v1 doc_url."""
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error == {"type": "invalid_request_error", "code": code, "message": error["message"], "param": param}
    assert words in error["message"], error


# The object, and `include`.

def test_create_answers_the_v2_object_with_what_include_names(fake: Fake) -> None:
    made = _create(fake, include=BOTH)
    assert isinstance(made, stripe.v2.core.Account)
    assert made.id.startswith("acct_") and made.object == "v2.core.account"
    assert (made.applied_configurations, made.closed, made.display_name, made.contact_email) == (
        ["merchant"], False, "Tenant", "ops@tenant.example")
    assert made.created.endswith("Z") and made.created[4] == "-" and made.created[10] == "T"  # RFC 3339
    assert made.configuration is not None and made.configuration.merchant is not None
    assert made.configuration.customer is None and made.configuration.recipient is None
    merchant = made.configuration.merchant
    assert merchant.applied is True
    assert merchant.branding is not None and merchant.support is not None
    assert (merchant.branding.primary_color, merchant.branding.secondary_color, merchant.branding.icon) == (
        "#112233", "#abc", None)
    assert (merchant.support.email, merchant.support.url) == ("help@tenant.example", "https://tenant.example/help")
    assert made.defaults is not None and made.defaults.profile is not None
    assert made.defaults.profile.doing_business_as == "Tenant Co"
    assert made.identity is None and made.requirements is None


def test_without_include_the_configurable_parts_are_null(fake: Fake) -> None:
    made = _create(fake)
    for got in (made, fake.client.v2.core.accounts.retrieve(made.id)):
        assert (got.configuration, got.defaults, got.identity, got.requirements, got.future_requirements) == (
            None, None, None, None, None)
        assert got.display_name == "Tenant"
    only_defaults = fake.client.v2.core.accounts.retrieve(made.id, params={"include": ["defaults"]})
    assert only_defaults.configuration is None and only_defaults.defaults is not None
    raw = fake.raw("GET", f"{V2}/{made.id}?include[0]=configuration.merchant&include[1]=identity").json()
    assert raw["configuration"]["merchant"]["branding"]["primary_color"] == "#112233"
    assert raw["identity"]["country"] == "US" and raw["identity"]["entity_type"] == "company"
    assert raw["defaults"] is None


# One account, two APIs.

def test_a_v2_account_is_a_v1_account_without_v2_fields(fake: Fake) -> None:
    made = _create(fake)
    v1 = fake.raw("GET", f"/v1/accounts/{made.id}").json()
    assert v1["object"] == "account" and v1["type"] == "none"
    assert v1["settings"]["branding"]["primary_color"] == "#112233"
    assert v1["business_profile"]["name"] == "Tenant Co"
    assert v1["business_profile"]["support_email"] == "help@tenant.example"
    assert v1["business_profile"]["url"] == "https://tenant.example"
    assert not {"_v2", "display_name", "contact_email", "applied_configurations", "closed"} & set(v1)
    listed = fake.raw("GET", "/v1/accounts?limit=100").json()["data"]
    assert [a["id"] for a in listed] == [made.id] and "_v2" not in listed[0]


def test_a_v2_update_shows_in_the_v1_account(fake: Fake) -> None:
    made = _create(fake)
    icon = _upload(fake, "business_icon")
    fake.client.v2.core.accounts.update(made.id, params={
        "configuration": {"merchant": {"branding": {"icon": icon, "primary_color": "#000000"},
                                       "support": {"phone": "+15555550199",
                                                   "address": {"city": "Paris", "town": "Montmartre"}}}},
        "defaults": {"profile": {"doing_business_as": "Renamed", "product_description": "Gadgets"}}})
    v1 = fake.client.v1.accounts.retrieve(made.id)
    assert (v1.settings.branding.icon, v1.settings.branding.primary_color) == (icon, "#000000")
    assert v1.settings.branding.secondary_color == "#abc"  # untouched fields stay
    assert (v1.business_profile.name, v1.business_profile.product_description) == ("Renamed", "Gadgets")
    assert v1.business_profile.support_phone == "+15555550199"
    address = fake.raw("GET", f"/v1/accounts/{made.id}").json()["business_profile"]["support_address"]
    assert address["city"] == "Paris" and "town" not in address  # v1's address has no town
    v2 = fake.client.v2.core.accounts.retrieve(made.id, params={"include": ["configuration.merchant"]})
    assert v2.configuration is not None and v2.configuration.merchant is not None
    support = v2.configuration.merchant.support
    assert support is not None and support.address is not None and support.address.town == "Montmartre"


def test_a_v1_write_shows_in_the_v2_account(fake: Fake) -> None:
    made = _create(fake)
    logo = _upload(fake, "business_logo")
    fake.client.v1.accounts.update(made.id, params={
        "settings": {"branding": {"logo": logo, "secondary_color": "#fedcba"}},
        "business_profile": {"name": "From v1", "support_url": "https://v1.example/help"},
        "metadata": {"tier": "gold"}})
    got = fake.client.v2.core.accounts.retrieve(made.id, params={"include": BOTH})
    assert got.configuration is not None and got.configuration.merchant is not None
    branding, support = got.configuration.merchant.branding, got.configuration.merchant.support
    assert branding is not None and support is not None
    assert (branding.logo, branding.secondary_color, branding.primary_color) == (logo, "#fedcba", "#112233")
    assert support.url == "https://v1.example/help"
    assert got.defaults is not None and got.defaults.profile is not None
    assert got.defaults.profile.doing_business_as == "From v1"
    assert got.display_name == "Tenant"  # display_name does not follow business_profile.name (unsourced)
    assert got.metadata is not None and got.metadata.to_dict() == {"tier": "gold"}


def test_a_v1_account_is_seen_through_v2(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "express", "business_profile": {"name": "Old"}})
    got = fake.client.v2.core.accounts.retrieve(account.id, params={"include": BOTH})
    assert (got.applied_configurations, got.dashboard) == (["merchant"], "express")
    assert got.defaults is not None and got.defaults.profile is not None
    assert got.defaults.profile.doing_business_as == "Old"
    assert fake.client.v2.core.accounts.retrieve(account.id).created == got.created  # made once, kept


def test_metadata_null_removes_a_key(fake: Fake) -> None:
    made = _create(fake, metadata={"a": "1", "b": "2"})
    updated = fake.client.v2.core.accounts.update(made.id, params={"metadata": {"a": None, "c": "3"}})
    assert updated.metadata is not None and updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert fake.client.v1.accounts.retrieve(made.id).metadata.to_dict() == {"b": "2", "c": "3"}
    # AccountCreateParams.metadata is Dict[str, str]: no null on create.
    resp = fake.raw("POST", V2, json={"metadata": {"a": None}})
    _v2_refused(resp, "metadata.a", None, "cannot be null")


# Lists.

def test_list_pages_v2_style_and_auto_paging_walks_every_page(fake: Fake) -> None:
    fake.control.seed(accounts=[{"id": f"acct_seeded{i:04d}"} for i in range(103)])
    made = _create(fake)
    page = fake.client.v2.core.accounts.list(params={"limit": 100})
    assert isinstance(page, stripe.v2.ListObject) and len(page.data) == 100
    assert page.data[0].id == made.id  # newest first
    assert page.next_page_url is not None and page.next_page_url.startswith(f"{V2}?page=")
    assert all(item.configuration is None and item.defaults is None for item in page.data)  # no include on list
    walked = [item.id for item in page.auto_paging_iter()]
    assert len(walked) == 104 and len(set(walked)) == 104
    second = fake.raw("GET", page.next_page_url).json()
    assert len(second["data"]) == 4 and second["next_page_url"] is None
    back = fake.raw("GET", second["previous_page_url"]).json()
    assert [a["id"] for a in back["data"]] == [a.id for a in page.data]
    assert back["previous_page_url"] is None


def test_list_filters(fake: Fake) -> None:
    merchant = _create(fake)
    customer = fake.client.v2.core.accounts.create(params={"configuration": {"customer": {}}})
    assert customer.applied_configurations == ["customer"]
    ids = lambda params: [a.id for a in fake.client.v2.core.accounts.list(params=params).data]  # noqa: E731
    assert ids({"applied_configurations": ["merchant"]}) == [merchant.id]
    assert ids({"applied_configurations": ["customer", "merchant"]}) == []
    assert ids({}) == [customer.id, merchant.id]
    fake.client.v2.core.accounts.close(customer.id)
    assert ids({}) == [merchant.id]
    assert ids({"closed": True}) == [customer.id]
    _v2_refused(fake.raw("GET", f"{V2}?limit=101"), "limit", "parameter_invalid_integer", "between 1 and 100")
    _v2_refused(fake.raw("GET", f"{V2}?include[0]=defaults"), "include", "parameter_unknown", "Unknown field")


# Close.

def test_close(fake: Fake) -> None:
    made = _create(fake)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v2.core.accounts.close(made.id, params={"applied_configurations": ["customer"]})
    assert caught.value.param == "applied_configurations"
    closed = fake.client.v2.core.accounts.close(made.id, params={"applied_configurations": ["merchant"]})
    assert closed.closed is True
    assert fake.client.v2.core.accounts.retrieve(made.id).closed is True  # still readable
    with pytest.raises(stripe.InvalidRequestError, match="closed"):
        fake.client.v2.core.accounts.update(made.id, params={"display_name": "Again"})
    with pytest.raises(stripe.InvalidRequestError, match="closed"):
        fake.client.v1.accounts.update(made.id, params={"business_profile": {"name": "Again"}})


# Strict parameters, JSON-typed, in v2's envelope.

@pytest.mark.parametrize(("body", "param", "code", "words"), [
    ({"configuration": {"merchant": {"branding": {"colour": "#fff"}}}},
     "configuration.merchant.branding.colour", "parameter_unknown", "Unknown field"),
    ({"defaults": {"profile": {"doing_busines_as": "X"}}},
     "defaults.profile.doing_busines_as", "parameter_unknown", "did you mean doing_business_as?"),
    ({"display_name": 42}, "display_name", None, "expected string, got integer"),
    ({"display_name": True}, "display_name", None, "expected string, got boolean"),
    ({"display_name": None}, "display_name", None, "cannot be null"),
    ({"configuration": {"merchant": {"applied": "true"}}}, "configuration.merchant.applied", None,
     "expected boolean, got string"),
    ({"configuration": {"merchant": "yes"}}, "configuration.merchant", None, "expected object"),
    ({"include": "defaults"}, "include", None, "expected array"),
    ({"dashboard": "partial"}, "dashboard", None, "must be one of express, full, or none"),
    ({"include": ["configuration.merchant", "everything"]}, "include[1]", None, "must be one of"),
    ({"configuration": {"merchant": {"branding": {"primary_color": ""}}}},
     "configuration.merchant.branding.primary_color", "parameter_invalid_empty", "cannot be empty"),
    ({"defaults": {"profile": {"doing_business_as": ""}}}, "defaults.profile.doing_business_as",
     "parameter_invalid_empty", "cannot be empty"),
    ({"configuration": {"merchant": {"branding": {"primary_color": "blue"}}}},
     "configuration.merchant.branding.primary_color", "parameter_invalid_string", "Invalid hex color"),
])
def test_a_refused_update_names_the_dotted_param(fake: Fake, body: Any, param: str, code: str | None,
                                                 words: str) -> None:
    made = _create(fake)
    _v2_refused(fake.raw("POST", f"{V2}/{made.id}", json=body), param, code, words)
    got = fake.client.v2.core.accounts.retrieve(made.id, params={"include": BOTH})
    assert got.display_name == "Tenant"  # nothing applied
    assert got.configuration is not None and got.configuration.merchant is not None
    assert got.configuration.merchant.branding is not None
    assert got.configuration.merchant.branding.primary_color == "#112233"


def test_stripe_python_raises_invalid_request_error_with_code_and_param(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v2.core.accounts.create(params={"defaults": {"profile": {"doing_business_as": ""}}})
    err = caught.value
    assert (err.http_status, err.code, err.param) == (400, "parameter_invalid_empty",
                                                      "defaults.profile.doing_business_as")
    assert err.error is not None and err.error.code == "parameter_invalid_empty"
    assert err.error.param == "defaults.profile.doing_business_as"


def test_a_body_that_is_not_json_is_refused(fake: Fake) -> None:
    resp = fake.raw("POST", V2, data="display_name=x", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"]["type"] == "invalid_request_error"


# Branding Files (the v1 rule, assumed for v2: STRIPE.md 4.1).

def test_v2_branding_takes_only_the_platforms_files(fake: Fake) -> None:
    made = _create(fake)
    on_account = _upload(fake, "business_icon", account=made.id)
    resp = fake.raw("POST", f"{V2}/{made.id}", json={"configuration": {"merchant": {"branding": {"icon": on_account}}}})
    _v2_refused(resp, "configuration.merchant.branding.icon", "resource_missing",
                f"No such file upload: '{on_account}'")
    logo = _upload(fake, "business_logo")
    resp = fake.raw("POST", f"{V2}/{made.id}", json={"configuration": {"merchant": {"branding": {"icon": logo}}}})
    _v2_refused(resp, "configuration.merchant.branding.icon", "parameter_invalid_string", "purpose")
    icon = _upload(fake, "business_icon")
    updated = fake.client.v2.core.accounts.update(made.id, params={
        "configuration": {"merchant": {"branding": {"icon": icon}}}, "include": ["configuration.merchant"]})
    assert updated.configuration is not None and updated.configuration.merchant is not None
    assert updated.configuration.merchant.branding is not None
    assert updated.configuration.merchant.branding.icon == icon


# Idempotency (stripe-python sends a key on every v2 POST).

def test_idempotent_replay_and_mismatch_for_json_bodies(fake: Fake) -> None:
    headers = {"Idempotency-Key": "v2-key"}
    first = fake.raw("POST", V2, json={"display_name": "Once"}, headers=headers)
    again = fake.raw("POST", V2, json={"display_name": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert len(fake.client.v2.core.accounts.list().data) == 1
    other = fake.raw("POST", V2, json={"display_name": "Twice"}, headers=headers)
    assert other.status_code == 400
    error = other.json()["error"]
    assert error["type"] == "idempotency_error" and "v2-key" in error["message"] and "doc_url" not in error
    with pytest.raises(stripe.IdempotencyError):
        fake.client.v2.core.accounts.create(params={"display_name": "Twice"},
                                            options={"idempotency_key": "v2-key"})


# The platform's kind (control API `POST /_fake/platform`).

def test_a_platform_not_enrolled_in_v2_is_refused_every_v2_request(fake: Fake) -> None:
    made = _create(fake)
    assert fake.control.platform(accounts="v1") == {"mode": "test", "accounts": "v1", "sandbox": True}
    for method, path in [("GET", V2), ("GET", f"{V2}/{made.id}"), ("POST", V2), ("POST", f"{V2}/{made.id}/close")]:
        resp = fake.raw(method, path, json={} if method == "POST" else None)
        assert resp.status_code == 400, (method, path)
        message = resp.json()["error"]["message"]
        assert message.startswith("Accounts v2 is not enabled for your platform.")
        assert f"https://dashboard.stripe.com/{fake.server.backend.platform_account_id}/settings/connect/" \
               "platform-setup." in message
    with pytest.raises(stripe.InvalidRequestError, match="not enabled"):
        fake.client.v2.core.accounts.retrieve(made.id)
    assert fake.client.v1.accounts.create(params={"type": "express"}).id  # v1 still works
    fake.control.reset()
    assert fake.client.v2.core.accounts.list().data == []  # defaults again: enrolled


def test_a_new_platform_creates_accounts_with_v2_only(fake: Fake) -> None:
    old = fake.client.v1.accounts.create(params={"type": "express"})
    fake.server.set_platform(accounts="v2")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v1.accounts.create(params={"type": "express"})
    assert "https://docs.stripe.com/connect/accounts-v2/account-creation" in str(caught.value)
    made = _create(fake)
    for account in (old.id, made.id):  # v1 reads and writes on existing IDs still work
        updated = fake.client.v1.accounts.update(
            account, params={"settings": {"branding": {"primary_color": "#010101"}}})
        assert updated.settings.branding.primary_color == "#010101"
        assert fake.client.v1.accounts.retrieve(account).id == account


def test_v2_needs_a_sandbox_in_test_mode(fake: Fake) -> None:
    fake.control.platform(sandbox=False)
    resp = fake.raw("GET", V2)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Accounts v2 isn't available in test mode. Switch to a sandbox to test."
    assert fake.raw("GET", V2, key=LIVE_KEY).status_code == 200  # the flag is about test keys
    fake.control.platform(sandbox=True)
    assert fake.raw("GET", V2).status_code == 200


def test_flags_are_per_mode_and_checked(fake: Fake) -> None:
    fake.control.platform(accounts="v1", mode="live")
    assert fake.raw("GET", V2, key=LIVE_KEY).status_code == 400
    assert fake.raw("GET", V2, key=TEST_KEY).status_code == 200
    bad = requests.post(f"{fake.url}/_fake/platform", json={"accounts": "v3"}, timeout=10)
    assert bad.status_code == 400 and "v3" in bad.json()["error"]
    bad = requests.post(f"{fake.url}/_fake/platform", json={"acounts": "v1"}, timeout=10)
    assert bad.status_code == 400
    assert requests.get(f"{fake.url}/_fake/platform", timeout=10).json() == {
        "test": {"accounts": "v1+v2", "sandbox": True}, "live": {"accounts": "v1", "sandbox": True}}


def test_v2_is_the_platforms_own_api(fake: Fake) -> None:
    made = _create(fake)
    resp = fake.raw("GET", f"{V2}/{made.id}", headers={"Stripe-Account": made.id})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "Stripe-Account"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v2.core.accounts.retrieve("acct_missing")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
    assert fake.raw("GET", f"{V2}?page=bogus").status_code == 400


def test_v2_state_and_flags_survive_save_and_load(fake: Fake, tmp_path: Path) -> None:
    made = _create(fake, metadata={"k": "v"})
    fake.control.platform(accounts="v2", sandbox=True)
    fake.server.save(tmp_path / "state.json")
    other = FakeStripe().start()
    try:
        other.load(tmp_path / "state.json")
        client = stripe.StripeClient(TEST_KEY, base_addresses={"api": other.url})
        got = client.v2.core.accounts.retrieve(made.id, params={"include": ["configuration.merchant"]})
        assert (got.display_name, got.contact_email, got.created) == ("Tenant", "ops@tenant.example", made.created)
        assert got.configuration is not None and got.configuration.merchant is not None
        assert other.platform()["test"]["accounts"] == "v2"
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.accounts.create(params={"type": "express"})
    finally:
        other.stop()
