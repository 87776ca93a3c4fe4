"""Client-side pacing of Stripe requests, shared by every resource in the provider process.

Stripe limits an account to 25 requests/s in test mode, 100/s in live mode and 20/s on the files
API, and answers 429 past that. A fleet `pulumi up` runs many resource operations at once in one
provider process, so each gateway call takes its turn from one pacer per (key mode, API) kept at
module level: every resource, and every retry, counts against the same budget.

The pacer spaces requests evenly (a token bucket holding a single token): no one-second window
then sees more than rate + 1 requests, whichever way Stripe aligns its windows, so a rate set a
little under Stripe's limit never meets a 429 from pacing alone. A burst would gain nothing here,
since throughput is the rate either way.

Stripe's budget is the account's, not the process's. A provider pool (several provider processes
in one `pulumi up`) or stacks deployed side by side on one machine would each pace to the full rate
and together exceed it. So a pacer can be machine-wide: its next free slot lives in a small file
under the user's temp directory, named by a digest of the API address and key (never the key),
read and advanced under `flock`. CLOCK_MONOTONIC is one clock for every process on a Linux host.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
    """Hands out send times at most `per_second` apart to any number of threads, and, when given a
    `shared` file, to any number of processes pacing with the same file."""

    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, shared: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._shared = _SharedSlot(shared) if shared is not None else None
        self.per_second = per_second

    def acquire(self) -> float:
        """Wait for this caller's turn; returns the seconds waited."""
        with self._turn() as now:
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.per_second
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold_off(self, seconds: float) -> None:
        """Stripe asked for a pause (`Retry-After`): no caller of this pacer sends before it ends."""
        with self._turn() as now:
            self._next = max(self._next, now + seconds)

    @contextlib.contextmanager
    def _turn(self) -> Iterator[float]:
        # The thread lock first: flock does not exclude threads sharing one open file.
        with self._lock:
            if self._shared is None:
                yield self._clock()
                return
            with self._shared.held() as slot:
                now = self._clock()
                self._next = slot.read(now)
                yield now
                slot.write(self._next)


class _SharedSlot:
    """The next free send time (CLOCK_MONOTONIC seconds) in an 8-byte file, under an exclusive flock."""

    # A slot this far ahead was written before the machine restarted (the clock starts again at
    # boot); no real hold-off is this long, so such a value is ignored rather than waited for.
    STALE_AHEAD = 600.0

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def held(self) -> Iterator[_SharedSlot]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield self
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def read(self, now: float) -> float:
        raw = os.pread(self._fd, 8, 0)
        (at,) = struct.unpack("<d", raw) if len(raw) == 8 else (0.0,)
        return 0.0 if at > now + self.STALE_AHEAD else at

    def write(self, at: float) -> None:
        os.pwrite(self._fd, struct.pack("<d", at), 0)


_pacers: dict[tuple[str, Api, str], Pacer] = {}
_pacers_lock = threading.Lock()


def pacer(mode: str, api: Api, per_second: float, account: str = "") -> Pacer:
    """The pacer for this key mode and API, at the rate the stack now asks for.

    `account` is a digest naming whose budget this is (`budget_scope`): given one, the pacer is
    machine-wide, shared with every process using the same digest; without, it is process-wide.
    """
    with _pacers_lock:
        found = _pacers.get((mode, api, account))
        if found is None:
            shared = _pacer_dir() / f"{account}-{api}" if account else None
            found = _pacers[(mode, api, account)] = Pacer(per_second, shared=shared)
        found.per_second = per_second
        return found


def budget_scope(api_base: str, api_key: str) -> str:
    """A digest for one Stripe account's budget: the key and where it is sent. The key itself never
    reaches a file name; a SHA-256 digest of it cannot be turned back into it."""
    return hashlib.sha256(f"{api_base}\n{api_key}".encode()).hexdigest()[:32]


def _pacer_dir() -> Path:
    # Per user, so that two users of one machine neither share nor block each other's files.
    return Path(tempfile.gettempdir()) / f"portal-infra-pacers-{os.getuid()}"
