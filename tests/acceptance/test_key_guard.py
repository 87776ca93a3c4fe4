"""`make test-stripe` refuses to start without a test-mode key, and sends nothing when refused: each case
runs the real target against a fake standing in for api.stripe.com (STRIPE_API_BASE) whose request log
must stay empty."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from portal_infra.testing.pytest_plugin import RunningFake
from tests.acceptance.conftest import GUARD_EXIT

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
