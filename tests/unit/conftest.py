"""Unit tests' Stripe edge: the stateful fake, in this process, over real HTTP, without stripe-mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal_infra.testing.fake import FakeStripe


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    running = FakeStripe().start()
    try:
        yield running
    finally:
        running.stop()
