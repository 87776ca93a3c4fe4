"""Client-side pacing of Stripe requests, shared by every resource in the provider process.

Stripe limits each account twice over (docs.stripe.com/rate-limits; STRIPE.md section 6): a global
rate for all of its requests (100/s in live mode, 25/s in test mode) and, in both modes, a rate
for each *endpoint* (25/s), an endpoint being one named operation with its IDs folded:
`POST /v1/billing_portal/configurations`, `POST /v1/accounts/{id}` and `GET /v1/accounts/{id}` are
three. The files API has its own: 20 reads/s and 20 writes/s. Past any of them Stripe answers 429.
So every request counts against two budgets, its *lane* (its endpoint's, or the files reads' or
writes') and the account's global one, and takes a send time that both allow, in one step.

Each budget spaces the send times it hands out at least 1/rate apart: no one-second window then
sees more than rate + 1 of its requests, whichever way Stripe aligns its windows, so a rate set a
little under Stripe's limit never meets a 429 from pacing alone. A burst would gain nothing here,
since throughput is the rate either way.

A budget keeps the send times it has promised and not yet reached (a short sorted list), not just
"the next free time". A request held later by its own endpoint's budget takes a global slot far
ahead, and the global slots before it stay free for requests of other endpoints; a single "next"
would leave them idle. So a fleet spread over several endpoints (a branded fleet: accounts read and
updated, files uploaded, configurations created) approaches the global rate, not one endpoint's.

Stripe's budget is the account's, not the process's. A provider pool (several provider processes
in one `pulumi up`) or stacks deployed side by side on one machine would each pace to the full rate
and together exceed it. So budgets can be machine-wide: each lives in a small file under the
user's temp directory, named by a digest of the API address and key (never the key) and the
budget's name, read and rewritten under `flock`. A request locks its lane's file, then the global
one: one fixed order for every process, so two requests never wait for each other's lock.
CLOCK_MONOTONIC is one clock for every process on a Linux host.
"""

from __future__ import annotations

import bisect
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
LaneKind = Literal["endpoint", "files-read", "files-write"]

# The budget names of the files API, and of the account's global rate.
FILES_READ = "files-read"
FILES_WRITE = "files-write"
GLOBAL = "global"


@dataclass(frozen=True)
class RateLimits:
    """Requests per second: `test` and `live` for the account's global rate in each key mode,
    `endpoint` for each endpoint (either mode), `files_read` and `files_write` for the files API.

    Each sits one under Stripe's limit (25, 100 less a margin, 25, 20, 20): an evenly paced budget
    puts at most rate + 1 requests in any one second, so one under the limit never meets it. Live
    keeps 5/s more, for the Dashboard and the other clients of a live account, which share its
    global budget; a test account is usually a team's own.
    """

    test: float = 24.0
    live: float = 95.0
    endpoint: float = 24.0
    files_read: float = 19.0
    files_write: float = 19.0

    def global_per_second(self, mode: str) -> float:
        return self.live if mode == "live" else self.test

    def lane_per_second(self, lane: Lane) -> float:
        if lane.kind == "files-read":
            return self.files_read
        if lane.kind == "files-write":
            return self.files_write
        return self.endpoint


@dataclass(frozen=True)
class Lane:
    """The budget a request counts against besides the global one: its endpoint's, or the files API's
    reads or writes. `name` names it (`POST /v1/accounts/{id}`, `files-write`)."""

    kind: LaneKind
    name: str


def _namespaces() -> frozenset[str]:
    """Stripe's namespaced collections (`billing_portal/configurations`, `billing/feedback_options`),
    from the object names of the pinned stripe-python (`billing_portal.configuration`)."""
    try:
        from stripe._object_classes import OBJECT_CLASSES  # the SDK's own table of object names
        names = set(OBJECT_CLASSES)
    except ImportError:  # pragma: no cover - an SDK without that table: the ones portal-infra calls
        names = set()
    found = {name.split(".")[0] for name in names if name.count(".") == 1 and not name.startswith("v2.")}
    return frozenset(found | {"billing_portal", "billing"})


NAMESPACES = _namespaces()


def endpoint(method: str, path: str) -> str:
    """`METHOD /v1/<collection>[/{id}[/<action>...]]`: the path with IDs folded, by position.

    v1 paths (and v2 ones after their namespace) alternate a name and an ID after the collection
    (`/v1/accounts/{id}/persons/{id}`, `/v1/invoices/{id}/finalize`); a namespace (`billing_portal`)
    or `test_helpers` comes first. IDs may be chosen by the user (coupon codes, price lookup keys are
    not in paths but coupon IDs are), so they are folded by where they stand, never by how they look.
    A word in an ID's place (the `search` of `/v1/customers/search`) is folded too: two endpoints
    sharing one budget is only slower.
    """
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    folded = parts[:1]  # the version
    rest = parts[1:]
    if rest and rest[0] == "test_helpers":
        folded.append(rest.pop(0))
    if folded == ["v2"] and len(rest) > 1:
        # v2 paths always name a namespace first (`/v2/core/accounts/{id}`; stripe-python 16.1.0
        # `stripe/v2/core/_account_service.py`).
        folded.append(rest.pop(0))
    elif len(rest) > 1 and rest[0] in NAMESPACES:
        folded.append(rest.pop(0))
    folded.extend(part if i % 2 == 0 else "{id}" for i, part in enumerate(rest))
    return f"{method.upper()} /" + "/".join(folded)


def lane(method: str, path: str, api: Api = "api") -> Lane:
    """The lane of one request: the files API's reads or writes (uploads go to Stripe's files
    address, `api="files"`; a File's metadata and contents are read at `/v1/files/...`), else its
    endpoint."""
    name = endpoint(method, path)
    if api == "files" or name.split(" ", 1)[1].startswith("/v1/files"):
        return Lane("files-read", FILES_READ) if method.upper() == "GET" else Lane("files-write", FILES_WRITE)
    return Lane("endpoint", name)


class Budget:
    """One rate limit: send times at least 1/`per_second` apart, handed out ahead of time.

    It keeps the times it has promised that are still to come (`slots`, sorted) and a `floor` before
    which it promises nothing (a hold-off). Given a `shared` file, the same state lives there, so
    every process with that file shares the budget; each use re-reads it under an exclusive flock.
    """

    # Promised times kept for filling gaps. Past this many, the earliest is folded into the floor:
    # nothing is promised twice, only a gap before it is no longer filled.
    CAPACITY = 64
    # A time this far ahead was written before the machine restarted (the clock starts again at
    # boot); no real hold-off is this long, so such a state is ignored rather than waited for.
    STALE_AHEAD = 600.0

    def __init__(self, per_second: float, *, shared: Path | None = None, name: str = "") -> None:
        self.per_second = per_second
        self.name = name
        self._lock = threading.Lock()
        self._file = _StateFile(shared) if shared is not None else None
        self.floor = 0.0
        self.slots: list[float] = []

    @property
    def gap(self) -> float:
        return 1.0 / self.per_second

    @contextlib.contextmanager
    def held(self, now: float) -> Iterator[Budget]:
        """This budget alone, its state current (pruned of what `now` has passed), written back after."""
        # The thread lock first: flock does not exclude threads sharing one open file.
        with self._lock:
            if self._file is None:
                self._prune(now)
                yield self
                return
            with self._file.locked():
                self.floor, self.slots = self._file.read()
                self._prune(now)
                yield self
                self._file.write(self.floor, self.slots)

    def allows(self, at: float) -> bool:
        """Whether a send at `at` keeps this budget's spacing (held)."""
        if at < self.floor:
            return False
        i = bisect.bisect_left(self.slots, at)
        # A little tolerance, so that a time computed as slot + gap is not refused by rounding.
        gap = self.gap - 1e-9
        return (i == len(self.slots) or self.slots[i] - at >= gap) and (i == 0 or at - self.slots[i - 1] >= gap)

    def candidates(self) -> Iterator[float]:
        """The earliest times this budget may allow (held): its floor, and just after each promise."""
        yield self.floor
        gap = self.gap
        for slot in self.slots:
            yield slot + gap

    def promise(self, at: float) -> None:
        bisect.insort(self.slots, at)
        while len(self.slots) > self.CAPACITY:
            self.floor = max(self.floor, self.slots.pop(0) + self.gap)

    def hold(self, until: float) -> None:
        self.floor = max(self.floor, until)

    def _prune(self, now: float) -> None:
        if self.floor > now + self.STALE_AHEAD or (self.slots and self.slots[-1] > now + self.STALE_AHEAD):
            self.floor, self.slots = 0.0, []
        # A promise a gap or more in the past constrains no time from now on.
        cut = bisect.bisect_left(self.slots, now - self.gap)
        del self.slots[:cut]


class Pacer:
    """Hands out send times that all of its budgets allow, to any number of threads (and, through
    shared budgets, processes). `Pacer(20)` is one process-wide budget of 20/s; `shared` puts it in
    a file. `lane` adds the budget of a request's endpoint, taken (and locked) before the other."""

    def __init__(self, per_second: float | Budget, *, lane: Budget | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 shared: Path | None = None) -> None:
        self.overall = per_second if isinstance(per_second, Budget) else Budget(per_second, shared=shared)
        self.lane = lane
        self._clock = clock
        self._sleep = sleep

    @property
    def per_second(self) -> float:
        return self.overall.per_second

    @per_second.setter
    def per_second(self, value: float) -> None:
        self.overall.per_second = value

    def acquire(self) -> float:
        """Wait for this caller's turn; returns the seconds waited."""
        with self._held() as (now, budgets):
            at = min(t for t in _candidates(now, budgets) if all(b.allows(t) for b in budgets))
            for budget in budgets:
                budget.promise(at)
        wait = at - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold_off(self, seconds: float, *, lane_only: bool = False) -> None:
        """Nothing of this pacer is sent for `seconds`: with `lane_only`, nothing of its lane (an
        endpoint's limit was met); else nothing at all (the account's). A pacer without a lane holds all."""
        held = self.lane if lane_only and self.lane is not None else self.overall
        with self._held_one(held) as now:
            held.hold(now + seconds)

    @contextlib.contextmanager
    def _held(self) -> Iterator[tuple[float, list[Budget]]]:
        # The lane before the global budget, in every process: a fixed order cannot deadlock.
        with contextlib.ExitStack() as stack:
            budgets = [b for b in (self.lane, self.overall) if b is not None]
            now = self._clock()
            for budget in budgets:
                stack.enter_context(budget.held(now))
            yield now, budgets

    @contextlib.contextmanager
    def _held_one(self, budget: Budget) -> Iterator[float]:
        now = self._clock()
        with budget.held(now):
            yield now


def _candidates(now: float, budgets: list[Budget]) -> list[float]:
    # The earliest time all budgets allow is the earliest time one of them allows: sorted, the first
    # that every budget allows wins. One always does: after the last promise of every budget.
    return sorted({now, *(t for b in budgets for t in b.candidates() if t > now)})


class _StateFile:
    """A budget's floor and promised times (CLOCK_MONOTONIC seconds) as little-endian doubles,
    floor first, under an exclusive flock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def read(self) -> tuple[float, list[float]]:
        raw = os.pread(self._fd, 8 * (Budget.CAPACITY + 1), 0)
        values = list(struct.unpack(f"<{len(raw) // 8}d", raw[:len(raw) // 8 * 8]))
        return (values[0], sorted(values[1:])) if values else (0.0, [])

    def write(self, floor: float, slots: list[float]) -> None:
        data = struct.pack(f"<{len(slots) + 1}d", floor, *slots)
        os.pwrite(self._fd, data, 0)
        os.ftruncate(self._fd, len(data))


_budgets: dict[tuple[str, str, str], Budget] = {}
_budgets_lock = threading.Lock()


def budget(mode: str, name: str, per_second: float, account: str = "") -> Budget:
    """The budget `name` (`global`, `files-read`, `files-write` or an endpoint) of this key mode, at
    the rate the stack now asks for.

    `account` is a digest naming whose budget this is (`budget_scope`): given one, the budget is
    machine-wide, shared with every process using the same digest; without, it is process-wide.
    """
    with _budgets_lock:
        found = _budgets.get((mode, name, account))
        if found is None:
            shared = _pacer_dir() / f"{account}-{_file_name(name)}" if account else None
            found = _budgets[(mode, name, account)] = Budget(per_second, shared=shared, name=name)
        found.per_second = per_second
        return found


def pacer(mode: str, lane: Lane, limits: RateLimits, account: str = "") -> Pacer:
    """The pacer of one request: its lane's budget and the account's global one, for this key mode."""
    return Pacer(budget(mode, GLOBAL, limits.global_per_second(mode), account),
                 lane=budget(mode, lane.name, limits.lane_per_second(lane), account))


def budget_scope(api_base: str, api_key: str) -> str:
    """A digest for one Stripe account's budget: the key and where it is sent. The key itself never
    reaches a file name; a SHA-256 digest of it cannot be turned back into it."""
    return hashlib.sha256(f"{api_base}\n{api_key}".encode()).hexdigest()[:32]


def _file_name(name: str) -> str:
    # Endpoint names hold slashes and braces: a short digest names their file instead.
    if name in (GLOBAL, FILES_READ, FILES_WRITE):
        return name
    return "endpoint-" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _pacer_dir() -> Path:
    # Per user, so that two users of one machine neither share nor block each other's files.
    return Path(tempfile.gettempdir()) / f"portal-infra-pacers-{os.getuid()}"

