"""The stateful fake as its own process, so its work never shares a GIL with the harness."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
from pathlib import Path
from types import TracebackType

from portal_infra.testing.fake import FakeStripeControl

ROOT = Path(__file__).resolve().parent.parent
RATE_LIMIT_PER_SECOND = 25
# What a team with a test account to itself sets as `portal-infra:rateLimits.test` under the emulated
# limit: one below it, since an evenly paced client can meet rate + 1 requests in one second.
PACED_PER_SECOND = RATE_LIMIT_PER_SECOND - 1
# At the fake's own latency there is no limit to respect: pacing this high never waits, so the
# figures are Pulumi's and portal-infra's own, not the default 20/s budget's.
UNPACED_PER_SECOND = 100_000
# Stripe documents 20 writes/s for its files API, apart from the account's limit: one below it.
FILES_PACED_PER_SECOND = 19


def rate_limits_for(latency_ms: int) -> dict[str, int]:
    """`rateLimits` for a run (the stack's and the API floor's): just under the emulated limit and
    Stripe's files limit, or effectively no pacing at the fake's own latency."""
    if not latency_ms:
        return {"test": UNPACED_PER_SECOND, "files": UNPACED_PER_SECOND}
    return {"test": PACED_PER_SECOND, "files": FILES_PACED_PER_SECOND}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class FakeProcess:
    """`portal-infra fake-stripe` without stripe-mock: the figures are portal-infra's, not stripe-mock's."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.control = FakeStripeControl(self.url)
        self._log = log
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FakeProcess:
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "portal-infra"), "fake-stripe", "--port", str(self.port),
                 "--stripe-mock", "none"], stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control.counters()
                return self
            except (urllib.error.URLError, ConnectionError):
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the fake did not start; see {self._log}") from None
                time.sleep(0.1)

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)

    def emulate(self, latency_ms: int) -> None:
        """Stripe's distance: `latency_ms` added to every request and Stripe's 25/s rate limit (0: neither)."""
        self.control.clear_faults()
        if latency_ms:
            self.control.add_fault(latency_ms=latency_ms)
            self.control.rate_limit(RATE_LIMIT_PER_SECOND)


def diff_counters(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in sorted(after) if after[k] - before.get(k, 0)}
