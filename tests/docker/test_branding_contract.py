"""The branding and platform-settings contract tests (tests/integration), run against the compose
stack's stripe-mock container."""

from __future__ import annotations

import pytest

# The same tests and their fixtures; `stripe_mock` resolves to tests/docker/conftest.py's.
from tests.integration.test_branding_contract import *  # noqa: F403

pytestmark = [pytest.mark.docker, pytest.mark.integration]
