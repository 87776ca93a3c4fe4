"""Restricted keys (rk_…): per-resource read/write grants, refused with a 403 the way Stripe does.

A restricted key the fake was not told about has every permission; `POST /_fake/restricted_keys
{"key": "rk_test_…", "grants": {"prices": "read", "billing_portal": "write"}}` narrows one. The
resource is the first path segment after /v1/ (`billing_portal`, `prices`, `coupons`, …); write
implies read. Stripe's own message names the missing permission (`rak_<resource>_<level>`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from .exceptions import StripeError

LEVELS = ("read", "write")


class RestrictedKeys:
    def __init__(self) -> None:
        self._grants: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def set(self, key: str, grants: Mapping[str, str]) -> None:
        if not key.startswith(("rk_test_", "rk_live_")):
            raise ValueError(f"{key[:8]}… is not a restricted key (rk_test_… or rk_live_…)")
        for resource, level in grants.items():
            if level not in LEVELS:
                raise ValueError(f"grant for {resource} is {level!r}; use read or write")
        with self._lock:
            self._grants[key] = dict(grants)

    def clear(self) -> None:
        with self._lock:
            self._grants.clear()

    def check(self, key: str, method: str, path: str, account: str) -> None:
        with self._lock:
            grants = self._grants.get(key)
        if grants is None:
            return
        parts = path.strip("/").split("/")
        resource = parts[1] if len(parts) > 1 else path
        need = "read" if method == "GET" else "write"
        have = grants.get(resource)
        if have == "write" or have == need:
            return
        masked = key[:8] + "*" * 20 + key[-4:]
        raise StripeError(
            403, f"The provided key '{masked}' does not have the required permissions for this endpoint on "
                 f"account '{account}'. Having the 'rak_{resource}_{need}' permission would allow this request "
                 "to continue.")
