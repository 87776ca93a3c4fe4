"""Run-wide checks: no process started by this test run outlives it (issue 11, item 9).

Every process the run starts (stripe-mock, `portal-infra fake-stripe`, pulumi and its plugins)
inherits a marker in its environment. When the session ends, after every fixture is torn down,
any process still carrying the marker is reported and ended, and the run fails.

Under pytest-xdist (`make test` runs `pytest -n`) each worker carries a marker of its own, so one
worker's check never sees, or ends, what another worker is still running; a worker hands what it
found to the controller (`workeroutput`), which reports it and fails the run.
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
_LEFTOVERS = "portal_infra_leftover_processes"
_from_workers: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(RUN_MARKER, uuid.uuid4().hex)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # the controller's marker was inherited; this worker's own starts here
        os.environ[RUN_MARKER] = f"{os.environ[RUN_MARKER].split('-')[0]}-{worker}"


# Under xdist the items go out in this order, so the long end-to-end tests start first and the many short unit
# and fake tests fill the workers at the end, instead of one long test running alone after the rest.
_HEAVY_FIRST = ("faults", "e2e", "docs", "acceptance", "bench", "integration", "branding_preview", "pull", "fake",
                "unit")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    def layer(item: pytest.Item) -> int:
        parts = item.nodeid.split("/")
        name = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return _HEAVY_FIRST.index(name) if name in _HEAVY_FIRST else len(_HEAVY_FIRST)

    items.sort(key=layer)  # stable: a module's (and a docs page's) tests keep their order


def pytest_testnodedown(node: object, error: object) -> None:
    """On the xdist controller: what a worker found still running at its end."""
    output = getattr(node, "workeroutput", None) or {}
    _from_workers.extend(output.get(_LEFTOVERS, []))


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


@pytest.hookimpl(trylast=True)  # on the xdist controller: after xdist has shut its workers down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not Path("/proc/self/environ").exists() or RUN_MARKER not in os.environ:
        return
    deadline = time.monotonic() + _GRACE_SECONDS
    left = _started_by_this_run()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)  # a process told to stop by a fixture's teardown may still be exiting
        left = _started_by_this_run()
    for pid in left:
        with contextlib.suppress(OSError):  # exited meanwhile
            os.kill(pid, signal.SIGKILL)
    found = [f"  {pid}: {cmd}" for pid, cmd in sorted(left.items())]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and fails the run
        workeroutput[_LEFTOVERS] = found
        return
    found += _from_workers
    if not found:
        return
    lines = "\n".join(found)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"processes started by this test run are still running (ended now):\n{lines}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
