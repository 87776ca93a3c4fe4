"""The fake refuses parameters as Stripe does, at every depth (testing/fake/params.py).

stripe-mock, which the fake asks first, answers 200 to a typo inside an object or to an empty value Stripe
will not take (STRIPE-MOCK.md 2.3): these tests would pass with it alone only where it refuses too. Where
stripe-mock does refuse (top-level names, most enums and booleans), its own answer comes back unchanged and
has no `param`: those tests check Stripe's `param` and `code` only when the answer is the fake's own.
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
import requests
import stripe

from portal_infra.testing.fake import params
from portal_infra.testing.fake.urls import ROUTES, route_name
from portal_infra.testing.tools import stripe_spec
from tests.fake.conftest import Fake
from tests.fake.test_accounts_files_catalog import png

CONFIGS = "/v1/billing_portal/configurations"
FEATURES = {"features[invoice_history][enabled]": "true"}


def _refused(resp: requests.Response, param: str, code: str | None, words: str = "") -> None:
    """Stripe's 400 naming `param` with `code`; stripe-mock's own refusal (no param) is accepted as is."""
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["type"] == "invalid_request_error"
    if error["message"].startswith("Request validation error"):
        return  # stripe-mock answered first, with its own envelope (STRIPE-MOCK.md 2.3)
    assert (error.get("param"), error.get("code")) == (param, code), error
    assert words in error["message"], error


def _fake_refused(resp: requests.Response, param: str, code: str | None, words: str = "") -> None:
    """As `_refused`, for a request stripe-mock lets through: the answer must be the fake's own."""
    assert resp.status_code == 400, resp.text
    assert not resp.json()["error"]["message"].startswith("Request validation error"), resp.text
    _refused(resp, param, code, words)


def _account(fake: Fake) -> str:
    account: str = fake.client.v1.accounts.create(params={"type": "express"}).id
    return account


def _post(fake: Fake, path: str, data: dict[str, str]) -> requests.Response:
    return fake.raw("POST", path, data=data)


# Where the definitions come from.

def test_every_route_the_fake_serves_has_stripes_definition() -> None:
    """A new route must say which SDK params class describes it (or that the SDK has none)."""
    routes = {route_name(method, pattern.pattern[1:-1].replace("(?P<id>[^/]+)", "x")) for method, pattern, _ in ROUTES}
    assert routes - set(params.ROUTE_PARAMS) == set()
    for route in routes:
        if params.ROUTE_PARAMS[route] is not None:
            assert params.definition(route) is not None, route


def test_definitions_are_read_from_the_pinned_sdk() -> None:
    assert params.SDK_VERSION == "16.1.0"
    account = params.definition("POST /v1/accounts/{id}")
    assert account is not None
    profile = account.fields["business_profile"].objects[0]
    # stripe/params/_account_update_params.py: support_url is `Literal['']|str`, name is `str` (issue 15).
    assert profile.fields["support_url"].emptyable and profile.fields["support_url"].strings
    assert not profile.fields["name"].emptyable
    create = params.definition("POST /v1/billing_portal/configurations")
    assert create is not None and create.required == {"features"}
    cancel = create.fields["features"].objects[0].fields["subscription_cancel"].objects[0]
    # `Literal['at_period_end', 'immediately']|str`: the Literal is the enum, the `|str` is not free text.
    assert cancel.fields["mode"].enum == ("at_period_end", "immediately") and not cancel.fields["mode"].strings
    assert "active" not in create.fields and "api_key" not in create.fields  # request options are headers


# Unknown parameters, at any depth.

def test_unknown_nested_parameter_is_parameter_unknown_naming_it(fake: Fake) -> None:
    resp = _post(fake, CONFIGS, {**FEATURES, "features[bogus][enabled]": "true"})
    _fake_refused(resp, "features[bogus]", "parameter_unknown", "Received unknown parameter: features[bogus]")
    resp = _post(fake, CONFIGS, {**FEATURES, "features[customer_update][enabled]": "true",
                                 "features[customer_update][allowd_updates][0]": "email"})
    _fake_refused(resp, "features[customer_update][allowd_updates]", "parameter_unknown")


def test_unknown_branding_field_is_parameter_unknown(fake: Fake) -> None:
    resp = _post(fake, f"/v1/accounts/{_account(fake)}", {"settings[branding][colour]": "#112233"})
    _fake_refused(resp, "settings[branding][colour]", "parameter_unknown")


def test_unknown_query_parameter_is_refused(fake: Fake) -> None:
    resp = fake.raw("GET", f"{CONFIGS}?bogus=1")
    _refused(resp, "bogus", "parameter_unknown")


# Empty values: only where Stripe's definition has `Literal['']`.

def test_empty_value_where_stripe_takes_none_is_parameter_invalid_empty(fake: Fake) -> None:
    account = _account(fake)
    resp = _post(fake, f"/v1/accounts/{account}", {"settings[branding][icon]": ""})
    _fake_refused(resp, "settings[branding][icon]", "parameter_invalid_empty", "cannot be unset")
    resp = _post(fake, f"/v1/accounts/{account}", {"business_profile[name]": ""})
    _fake_refused(resp, "business_profile[name]", "parameter_invalid_empty")


def test_empty_value_where_stripe_takes_it_unsets(fake: Fake) -> None:
    account = _account(fake)
    assert _post(fake, f"/v1/accounts/{account}", {"business_profile[support_url]": ""}).status_code == 200
    created = _post(fake, CONFIGS, {**FEATURES, "business_profile[headline]": "Hi", "metadata[a]": "1"})
    assert created.status_code == 200, created.text
    updated = _post(fake, f"{CONFIGS}/{created.json()['id']}",
                    {"business_profile[headline]": "", "business_profile[privacy_policy_url]": "", "metadata[a]": ""})
    assert updated.status_code == 200, updated.text
    assert updated.json()["business_profile"]["headline"] is None and updated.json()["metadata"] == {}


def test_empty_value_taken_on_update_is_refused_on_create(fake: Fake) -> None:
    # ConfigurationCreateParamsBusinessProfile.privacy_policy_url is `str`; the update's is `Literal['']|str`.
    resp = _post(fake, CONFIGS, {**FEATURES, "business_profile[privacy_policy_url]": ""})
    _fake_refused(resp, "business_profile[privacy_policy_url]", "parameter_invalid_empty")
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_update][enabled]": "true",
                                 "features[subscription_update][schedule_at_period_end][conditions]": ""})
    _refused(resp, "features[subscription_update][schedule_at_period_end][conditions]",
             "parameter_invalid_empty")


# Enums, types and required parameters.

def test_value_outside_an_enum_is_refused_naming_the_values(fake: Fake) -> None:
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_cancel][enabled]": "true",
                                 "features[subscription_cancel][mode]": "sometimes"})
    _refused(resp, "features[subscription_cancel][mode]", None, "must be one of at_period_end or immediately")
    resp = _post(fake, CONFIGS, {**FEATURES, "features[customer_update][enabled]": "true",
                                 "features[customer_update][allowed_updates][0]": "birthday"})
    _refused(resp, "features[customer_update][allowed_updates][0]", None, "Invalid allowed_updates[0]")


def test_enum_value_the_sdk_adds_str_to_is_still_refused(fake: Fake) -> None:
    # `Literal['indefinite', 'interval_options']|str`: stripe-mock's older spec has no subscription_pause
    # at all and lets it through; Stripe refuses a type it does not know.
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_pause][enabled]": "true",
                                 "features[subscription_pause][duration][type]": "forever"})
    _refused(resp, "features[subscription_pause][duration][type]", None, "must be one of indefinite or "
                                                                         "interval_options")


def test_wrong_types_are_refused(fake: Fake) -> None:
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_pause][enabled]": "maybe"})
    _refused(resp, "features[subscription_pause][enabled]", None, "Invalid boolean: maybe")
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_pause][enabled]": "true",
                                 "features[subscription_pause][duration][type]": "interval_options",
                                 "features[subscription_pause][duration][interval_options][0][interval]": "month",
                                 "features[subscription_pause][duration][interval_options][0][interval_count]":
                                     "two"})
    _refused(resp, "features[subscription_pause][duration][interval_options][0][interval_count]",
             "parameter_invalid_integer", "Invalid integer: two")
    resp = _post(fake, f"/v1/accounts/{_account(fake)}", {"settings[branding]": "blue"})
    _refused(resp, "settings[branding]", None, "must be a hash")
    resp = fake.raw("GET", f"{CONFIGS}?limit=ten")
    _refused(resp, "limit", "parameter_invalid_integer")


def test_missing_required_nested_parameter_is_parameter_missing(fake: Fake) -> None:
    resp = _post(fake, CONFIGS, {**FEATURES, "features[subscription_pause][duration][type]": "interval_options",
                                 "features[subscription_pause][duration][interval_options][0][interval_count]": "1"})
    _refused(resp, "features[subscription_pause][duration][interval_options][0][interval]", "parameter_missing",
             "Missing required param")


# Lengths (the OpenAPI spec stripe-mock embeds) and metadata (docs.stripe.com/metadata).

@pytest.fixture
def spec_present() -> None:
    if os.environ.get("PORTAL_INFRA_STRIPE_MOCK") == "docker":
        pytest.skip("stripe-mock runs as a container here: its embedded spec is not on this machine")
    assert stripe_spec() is not None and stripe_spec().is_file(), (  # type: ignore[union-attr]
        "scripts/bootstrap.sh records the spec as PORTAL_INFRA_STRIPE_SPEC in .tools/paths.env: run it again")


@pytest.mark.usefixtures("spec_present")
def test_over_long_strings_are_refused_at_the_specs_max_length(fake: Fake) -> None:
    resp = _post(fake, CONFIGS, {**FEATURES, "business_profile[headline]": "h" * 61})
    _fake_refused(resp, "business_profile[headline]", None, "must be at most 60 characters")
    assert _post(fake, CONFIGS, {**FEATURES, "business_profile[headline]": "h" * 60}).status_code == 200
    resp = _post(fake, CONFIGS, {**FEATURES, "name": "n" * 257})
    _refused(resp, "name", None, "must be at most 256 characters")


def test_metadata_limits(fake: Fake) -> None:
    account = _account(fake)
    for data, words in [({"metadata[" + "k" * 41 + "]": "v"}, "under 40 characters"),
                        ({"metadata[k]": "v" * 501}, "under 500 characters"),
                        ({f"metadata[k{i}]": "v" for i in range(51)}, "up to 50 keys")]:
        _fake_refused(_post(fake, f"/v1/accounts/{account}", data), "metadata", None, words)
    at_limits = {"metadata[" + "k" * 40 + "]": "v" * 500, **{f"metadata[k{i}]": "v" for i in range(49)}}
    assert _post(fake, f"/v1/accounts/{account}", at_limits).status_code == 200


# What Stripe takes still passes: the SDK's own requests, and uploads.

def test_a_full_configuration_from_the_sdk_passes(fake: Fake) -> None:
    body: dict[str, Any] = {
        "name": "Portal", "default_return_url": "https://example.com/account", "metadata": {"team": "billing"},
        "business_profile": {"headline": "Hi", "privacy_policy_url": "https://example.com/p"},
        "login_page": {"enabled": True},
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email", "tax_id"]},
            "invoice_history": {"enabled": True}, "payment_method_update": {"enabled": True},
            "subscription_cancel": {"enabled": True, "mode": "immediately", "proration_behavior": "create_prorations",
                                    "cancellation_reason": {"enabled": True, "options": ["too_expensive"]}},
            "subscription_update": {"enabled": False, "billing_cycle_anchor": "now",
                                    "trial_update_behavior": "continue_trial",
                                    "schedule_at_period_end": {"conditions": [{"type": "shortening_interval"}]}},
        },
    }
    made = fake.client.v1.billing_portal.configurations.create(params=body)  # type: ignore[arg-type]
    listed = fake.client.v1.billing_portal.configurations.list(params={"limit": 3, "active": True})
    assert made.id in [c.id for c in listed.data]


def test_multipart_upload_is_checked_without_breaking_it(fake: Fake) -> None:
    uploaded = fake.client.v1.files.create(
        params={"purpose": "business_icon", "file": io.BytesIO(png())})  # type: ignore[typeddict-item]
    assert uploaded.purpose == "business_icon"
    files = {"file": ("icon.png", png(), "image/png")}
    resp = fake.raw("POST", "/v1/files", data={"purpose": "business_icon", "colour": "red"}, files=files)
    _refused(resp, "colour", "parameter_unknown")
    resp = fake.raw("POST", "/v1/files", data={"purpose": "business_icon", "file_link_data[create]": "yes"},
                    files=files)
    _refused(resp, "file_link_data[create]", None, "Invalid boolean")


def test_the_sdk_raises_stripes_error_with_the_param(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v1.accounts.update(_account(fake), params={"settings": {"branding": {"logo": ""}}})
    assert (caught.value.http_status, caught.value.code) == (400, "parameter_invalid_empty")
    assert caught.value.param == "settings[branding][logo]"
