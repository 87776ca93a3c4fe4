"""A client for the fake's control API, for tests and benchmarks that run it in another process."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


class FakeStripeControl:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, method: str, path: str, data: Any = None) -> Any:
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(f"{self.url}/_fake/{path}", data=body, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "requests")["requests"]
        return result

    def counters(self) -> dict[str, int]:
        result: dict[str, int] = self._call("GET", "counters")["counters"]
        return result

    def count(self, route: str) -> int:
        return self.counters().get(route, 0)

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "faults", rule)
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def rate_limit(self, per_second: float | None = None, *, endpoint_per_second: float | None = None,
                   files_per_second: float | None = None) -> None:
        """Stripe's limits, emulated (faults.py): all requests, each endpoint, the files API's reads and
        its writes, each per second; None lifts that limit. `rate_limit(None)` lifts them all."""
        self._call("POST", "rate_limit", {"per_second": per_second, "endpoint_per_second": endpoint_per_second,
                                          "files_per_second": files_per_second})

    def paused(self) -> int:
        result: int = self._call("GET", "paused")["paused"]
        return result

    def release(self) -> None:
        self._call("POST", "release", {})

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def restrict_key(self, key: str, grants: dict[str, str]) -> None:
        """Give a restricted key only these grants, e.g. {"prices": "read", "billing_portal": "write"}."""
        self._call("POST", "restricted_keys", {"key": key, "grants": grants})

    def platform(self, *, accounts: str | None = None, sandbox: bool | None = None,
                 mode: str = "test") -> dict[str, Any]:
        """What kind of Connect platform the fake is in `mode` (FakeStripe.set_platform): `accounts` "v1+v2"
        (default), "v1" or "v2"; `sandbox` False makes a test key plain test mode (no Accounts v2). None leaves a
        flag as it is. Answers {"mode", "accounts", "sandbox"}; `reset()` restores the defaults."""
        body: dict[str, Any] = {"mode": mode}
        if accounts is not None:
            body["accounts"] = accounts
        if sandbox is not None:
            body["sandbox"] = sandbox
        result: dict[str, Any] = self._call("POST", "platform", body)
        return result

    def seed(self, **objects: Any) -> dict[str, list[str]]:
        result: dict[str, list[str]] = self._call("POST", "seed", objects)
        return result

    def dashboard_update(self, account: str, params: dict[str, Any], *, mode: str = "test") -> dict[str, Any]:
        """What a connected account does in its own Dashboard: it may set branding Files it uploaded itself
        (`Stripe-Account`), which the platform's API update may not."""
        result: dict[str, Any] = self._call("POST", "dashboard/account",
                                            {"account": account, "params": params, "mode": mode})
        return result

    def set_custom_domain(self, domain: str | None, *, account: str | None = None, status: str = "active",
                          mode: str = "test") -> dict[str, Any]:
        """What the Dashboard does (Stripe has no API for it): portal sessions of `account` (the platform
        when None) open on `domain` once it is active. `domain=None` removes it."""
        result: dict[str, Any] = self._call("POST", "custom_domain",
                                            {"domain": domain, "account": account, "status": status, "mode": mode})
        return result
