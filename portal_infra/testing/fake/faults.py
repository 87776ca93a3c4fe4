"""Fault injection and an emulated rate limit, driven through the control API."""

from __future__ import annotations

import random
import re
import threading
import time
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


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._per_second: int | None = None
        self._window = (0, 0)  # (second, count)
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
            self._per_second = None
        self.release()

    def pick(self, method: str, path: str, when: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.when == when and rule.matches(method, path) and rule.fires():
                    return rule
        return None

    def set_rate_limit(self, per_second: int | None) -> None:
        with self._lock:
            self._per_second = per_second
            self._window = (0, 0)

    def over_rate_limit(self) -> bool:
        with self._lock:
            if not self._per_second:
                return False
            now = int(time.monotonic())
            second, count = self._window
            count = count + 1 if second == now else 1
            self._window = (now, count)
            return count > self._per_second

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
