"""pytest fixtures for testing Pulumi stacks that use portal-infra, with no Stripe account.

Loaded automatically once portal-infra is installed (entry point `pytest11`):

  stripe_mock      Stripe's official stripe-mock on a free loopback port (session-wide); with
                   PORTAL_INFRA_STRIPE_MOCK=docker, its Docker image as a container, removed afterwards
  stripe_recorder  a recording proxy in front of stripe-mock: `.url`, `.requests`
  fake_stripe      the stateful fake, validated by stripe-mock, fresh for each test: `.url`, `.control`
  stripe_client    a stripe.StripeClient pointed at `fake_stripe`, with a test key
  dns_server       a DNS server on loopback (UDP and TCP) answering from records a test adds:
                   `.address` for `dns_resolver`, `.add(...)`, `.add_records(dns_records)`
  s3_server        versitygw (S3-compatible) on loopback, fresh for each test, with bucket `state`:
                   `.env("state")` points a pulumi process's state there, `.list_objects(...)`
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from .containers import DockerUnavailable
from .dns_server import LoopbackDNS
from .fake import FakeStripe, FakeStripeControl
from .recorder import RecordingProxy
from .s3_server import S3Server
from .stripe_mock import StripeMock
from .tools import ToolMissing, stripe_mock_binary

FAKE_TEST_KEY = "sk_test_portalInfraFake"


@pytest.fixture(scope="session")
def stripe_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeMock]:
    """Stripe's official stripe-mock on a free loopback port, for the whole session."""
    try:
        binary = stripe_mock_binary()
    except ToolMissing as err:
        pytest.skip(str(err))
    log = Path(tmp_path_factory.mktemp("stripe-mock")) / "stripe-mock.log"
    mock = StripeMock(log, binary)
    try:
        mock.start()
    except DockerUnavailable as err:
        # Asked for the container but no engine can run it: say why instead of failing every test.
        pytest.skip(f"PORTAL_INFRA_STRIPE_MOCK=docker: {err}")
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture
def stripe_recorder(stripe_mock: StripeMock) -> Iterator[RecordingProxy]:
    """A recording proxy in front of stripe-mock: `.url` to point at, `.requests` to assert on."""
    with RecordingProxy(stripe_mock.url) as proxy:
        yield proxy


class RunningFake:
    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake
        self.url = fake.url
        self.control = FakeStripeControl(fake.url)


@pytest.fixture
def fake_stripe(stripe_mock: StripeMock) -> Iterator[RunningFake]:
    """The stateful fake on a free loopback port; each request is first validated by stripe-mock."""
    fake = FakeStripe(stripe_mock_url=stripe_mock.url).start()
    try:
        yield RunningFake(fake)
    finally:
        fake.stop()


@pytest.fixture
def stripe_client(fake_stripe: RunningFake) -> stripe.StripeClient:
    """A stripe-python client for the fake, in test mode."""
    return stripe.StripeClient(FAKE_TEST_KEY, base_addresses={"api": fake_stripe.url, "files": fake_stripe.url})


@pytest.fixture
def dns_server() -> Iterator[LoopbackDNS]:
    """An authoritative DNS server on a free loopback port, empty and fresh for each test."""
    with LoopbackDNS() as server:
        yield server


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[S3Server]:
    """A real S3-compatible server (versitygw's posix backend) on loopback, holding an empty bucket `state`."""
    try:
        server = S3Server(tmp_path / "s3", tmp_path / "versitygw.log")
    except ToolMissing as err:
        pytest.skip(str(err))
    with server:
        server.create_bucket("state")
        yield server
