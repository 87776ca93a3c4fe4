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
# Stripe's limits (docs.stripe.com/rate-limits; STRIPE.md section 6), emulated by the fake at any
# latency but its own, per account mode: the account's 25/s (test) or 100/s (live), and in both 25/s
# for each endpoint and 20/s for the files API's reads and for its writes.
STRIPE_LIMITS: dict[str, dict[str, int]] = {
    "test": {"per_second": 25, "endpoint_per_second": 25, "files_per_second": 20},
    "live": {"per_second": 100, "endpoint_per_second": 25, "files_per_second": 20},
}
# What a team with the account to itself sets as `portal-infra:rateLimits` under them: one below each,
# since an evenly paced budget can meet rate + 1 requests in one second. The bench's key is a test
# key (a live key only ever goes to Stripe itself), so under "live" limits it is `test`, the key's
# own mode, that takes the live account's global rate.
PACING: dict[str, dict[str, int]] = {
    "test": {"test": 24, "endpoint": 24, "filesRead": 19, "filesWrite": 19},
    "live": {"test": 95, "endpoint": 24, "filesRead": 19, "filesWrite": 19},
}
# At the fake's own latency there is no limit to respect: pacing this high never waits, so the
# figures are Pulumi's and portal-infra's own, not the default budgets'.
UNPACED_PER_SECOND = 100_000


def rate_limits_for(latency_ms: int, limits: str = "test", pacing: str = "under") -> dict[str, int]:
    """`rateLimits` for a run (the stack's and the API floor's): just under Stripe's `limits` ("test"
    or "live"), or with `pacing` "at", at them; effectively no pacing at the fake's own latency.

    "at" paces exactly as fast as the fake allows: the fake meters each limit as a token bucket of one
    second's requests refilled at the limit (portal_infra/testing/fake/faults.py), so evenly spaced
    requests at the limit never empty it. Stripe describes its own limiter as a token bucket too
    (stripe.com/blog/rate-limiters), but not its size; "under" is what a team should set."""
    if not latency_ms:
        return {"test": UNPACED_PER_SECOND, "endpoint": UNPACED_PER_SECOND, "files": UNPACED_PER_SECOND}
    if pacing == "at":
        limit = STRIPE_LIMITS[limits]
        return {"test": limit["per_second"], "endpoint": limit["endpoint_per_second"],
                "filesRead": limit["files_per_second"], "filesWrite": limit["files_per_second"]}
    return dict(PACING[limits])


def rate_floor(routes: dict[str, int], limits: str = "test") -> float:
    """Seconds Stripe's `limits` alone need for these requests (route -> count, IDs folded): the
    busiest endpoint at its limit (the files API's reads, or writes, as one), or all of them at the
    account's, whichever is longer."""
    limit = STRIPE_LIMITS[limits]
    lanes: dict[str, int] = {}
    for route, count in routes.items():
        method, path = route.split(" ", 1)
        lane = (f"files-{'read' if method == 'GET' else 'write'}" if path.startswith("/v1/files") else route)
        lanes[lane] = lanes.get(lane, 0) + count
    busiest = max((count / (limit["files_per_second"] if lane.startswith("files-") else limit["endpoint_per_second"])
                   for lane, count in lanes.items()), default=0.0)
    return max(busiest, sum(routes.values()) / limit["per_second"])


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

    def emulate(self, latency_ms: int, limits: str = "test") -> None:
        """Stripe's distance: `latency_ms` added to every request, and Stripe's `limits` ("test" or
        "live", STRIPE_LIMITS) on them (0: neither)."""
        self.control.clear_faults()
        if latency_ms:
            self.control.add_fault(latency_ms=latency_ms)
            self.control.rate_limit(**STRIPE_LIMITS[limits])


def diff_counters(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in sorted(after) if after[k] - before.get(k, 0)}
