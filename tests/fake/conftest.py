"""Every fake test runs twice: with stripe-mock validating requests first, and standalone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import stripe

from portal_infra.testing import StripeMock
from portal_infra.testing.fake import FakeStripe, FakeStripeControl

TEST_KEY = "sk_test_fakeSuiteKey"
LIVE_KEY = "sk_live_fakeSuiteKey"


@dataclass
class Fake:
    server: FakeStripe
    client: stripe.StripeClient
    control: FakeStripeControl
    with_mock: bool

    @property
    def url(self) -> str:
        return self.server.url

    def raw(self, method: str, path: str, key: str = TEST_KEY, **kwargs: object) -> requests.Response:
        return requests.request(method, self.url + path, auth=(key, ""), timeout=30, **kwargs)  # type: ignore[arg-type]

    def client_for(self, key: str = TEST_KEY, account: str | None = None) -> stripe.StripeClient:
        return stripe.StripeClient(key, stripe_account=account,
                                   base_addresses={"api": self.url, "files": self.url})


@pytest.fixture(params=["with-stripe-mock", "standalone"])
def fake(request: pytest.FixtureRequest, stripe_mock: StripeMock) -> Iterator[Fake]:
    with_mock = request.param == "with-stripe-mock"
    server = FakeStripe(stripe_mock_url=stripe_mock.url if with_mock else None).start()
    try:
        client = stripe.StripeClient(TEST_KEY, base_addresses={"api": server.url, "files": server.url})
        yield Fake(server, client, FakeStripeControl(server.url), with_mock)
    finally:
        server.stop()
