"""Run Stripe's official stripe-mock on a free loopback port: the Go-built binary, or its Docker
image when PORTAL_INFRA_STRIPE_MOCK=docker."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .containers import DOCKER_MODE, StripeMockContainer
from .tools import end_process, stripe_mock_binary

START_TIMEOUT = 30.0
_PR_SET_PDEATHSIG = 1


def _dies_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook that has Linux stop the child when the process that started it dies.

    `stop()` ends stripe-mock on every orderly exit; this covers the others (kill -9 of a test
    run, of `portal-infra fake-stripe`, a CI time-out), which would leave it running on its port.
    Linux ties the signal to the starting *thread*, so it is used only from the main thread.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()

    def hook() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the hook ran
            os._exit(1)

    return hook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f}s")


class StripeMock:
    """stripe-mock bound to 127.0.0.1 (never all interfaces), its output in `log_path`.

    `binary` "docker" (PORTAL_INFRA_STRIPE_MOCK=docker) runs Stripe's image as a container instead,
    published on loopback; its output is copied to `log_path` as it comes."""

    def __init__(self, log_path: Path, binary: Path | None = None) -> None:
        self.log_path = log_path
        self.binary = binary or stripe_mock_binary()
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._container: StripeMockContainer | None = None
        self._log_follower: subprocess.Popen[bytes] | None = None

    @property
    def in_docker(self) -> bool:
        return str(self.binary) == DOCKER_MODE

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StripeMock:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.in_docker:
            self._container = StripeMockContainer().start()
            self.port = self._container.port
            with self.log_path.open("ab") as log:
                self._log_follower = self._container.follow_logs(log)
            return self
        self.port = free_port()
        https_port = free_port()
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [str(self.binary), "-http-addr", f"127.0.0.1:{self.port}", "-https-addr", f"127.0.0.1:{https_port}"],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=_dies_with_parent(),
        )
        log.close()
        wait_for_port(self.port, START_TIMEOUT, self._process)
        return self

    def request_lines(self) -> list[str]:
        """The `Request: METHOD /path` lines stripe-mock has logged."""
        # From the engine for a container: the copy in log_path may lag by a moment.
        if self._container is not None:
            text = self._container.logs()
        elif self.log_path.exists():
            text = self.log_path.read_text(errors="replace")
        else:
            return []
        return [ln for ln in text.splitlines() if ln.startswith("Request: ")]

    def stop(self) -> None:
        container, self._container = self._container, None
        follower, self._log_follower = self._log_follower, None
        try:
            if container is not None:
                container.stop()
        finally:
            if follower is not None:
                # It ends by itself once the container is gone; this only bounds the wait.
                try:
                    follower.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    follower.kill()
                    follower.wait()
        end_process(self._process)
        self._process = None

    def __enter__(self) -> StripeMock:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
