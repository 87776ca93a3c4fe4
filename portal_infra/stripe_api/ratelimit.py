"""Client-side pacing of Stripe requests, shared by every resource in the provider process.

Stripe limits an account to 25 requests/s in test mode, 100/s in live mode and 20/s on the files
API, and answers 429 past that. A fleet `pulumi up` runs many resource operations at once in one
provider process, so each gateway call takes its turn from one pacer per (key mode, API) kept at
module level: every resource, and every retry, counts against the same budget.

The pacer spaces requests evenly (a token bucket holding a single token): no one-second window
then sees more than rate + 1 requests, whichever way Stripe aligns its windows, so a rate set a
little under Stripe's limit never meets a 429 from pacing alone. A burst would gain nothing here,
since throughput is the rate either way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Api = Literal["api", "files"]


@dataclass(frozen=True)
class RateLimits:
    """Requests per second: `test` and `live` for Stripe's API, `files` for its files API (any mode)."""

    test: float = 20.0
    live: float = 80.0
    files: float = 15.0

    def per_second(self, mode: str, api: Api) -> float:
        if api == "files":
            return self.files
        return self.live if mode == "live" else self.test


class Pacer:
    """Hands out send times at most `per_second` apart to any number of threads."""

    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self.per_second = per_second

    def acquire(self) -> float:
        """Wait for this caller's turn; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.per_second
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold_off(self, seconds: float) -> None:
        """Stripe asked for a pause (`Retry-After`): no caller of this pacer sends before it ends."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


_pacers: dict[tuple[str, Api], Pacer] = {}
_pacers_lock = threading.Lock()


def pacer(mode: str, api: Api, per_second: float) -> Pacer:
    """The process-wide pacer for this key mode and API, at the rate the stack now asks for."""
    with _pacers_lock:
        found = _pacers.get((mode, api))
        if found is None:
            found = _pacers[(mode, api)] = Pacer(per_second)
        found.per_second = per_second
        return found
