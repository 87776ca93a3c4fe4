"""The acceptance suite's target (fake or Stripe test mode), its guard, and the run's own Stripe objects.

The guard runs when pytest configures this directory, before any fixture or request: with
PORTAL_INFRA_ACCEPTANCE=stripe and no usable test-mode key, pytest stops with the reason (exit 4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import stripe

from portal_infra.testing import StripeMock
from portal_infra.testing.fake import FakeStripe
from portal_infra.testing.pytest_plugin import FAKE_TEST_KEY
from tests.acceptance.target import (
    Made,
    Refused,
    Target,
    accounts_api_choice,
    detect_accounts_api,
    new_run_id,
    stripe_target,
    target_name,
)
from tests.e2e.conftest import Deployment, _cli, make_project

GUARD_EXIT = 4  # pytest's own usage-error code: the run was not started


def _target_name() -> str:
    try:
        return target_name(os.environ)
    except Refused as err:
        pytest.exit(str(err), returncode=GUARD_EXIT)


def pytest_configure(config: pytest.Config) -> None:
    if _target_name() == "stripe":
        try:
            stripe_target(os.environ)
            accounts_api_choice(os.environ)
        except Refused as err:
            pytest.exit(f"\n{err}\n", returncode=GUARD_EXIT)


def pytest_report_header(config: pytest.Config) -> str:
    name = _target_name()
    if name == "fake":
        return "acceptance: against portal-infra's fake, validated by stripe-mock (PORTAL_INFRA_ACCEPTANCE=fake)"
    return f"acceptance: against Stripe test mode at {stripe_target(os.environ).api_base} (make test-stripe)"


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Where this run talks to: a fake it starts (with stripe-mock), or Stripe in test mode."""
    if _target_name() == "stripe":
        yield stripe_target(os.environ)
        return
    mock: StripeMock = request.getfixturevalue("stripe_mock")
    fake = FakeStripe(stripe_mock_url=mock.url).start()
    try:
        yield Target("fake", FAKE_TEST_KEY, fake.url)
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def client(target: Target) -> stripe.StripeClient:
    return target.client()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`accounts_api`: both Accounts APIs against the fake; against Stripe, the one chosen or detected."""
    if "accounts_api" in metafunc.fixturenames:
        apis = ["v1", "v2"] if _target_name() == "fake" else [accounts_api_choice(os.environ)]
        metafunc.parametrize("accounts_api", apis, indirect=True)


@pytest.fixture
def accounts_api(request: pytest.FixtureRequest, client: stripe.StripeClient) -> str:
    choice = str(request.param)
    return detect_accounts_api(client) if choice == "detect" else choice


@pytest.fixture(scope="session")
def made(client: stripe.StripeClient) -> Iterator[Made]:
    """This run's objects in Stripe, tagged with its run ID and taken back at the end of the session,
    also when a step failed."""
    run = Made(client, new_run_id())
    run.sweep_configurations()
    yield run
    problems = run.clean()
    assert not problems, "could not clean up after the acceptance run:\n" + "\n".join(problems)


@dataclass
class Project(Deployment):
    """A temporary Pulumi project running the repo's stack program, with a local file backend; no recording
    proxy or stripe-mock of its own (`recorder`, `mock`: None), since the target may be Stripe itself."""

    key: str = field(default="", repr=False)

    def assert_no_changes(self) -> None:
        """Terraform's empty plan after each step: nothing to change, by preview and by refresh."""
        preview = self.cli.preview("--expect-no-changes", "--diff")
        assert preview.returncode == 0, f"preview expected no changes:\n{preview.output}"
        refresh = self.cli.refresh("--expect-no-changes", check=False)
        assert refresh.returncode == 0, f"refresh expected no changes:\n{refresh.output}"

    def assert_key_absent(self) -> None:
        assert self.key not in self.cli.export(), "the Stripe key is in the stack's state"


@pytest.fixture
def project(tmp_path: Path, target: Target, made: Made) -> Iterator[Project]:
    """The stack `acceptance`; destroyed at the end of the test whatever happened, so Stripe gets back
    what the stack changed before the run's own objects are deleted."""
    directory = make_project(tmp_path)
    cli = _cli(tmp_path, directory, target.api_base, STRIPE_API_KEY=target.api_key)
    cli.select_stack("acceptance")
    yield Project(cli, None, None, directory, tmp_path / "pulumi.log", "acceptance",  # type: ignore[arg-type]
                  key=target.api_key)
    cli.destroy(check=False)
