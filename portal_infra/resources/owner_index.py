"""Which portal configurations carry which `portal_infra_owner` marker, per account, per provider process.

Create is exactly-once because it first looks for a configuration already marked with the resource's
owner (one left behind by a killed `pulumi up`). Listing every configuration for each create made
`up` cost N list pages for N resources (N² objects). Instead the first create for an account lists
the configurations once, and this process then records every configuration it creates, takes over
or retires, so later lookups need no request.

Why that stays correct: a provider process lives for one engine run, and the stack lock keeps any
other run of the same stack (the only writer of this stack's markers) out while it lives. So the
scan sees everything earlier runs left behind, and this process's own writes are recorded here.
The dynamic provider host serves 4 requests at once: one lock per account makes concurrent creates
wait for a single scan rather than each starting its own.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ..stripe_api import Connection

Scope = tuple[str, str, str]  # (key fingerprint, API base, Stripe-Account or "")


def scope_of(connection: Connection, stripe_account: str | None) -> Scope:
    # A fingerprint, not the key: nothing here should hold or print the secret.
    fingerprint = hashlib.sha256(connection.api_key.encode()).hexdigest()[:16]
    return (fingerprint, connection.api_base, stripe_account or "")


class OwnerIndex:
    """Configurations by owner marker, filled by one scan per account and kept current by our writes."""

    def __init__(self, marker_key: str) -> None:
        self._marker_key = marker_key
        self._lock = threading.Lock()
        self._scan_locks: dict[Scope, threading.Lock] = {}
        # scope -> owner -> configuration id -> the configuration as last seen
        self._owned: dict[Scope, dict[str, dict[str, dict[str, Any]]]] = {}

    def owned(self, scope: Scope, owner: str, scan: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """This owner's configurations (active and retired), in the order first seen. `scan` lists the account's
        configurations; it runs at most once per scope and process, unless it fails."""
        with self._lock:
            scan_lock = self._scan_locks.setdefault(scope, threading.Lock())
        with scan_lock:
            with self._lock:
                known = scope in self._owned
            if not known:
                found: dict[str, dict[str, dict[str, Any]]] = {}
                for obj in scan():
                    mark = (obj.get("metadata") or {}).get(self._marker_key)
                    if mark:
                        found.setdefault(str(mark), {})[str(obj["id"])] = dict(obj)
                with self._lock:
                    self._owned[scope] = found
        with self._lock:
            return [dict(o) for o in self._owned[scope].get(owner, {}).values()]

    def record(self, scope: Scope, obj: Mapping[str, Any]) -> None:
        """Note a configuration this process created or changed. Before the first scan of the scope there
        is nothing to keep current: the scan will see it."""
        mark = (obj.get("metadata") or {}).get(self._marker_key)
        with self._lock:
            by_owner = self._owned.get(scope)
            if by_owner is None:
                return
            for configs in by_owner.values():
                configs.pop(str(obj["id"]), None)
            if mark:
                by_owner.setdefault(str(mark), {})[str(obj["id"])] = dict(obj)

    def retire(self, scope: Scope, config_id: str) -> None:
        """Note a configuration this process deactivated."""
        with self._lock:
            for configs in (self._owned.get(scope) or {}).values():
                if config_id in configs:
                    configs[config_id]["active"] = False

    def forget(self) -> None:
        """Drop everything (tests)."""
        with self._lock:
            self._owned.clear()
            self._scan_locks.clear()
