"""The configuration contract tests (tests/integration), run against the compose stack's stripe-mock
container: Stripe's image (or its local stand-in), reached through the port published on loopback."""

from __future__ import annotations

import pytest

# The same tests and their `gateway` fixture; `stripe_mock` resolves to tests/docker/conftest.py's.
from tests.integration.test_stripe_mock_contract import *  # noqa: F403

pytestmark = [pytest.mark.docker, pytest.mark.integration]
