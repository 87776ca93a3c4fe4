"""pytest fixtures for testing Pulumi stacks that use portal-infra, with no Stripe account.

Loaded automatically once portal-infra is installed (entry point `pytest11`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .recorder import RecordingProxy
from .stripe_mock import StripeMock


@pytest.fixture(scope="session")
def stripe_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeMock]:
    """Stripe's official stripe-mock on a free loopback port, for the whole session."""
    log = Path(tmp_path_factory.mktemp("stripe-mock")) / "stripe-mock.log"
    with StripeMock(log) as mock:
        yield mock


@pytest.fixture
def stripe_recorder(stripe_mock: StripeMock) -> Iterator[RecordingProxy]:
    """A recording proxy in front of stripe-mock: `.url` to point at, `.requests` to assert on."""
    with RecordingProxy(stripe_mock.url) as proxy:
        yield proxy
