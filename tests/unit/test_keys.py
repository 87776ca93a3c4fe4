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
