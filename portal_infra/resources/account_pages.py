"""Connected accounts read from `GET /v1/accounts` list pages, for the reads of one run.

A refresh (or `portal-infra drift`, or `up --refresh`) reads every branded account. One
`GET /v1/accounts/{id}` each is 1000 reads for 1000 accounts; Stripe meters reads and holds each
endpoint to 25 a second (STRIPE.md section 6), and `GET /v1/accounts` returns 100 accounts a page
(its `limit` is "between 1 and 100", stripe-python 16.1.0 `AccountListParams`). So AccountBranding's
read takes its account from the pages when it can: 10 requests for those 1000 accounts.

Scope: one provider process, which serves one Pulumi command (the plugin, and each dynamic-provider
process); the pages are never kept across runs, so no run sees an account older than its own start.
Each account is served from a page once; a second read in the same run (after the run wrote it) gets
a fresh single GET.

How far the pages are walked: Stripe's list cannot be asked for given IDs, and lists the platform's
accounts newest first, so a read walks pages until its account is on one, within a budget of one page
per account read so far plus `PREFETCH` (about one GET per account at worst, and at most `PREFETCH`
requests more than that for a stack that manages few of a large platform's accounts). An account the
pages do not hold (the budget spent, or the list ended without it) is read with its own GET.

Accounts v2 has no such shortcut: its list takes no `include` (stripe-python 16.1.0
`stripe/params/v2/core/_account_list_params.py`: `applied_configurations`, `closed`, `limit`), so it
returns no `configuration` or `defaults`, and each v2 read stays one `GET /v2/core/accounts/{id}`
with `include`.
"""

from __future__ import annotations

import threading
from typing import Any

from ..stripe_api import StripeGateway

ACCOUNTS = "/v1/accounts"
PAGE = 100
# Pages a run may walk beyond one per account read: 10 pages hold a 1000-account platform.
PREFETCH = 10


class AccountPages:
    """The accounts of the list pages walked so far in this run, by ID; thread-safe."""

    def __init__(self) -> None:
        self._walk = threading.Lock()
        self._asked_lock = threading.Lock()
        self._asked: set[str] = set()
        self._held: dict[str, dict[str, Any]] = {}
        self._served: set[str] = set()
        self._after: str | None = None
        self._ended = False
        self.pages = 0

    def take(self, gateway: StripeGateway, account_id: str) -> dict[str, Any] | None:
        """The account as a list page shows it, or None: read it with its own GET."""
        with self._asked_lock:  # counted before waiting for the walk, so reads in flight widen its budget
            if account_id in self._served:
                return None
            self._asked.add(account_id)
        with self._walk:
            while account_id not in self._held and not self._ended and self.pages < len(self._asked) + PREFETCH:
                self._next_page(gateway)
            found = self._held.pop(account_id, None)
            if found is not None:
                with self._asked_lock:
                    self._served.add(account_id)
            return found

    def _next_page(self, gateway: StripeGateway) -> None:
        query: dict[str, Any] = {"limit": PAGE}
        if self._after:
            query["starting_after"] = self._after
        page = gateway.get(ACCOUNTS, query)
        self.pages += 1
        data = [a for a in page.get("data") or [] if isinstance(a, dict) and a.get("id")]
        for account in data:
            if account["id"] not in self._served:
                self._held[str(account["id"])] = account
        if data:
            self._after = str(data[-1]["id"])
        self._ended = not page.get("has_more") or not data
