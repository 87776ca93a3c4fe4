"""Fault injection and Stripe's rate limits, emulated, driven through the control API.

The limits follow docs.stripe.com/rate-limits (STRIPE.md section 6): a global rate for all of an
account's requests, a rate for each endpoint (the route with IDs folded, urls.route_name), and the
files API's own limit for its reads and for its writes, counted instead of their endpoints'. Every
request counts against its endpoint's (or files) budget and the global one. Over one, Stripe
answers 429 with `Stripe-Rate-Limited-Reason` naming the limiter: `endpoint-rate`, `global-rate`,
or, for the files API (a limit Stripe lists per resource; which reason it sends is a guess to be
confirmed by the real-Stripe suite), `resource-specific`. Whether Files count against the global
rate Stripe does not say; here they do, the stricter reading. Connect requests (`Stripe-Account`)
count against the platform's budgets, as STRIPE.md assumes.

Each budget is a token bucket holding one second of requests and refilled at its rate, the
algorithm Stripe's engineering blog describes for its request rate limiter ("Scaling your API with
rate limiters", 2017); the bucket's size is not published. Unlike the one-second window counter
this replaced, it has no window edges where two seconds' worth passes at once, and it refuses a
client that sends faster than the rate for longer than a second, however its requests fall.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass
class FaultRule:
    """What to do to matching requests.

    `status` answers with that status (`should_retry` sets `Stripe-Should-Retry`, `retry_after`
    sets `Retry-After` in seconds). `path`: a prefix, or a regex when it starts with `re:`. Fires
    on the `nth` matching request, or at `rate` (0..1), at most `times` times (None: no limit).
    `when="before"` fails the request without touching state; `"after"` applies it first and then
    loses or delays the response, as a network fault between Stripe and the client would.
    `code` sets the error's code: `"lock_timeout"` (status 429 unless given) is Stripe's answer to
    two requests on one object at once, a 429 with no `Stripe-Rate-Limited-Reason`. `reason` sets
    that header, as a limiter's 429 carries it (`endpoint-rate`, `global-rate`, ...).
    """

    path: str = ""
    method: str | None = None
    status: int | None = None
    should_retry: bool | None = None
    retry_after: float | None = None
    latency_ms: int = 0
    drop: bool = False
    pause: bool = False
    nth: int | None = None
    rate: float | None = None
    times: int | None = None
    when: Literal["before", "after"] = "before"
    code: str | None = None
    reason: str | None = None
    seed: int | None = None
    id: int = 0
    matched: int = 0
    fired: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self._random.seed(self.seed)
        if self.nth is not None and self.times is None:
            self.times = 1
        if self.code == "lock_timeout" and self.status is None:
            self.status = 429

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path.startswith("re:"):
            return re.fullmatch(self.path[3:], path) is not None
        return path.startswith(self.path)

    def fires(self) -> bool:
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        hit = (self.nth is not None and self.matched == self.nth) or (
            self.rate is not None and self._random.random() < self.rate) or (
            self.nth is None and self.rate is None)
        if hit:
            self.fired += 1
        return hit

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


FIELDS = {f for f in FaultRule.__dataclass_fields__ if not f.startswith("_") and f not in ("id", "matched", "fired")}


# The limiter reasons of Stripe's 429s (docs.stripe.com/rate-limits).
ENDPOINT_RATE = "endpoint-rate"
GLOBAL_RATE = "global-rate"
RESOURCE_SPECIFIC = "resource-specific"
LIMIT_FIELDS = ("per_second", "endpoint_per_second", "files_per_second")


@dataclass
class _Bucket:
    """Tokens for one budget: one second of requests when full, refilled at `per_second`."""

    per_second: float
    tokens: float
    at: float

    def has_token(self, now: float) -> bool:
        self.tokens = min(self.per_second, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        return self.tokens >= 1.0


class Faults:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._limits: dict[str, float] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.clock = clock
        self.paused = 0
        self._release = threading.Event()

    def add(self, spec: dict[str, Any]) -> FaultRule:
        unknown = set(spec) - FIELDS
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}; known: {sorted(FIELDS)}")
        rule = FaultRule(**spec)
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.public() for r in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._limits, self._buckets = {}, {}
        self.release()

    def pick(self, method: str, path: str, when: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.when == when and rule.matches(method, path) and rule.fires():
                    return rule
        return None

    def set_rate_limit(self, per_second: float | None = None, *, endpoint_per_second: float | None = None,
                       files_per_second: float | None = None) -> None:
        """Requests per second: `per_second` for all of an account's requests, `endpoint_per_second`
        for each endpoint, `files_per_second` for the files API's reads, and apart for its writes
        (without it, files requests are limited as endpoints). None: no such limit. Buckets start full."""
        limits = {"per_second": per_second, "endpoint_per_second": endpoint_per_second,
                  "files_per_second": files_per_second}
        for name, value in limits.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
                raise ValueError(f"rate_limit {name}: {value!r} is not a positive number (or null)")
        with self._lock:
            self._limits = {k: float(v) for k, v in limits.items() if v is not None}
            self._buckets = {}

    def rate_limit(self) -> dict[str, float | None]:
        with self._lock:
            return {name: self._limits.get(name) for name in LIMIT_FIELDS}

    def over_rate_limit(self, route: str = "", mode: str = "test") -> str | None:
        """The limiter that refuses this request (`route` as urls.route_name names it, in key `mode`),
        or None, and then the request has taken its token from each of its budgets."""
        with self._lock:
            if not self._limits:
                return None
            now = self.clock()
            budgets: list[tuple[str, str, float]] = []  # (budget, reason when it is empty, rate)
            files = self._limits.get("files_per_second")
            if files is not None and route.split(" ", 1)[-1].startswith("/v1/files"):
                budgets.append(("files-read" if route.startswith("GET ") else "files-write", RESOURCE_SPECIFIC, files))
            elif "endpoint_per_second" in self._limits:
                budgets.append((route, ENDPOINT_RATE, self._limits["endpoint_per_second"]))
            if "per_second" in self._limits:
                budgets.append(("global", GLOBAL_RATE, self._limits["per_second"]))
            buckets = []
            for name, reason, rate in budgets:
                bucket = self._buckets.get((mode, name))
                if bucket is None:
                    bucket = self._buckets[(mode, name)] = _Bucket(rate, rate, now)
                if not bucket.has_token(now):
                    return reason
                buckets.append(bucket)
            for bucket in buckets:
                bucket.tokens -= 1.0
            return None

    def hold(self, timeout: float) -> None:
        """Park a response until `release()` (or the timeout), so a test can kill the client."""
        with self._lock:
            self.paused += 1
        try:
            self._release.wait(timeout)
        finally:
            with self._lock:
                self.paused -= 1

    def release(self) -> None:
        self._release.set()
        self._release = threading.Event()
