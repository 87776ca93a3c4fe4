"""Run-wide checks: no process started by this test run outlives it (issue 11, item 9).

Every process the run starts (stripe-mock, `portal-infra fake-stripe`, pulumi and its plugins)
inherits a marker in its environment. When the session ends, after every fixture is torn down,
any process still carrying the marker is reported and ended, and the run fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

RUN_MARKER = "PORTAL_INFRA_TEST_RUN"
_GRACE_SECONDS = 10.0


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(RUN_MARKER, uuid.uuid4().hex)


def _started_by_this_run() -> dict[int, str]:
    needle = f"{RUN_MARKER}={os.environ[RUN_MARKER]}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue  # exited; only its parent's wait is missing
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not Path("/proc/self/environ").exists() or RUN_MARKER not in os.environ:
        return
    deadline = time.monotonic() + _GRACE_SECONDS
    left = _started_by_this_run()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)  # a process told to stop by a fixture's teardown may still be exiting
        left = _started_by_this_run()
    if not left:
        return
    lines = "\n".join(f"  {pid}: {cmd}" for pid, cmd in sorted(left.items()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"processes started by this test run are still running (ended now):\n{lines}", red=True)
    for pid in left:
        with contextlib.suppress(OSError):  # exited meanwhile
            os.kill(pid, signal.SIGKILL)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
