"""Stripe's official stripe-mock as a container, driven through the docker CLI.

Chosen with `PORTAL_INFRA_STRIPE_MOCK=docker`. The docker CLI is what every Docker user already has,
so this needs no Python Docker library and no helper container (testcontainers' reaper would need
an image pulled from Docker Hub). The container publishes its HTTP port on 127.0.0.1 only, on a port
the engine picks, and is removed when stopped.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import time
import uuid
from typing import IO

DOCKER_MODE = "docker"
IMAGE_ENV = "PORTAL_INFRA_STRIPE_MOCK_IMAGE"
# The same release scripts/bootstrap.sh builds, as Stripe publishes it.
DEFAULT_IMAGE = "stripe/stripe-mock:v0.203.0"
# Every container started here carries this label, so leftovers can be found (and are checked for);
# a test run can add one of its own (`key=value`) to find exactly its containers.
LABEL = "io.portal-infra.role=stripe-mock"
RUN_LABEL_ENV = "PORTAL_INFRA_DOCKER_LABEL"
START_TIMEOUT = 60.0
CLI_TIMEOUT = 120.0


class DockerUnavailable(RuntimeError):
    """No docker CLI, or no engine answering it: the reason, in words a person can act on."""


def docker_cli() -> str:
    found = shutil.which("docker")
    if not found:
        raise DockerUnavailable("no docker CLI on PATH: install Docker, or unset PORTAL_INFRA_STRIPE_MOCK=docker")
    return found


def engine_problem() -> str | None:
    """Why no Docker engine can be used, or None when one answers."""
    try:
        cli = docker_cli()
    except DockerUnavailable as err:
        return str(err)
    try:
        done = subprocess.run([cli, "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True,
                              timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return "the Docker engine did not answer `docker version` within 30s"
    if done.returncode != 0 or not done.stdout.strip():
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"no Docker engine answers ({detail}); start one (e.g. `dockerd`), or unset PORTAL_INFRA_STRIPE_MOCK"
    return None


def docker(*args: str, timeout: float = CLI_TIMEOUT) -> str:
    """Run one docker CLI command; its stdout, or an error naming the command and what it printed."""
    done = subprocess.run([docker_cli(), *args], capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`docker {' '.join(args)}` failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def wait_for_http(host: str, port: int, timeout: float) -> None:
    """Until any HTTP reply comes back. A published port accepts TCP connections (the engine's
    proxy) before the server inside listens, so a TCP connect alone proves nothing."""
    deadline = time.monotonic() + timeout
    last = "no attempt"
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException) as err:
            last = f"{type(err).__name__}: {err}"
        finally:
            conn.close()
        time.sleep(0.1)
    raise TimeoutError(f"no HTTP answer from {host}:{port} after {timeout:.0f}s ({last})")


class StripeMockContainer:
    """One stripe-mock container on a loopback port the engine picks; `stop()` removes it."""

    def __init__(self, image: str | None = None) -> None:
        self.image = image or os.environ.get(IMAGE_ENV) or DEFAULT_IMAGE
        self.container_id = ""
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StripeMockContainer:
        problem = engine_problem()
        if problem:
            raise DockerUnavailable(problem)
        if not docker("images", "--quiet", self.image).strip():
            try:
                docker("pull", "--quiet", self.image, timeout=600)
            except RuntimeError as err:
                raise DockerUnavailable(
                    f"image {self.image} is not present and cannot be pulled ({err}); "
                    "scripts/docker-images.sh builds a local one from the Go-built stripe-mock") from err
        name = f"portal-infra-stripe-mock-{uuid.uuid4().hex[:10]}"
        # The image's entrypoint serves HTTP on 12111 (and HTTPS on 12112, not published here).
        labels = ["--label", LABEL]
        if os.environ.get(RUN_LABEL_ENV):
            labels += ["--label", os.environ[RUN_LABEL_ENV]]
        # --init: a real PID 1 passes the engine's stop signal on, so stopping takes no grace period.
        self.container_id = docker("run", "--detach", "--rm", "--init", "--name", name, *labels,
                                   "--publish", "127.0.0.1::12111", self.image).strip()
        try:
            published = docker("port", self.container_id, "12111/tcp").split()[0]
            self.port = int(published.rsplit(":", 1)[1])
            wait_for_http("127.0.0.1", self.port, START_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def follow_logs(self, log: IO[bytes]) -> subprocess.Popen[bytes]:
        """Copy the container's output into `log` as it comes, until the container is gone."""
        return subprocess.Popen([docker_cli(), "logs", "--follow", self.container_id], stdout=log,
                                stderr=subprocess.STDOUT)

    def logs(self) -> str:
        if not self.container_id:
            return ""
        done = subprocess.run([docker_cli(), "logs", self.container_id], capture_output=True, text=True,
                              timeout=CLI_TIMEOUT, check=False)
        return done.stdout + done.stderr

    def stop(self) -> None:
        if self.container_id:
            # Already gone (exited and auto-removed) is fine; anything else is not hidden.
            done = subprocess.run([docker_cli(), "rm", "--force", self.container_id], capture_output=True,
                                  text=True, timeout=CLI_TIMEOUT, check=False)
            if done.returncode != 0 and "No such container" not in done.stderr:
                raise RuntimeError(f"could not remove container {self.container_id[:12]}: {done.stderr.strip()}")
        self.container_id = ""
