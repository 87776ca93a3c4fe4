"""The compose file's stack (Stripe's stripe-mock image and the fake's image) on a real Docker engine,
once per session, on free loopback ports; taken down afterwards, with a check that nothing is left.

Runs under `make test-docker` (scripts/docker-test.sh), which starts an engine and makes the images
first. Anywhere else, or where no engine can run, these tests skip and say why.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal_infra.testing import free_port
from portal_infra.testing.containers import docker, engine_problem
from portal_infra.testing.fake import FakeStripeControl

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker" / "docker-compose.yml"
FAKE_IMAGE = "portal-infra/fake-stripe:local"
ENABLE_ENV = "PORTAL_INFRA_DOCKER_TESTS"
UNAVAILABLE_ENV = "PORTAL_INFRA_DOCKER_UNAVAILABLE"
PROJECT_ENV = "PORTAL_INFRA_COMPOSE_PROJECT"


def _skip_reason() -> str | None:
    if os.environ.get(ENABLE_ENV) != "1":
        return "the Docker layer runs with `make test-docker` (it starts an engine and builds the images)"
    return os.environ.get(UNAVAILABLE_ENV) or engine_problem()


@dataclass
class ComposeStack:
    project: str
    stripe_mock_url: str
    fake_url: str

    def compose(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", "compose", "--project-name", self.project, "--file", str(COMPOSE_FILE),
                               *args], capture_output=True, text=True, timeout=300, check=False,
                              env={**os.environ, **(env or {})})

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-color", service).stdout

    def leftovers(self) -> list[str]:
        label = f"label=com.docker.compose.project={self.project}"
        containers = docker("ps", "--all", "--quiet", "--filter", label)
        return (containers + docker("network", "ls", "--quiet", "--filter", label)).split()


@pytest.fixture(scope="session")
def compose_stack() -> Iterator[ComposeStack]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    for image in (_stripe_mock_image(), FAKE_IMAGE):
        if not docker("images", "--quiet", image).strip():
            pytest.fail(f"image {image} is missing: scripts/docker-images.sh makes it (make test-docker runs it)")
    ports = {"STRIPE_MOCK_PORT": free_port(), "STRIPE_MOCK_HTTPS_PORT": free_port(), "FAKE_STRIPE_PORT": free_port()}
    stack = ComposeStack(os.environ.get(PROJECT_ENV) or f"portal-infra-test-{uuid.uuid4().hex[:8]}",
                         f"http://127.0.0.1:{ports['STRIPE_MOCK_PORT']}", f"http://127.0.0.1:{ports['FAKE_STRIPE_PORT']}")
    try:
        # --no-build/--pull never: run exactly the images made above; --wait: until the fake's
        # health check passes (stripe-mock's image has no shell to run one: running is enough).
        up = stack.compose("up", "--detach", "--wait", "--wait-timeout", "120", "--no-build", "--pull", "never",
                           env={k: str(v) for k, v in ports.items()})
        if up.returncode != 0:
            pytest.fail(f"docker compose up failed:\n{up.stderr}\n{stack.logs('fake-stripe')}")
        yield stack
    finally:
        down = stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "10")
        assert down.returncode == 0, down.stderr
        assert stack.leftovers() == [], f"compose down left containers or networks of {stack.project}"


def _stripe_mock_image() -> str:
    for line in COMPOSE_FILE.read_text().splitlines():
        if line.strip().startswith("image: stripe/stripe-mock:"):
            return line.split("image:", 1)[1].strip()
    raise AssertionError(f"{COMPOSE_FILE} names no stripe/stripe-mock image")


@dataclass
class ContainerStripeMock:
    """The compose stack's stripe-mock, shaped like the `stripe_mock` fixture's value."""

    url: str
    stack: ComposeStack

    def request_lines(self) -> list[str]:
        return [ln.split("|", 1)[-1].strip() for ln in self.stack.logs("stripe-mock").splitlines()
                if "Request: " in ln]


@pytest.fixture(scope="session")
def stripe_mock(compose_stack: ComposeStack) -> ContainerStripeMock:
    """Overrides the plugin's fixture here: the contract tests talk to the stack's stripe-mock."""
    return ContainerStripeMock(compose_stack.stripe_mock_url, compose_stack)


@pytest.fixture
def fake_control(compose_stack: ComposeStack) -> FakeStripeControl:
    control = FakeStripeControl(compose_stack.fake_url)
    control.reset()
    return control
