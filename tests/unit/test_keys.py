"""The key guard: which key, which mode, where it may go, and that it never shows in a message."""

from __future__ import annotations

import pytest

from portal_infra.stripe_api import StripeSetupError, redact, resolve

TEST_KEY = "sk_test_51Hunit0000000000000000aaaa"
LIVE_KEY = "sk_live_notReal"  # short, so no scanner takes it for a real key


def test_stack_config_key_wins_over_environment() -> None:
    conn = resolve({"portal-infra:stripeApiKey": TEST_KEY}, {"STRIPE_API_KEY": "sk_test_other"})
    assert conn.api_key == TEST_KEY
    assert conn.mode == "test"
    assert conn.api_base == "https://api.stripe.com"


def test_environment_key_is_used_when_config_has_none() -> None:
    assert resolve({}, {"STRIPE_API_KEY": TEST_KEY}).api_key == TEST_KEY


def test_missing_key_says_how_to_set_one() -> None:
    with pytest.raises(StripeSetupError, match="STRIPE_API_KEY"):
        resolve({}, {})


def test_publishable_key_is_refused() -> None:
    with pytest.raises(StripeSetupError, match="publishable"):
        resolve({}, {"STRIPE_API_KEY": "pk_test_abc"})


def test_live_key_is_refused_on_a_test_stack() -> None:
    with pytest.raises(StripeSetupError, match="live-mode key") as caught:
        resolve({"portal-infra:mode": "test"}, {"STRIPE_API_KEY": LIVE_KEY})
    assert LIVE_KEY not in str(caught.value)


def test_test_key_is_refused_on_a_live_stack() -> None:
    with pytest.raises(StripeSetupError, match="test-mode key"):
        resolve({"portal-infra:mode": "live"}, {"STRIPE_API_KEY": TEST_KEY})


def test_live_key_goes_only_to_stripe() -> None:
    with pytest.raises(StripeSetupError, match="refusing to send a live-mode key"):
        resolve({"portal-infra:mode": "live", "portal-infra:allowLive": "true",
                 "portal-infra:stripeApiBase": "http://127.0.0.1:12111"}, {"STRIPE_API_KEY": LIVE_KEY})
    assert resolve({"portal-infra:mode": "live", "portal-infra:allowLive": "true"},
                   {"STRIPE_API_KEY": LIVE_KEY}).mode == "live"


def test_environment_base_overrides_stack_config_for_local_mocks() -> None:
    conn = resolve({"portal-infra:stripeApiBase": "http://127.0.0.1:1"},
                   {"STRIPE_API_KEY": TEST_KEY, "STRIPE_API_BASE": "http://127.0.0.1:2/"})
    assert conn.api_base == "http://127.0.0.1:2"


def test_connection_repr_hides_the_key() -> None:
    assert TEST_KEY not in repr(resolve({}, {"STRIPE_API_KEY": TEST_KEY}))


def test_redact_removes_the_key_and_anything_key_shaped() -> None:
    text = f"bad key {TEST_KEY} and {LIVE_KEY} and rk_live_zzz"
    clean = redact(text, TEST_KEY)
    for secret in (TEST_KEY, LIVE_KEY, "rk_live_zzz"):
        assert secret not in clean


# The guardrail matrix, at the key guard. The e2e matrix (tests/e2e/test_guardrails.py) runs the same
# table through `pulumi preview` and checks the fake saw no request for every refused case.
KEYS = {
    "sk_test": "sk_test_Matrix4242", "rk_test": "rk_test_Matrix4242",
    "sk_live": "sk_live_notReal", "rk_live": "rk_live_notReal",
    "pk_test": "pk_test_Matrix4242", "pk_live": "pk_live_notReal",
    "malformed_mode": "sk_tset_Matrix4242", "malformed_truncated": "sk_test_", "malformed_spaces": "sk_test_Mat rix",
}
STACKS = {
    "test": {"portal-infra:mode": "test"},
    "live": {"portal-infra:mode": "live"},
    "live_allowed": {"portal-infra:mode": "live", "portal-infra:allowLive": "true"},
}


def expected_outcome(key: str, stack: str) -> str:
    """The documented outcome (README, Guardrails)."""
    if key.startswith("pk_"):
        return "publishable"
    if key.startswith("malformed"):
        return "malformed"
    key_mode = key.split("_")[1]
    stack_mode = "live" if stack.startswith("live") else "test"
    if key_mode != stack_mode:
        return f"{key_mode}-mode key"
    if stack == "live":
        return "allowLive"
    return "ok"


@pytest.mark.parametrize("stack", list(STACKS))
@pytest.mark.parametrize("key", list(KEYS))
def test_guardrail_matrix(key: str, stack: str) -> None:
    outcome = expected_outcome(key, stack)
    env = {"STRIPE_API_KEY": KEYS[key]}
    if outcome == "ok":
        assert resolve(STACKS[stack], env).mode == ("live" if stack.startswith("live") else "test")
        return
    with pytest.raises(StripeSetupError, match=outcome) as caught:
        resolve(STACKS[stack], env)
    if len(KEYS[key]) > len("sk_test_"):  # a bare prefix is in the message as the expected shape
        assert KEYS[key] not in str(caught.value)


def test_restricted_key_403_names_the_permission() -> None:
    from portal_infra.stripe_api.keys import permission_hint, required_permission

    assert required_permission("GET", "/v1/prices") == "Prices: Read"
    assert required_permission("POST", "/v1/billing_portal/configurations/bpc_1") == "Customer portal: Write"
    assert "'Coupons: Read'" in permission_hint("GET", "/v1/coupons/stay")


def test_uploads_go_to_stripes_files_host_and_to_a_mock_as_is() -> None:
    assert resolve({}, {"STRIPE_API_KEY": "sk_test_abc"}).files_base == "https://files.stripe.com"
    local = resolve({}, {"STRIPE_API_KEY": "sk_test_abc", "STRIPE_API_BASE": "http://127.0.0.1:12111"})
    assert local.files_base == "http://127.0.0.1:12111"
