"""`make test-stripe` refuses to start without a test-mode key, and sends nothing when refused: each case
runs the real target against a fake standing in for api.stripe.com (STRIPE_API_BASE) whose request log
must stay empty."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import stripe

from portal_infra.testing.pytest_plugin import FAKE_TEST_KEY, RunningFake
from tests.acceptance.conftest import GUARD_EXIT
from tests.acceptance.target import ACCOUNTS_API_ENV, Made, Refused, detect_accounts_api

REPO = Path(__file__).resolve().parents[2]


def _make_test_stripe(stand_in: RunningFake, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_API_KEY"}
    # Its own run marker: the child's end-of-run process check must not count this run's processes.
    env.update({"STRIPE_API_BASE": stand_in.url, "PORTAL_INFRA_TEST_RUN": uuid.uuid4().hex})
    if key is not None:
        env["STRIPE_API_KEY"] = key
    return subprocess.run(["make", "--no-print-directory", "test-stripe", "PYTEST_ARGS=-p no:cacheprovider"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(("key", "says"), [
    (None, "STRIPE_API_KEY is not set"),
    ("sk_live_" "AcceptanceGuard4242", "LIVE-mode key"),
    ("rk_live_" "AcceptanceGuard4242", "LIVE-mode key"),
    ("pk_test_AcceptanceGuard4242", "publishable key"),
    ("sk_test_ with a space", "malformed"),
    ("whsec_AcceptanceGuard4242", "malformed"),
])
def test_refused_before_any_request(fake_stripe: RunningFake, key: str | None, says: str) -> None:
    done = _make_test_stripe(fake_stripe, key)
    assert done.returncode != 0
    assert f"Error {GUARD_EXIT}" in done.stderr  # pytest's guard stopped it, not a failed test
    assert says in done.stdout + done.stderr, done.stdout + done.stderr
    assert "export STRIPE_API_KEY=sk_test_" in done.stdout + done.stderr  # what it needs
    if key:
        assert key.split("_", 2)[-1] not in done.stdout + done.stderr  # the key is never echoed
    assert fake_stripe.control.requests() == []


# Which Accounts API the suite's accounts are made through (issue 26): detected from the platform, and
# a refusal of the API said with what to do, against a fake set to each kind of platform.

def _made(stand_in: RunningFake) -> Made:
    return Made(stripe.StripeClient(FAKE_TEST_KEY, base_addresses={"api": stand_in.url, "files": stand_in.url}),
                "guard-run")


@pytest.mark.parametrize(("platform", "sandbox", "detected"), [
    ("v1+v2", True, "v2"), ("v2", True, "v2"), ("v1", True, "v1"), ("v1+v2", False, "v1")])
def test_the_accounts_api_is_detected_from_the_platform(fake_stripe: RunningFake, platform: str, sandbox: bool,
                                                          detected: str) -> None:
    fake_stripe.control.platform(accounts=platform, sandbox=sandbox)
    assert detect_accounts_api(_made(fake_stripe).client) == detected


@pytest.mark.parametrize(("platform", "sandbox", "api", "says"), [
    ("v1", True, "v2", "not enrolled in Accounts v2"),
    ("v1+v2", False, "v2", "sandbox's key"),
    ("v2", True, "v1", f"{ACCOUNTS_API_ENV}=v2"),
])
def test_a_refused_accounts_api_says_what_to_do(fake_stripe: RunningFake, platform: str, sandbox: bool, api: str,
                                                says: str) -> None:
    fake_stripe.control.platform(accounts=platform, sandbox=sandbox)
    made = _made(fake_stripe)
    with pytest.raises(Refused, match=re.escape(says)) as refused:
        if api == "v2":
            made.account_v2({"display_name": "Guard", "identity": {"country": "us", "entity_type": "company"}})
        else:
            made.account({"country": "US"})
    assert FAKE_TEST_KEY not in str(refused.value)
    assert made.undo == []  # nothing was made, so nothing is left to clean
