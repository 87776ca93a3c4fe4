"""What pull reads from Stripe, through the one door (stripe_api), and nothing more:

- `GET /v1/account`: the platform's own settings;
- `GET /v1/billing_portal/configurations`: the platform's configurations (100 a page);
- `GET /v1/accounts`: connected accounts, 100 a page, never one GET per account. Stripe counts reads
  against a read allocation (STRIPE.md section 6), so 1000 accounts are 10 requests here;
- one `GET /v1/billing_portal/configurations` per selected account, with `Stripe-Account` (STRIPE.md
  section 4: an account's configurations live on it), a few at a time within the stack's pacing.

Stripe's list endpoint cannot filter accounts by ID or metadata, so the selection is made on the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..stripe_api import StripeGateway

CONFIGURATIONS = "/v1/billing_portal/configurations"
ACCOUNTS = "/v1/accounts"
# Requests in flight at once for the per-account lists; the pacer still holds them to the stack's rates.
PARALLEL = 8


@dataclass(frozen=True)
class Selection:
    """Which connected accounts to pull: all, the IDs listed, or those whose metadata has these values."""

    ids: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_options(cls, accounts: str | None, metadata: str | None) -> Selection:
        """From `--accounts acct_1,acct_2` or `--metadata key=value`; ValueError names the bad option."""
        ids = tuple(a.strip() for a in (accounts or "").split(",") if a.strip())
        bad = [a for a in ids if not a.startswith("acct_")]
        if bad:
            raise ValueError(f"--accounts: {', '.join(bad)} is not a connected account ID; list IDs like "
                             "acct_1,acct_2")
        if metadata is None:
            return cls(ids)
        key, sep, value = metadata.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--metadata: {metadata!r} is not key=value; write it like --metadata tier=gold")
        return cls(ids, {key.strip(): value})

    def keeps(self, account: Mapping[str, Any]) -> bool:
        if self.ids and account.get("id") not in self.ids:
            return False
        held = account.get("metadata") or {}
        return all(held.get(k) == v for k, v in self.metadata.items())


@dataclass
class ConnectedAccount:
    account: dict[str, Any]
    configurations: list[dict[str, Any]]


@dataclass
class Snapshot:
    """What the platform holds now."""

    platform: dict[str, Any]
    configurations: list[dict[str, Any]]
    accounts: list[ConnectedAccount]
    missing_ids: list[str]


def read_snapshot(platform: StripeGateway, as_account: Callable[[str], StripeGateway],
                  selection: Selection, *, connect: bool = True) -> Snapshot:
    """Everything pull declares, read with the platform's gateway and one per connected account."""
    own = platform.get("/v1/account")
    configurations = platform.list_all(CONFIGURATIONS)
    listed = platform.list_all(ACCOUNTS) if connect else []
    # Oldest first (Stripe lists newest first), so accounts made later land at the end of the file.
    chosen = [a for a in reversed(listed) if selection.keeps(a)]
    missing = [i for i in selection.ids if i not in {a.get("id") for a in listed}]

    def configurations_of(account: Mapping[str, Any]) -> list[dict[str, Any]]:
        return as_account(str(account["id"])).list_all(CONFIGURATIONS)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        found: Sequence[list[dict[str, Any]]] = list(pool.map(configurations_of, chosen))
    return Snapshot(own, configurations, [ConnectedAccount(a, c) for a, c in zip(chosen, found, strict=True)],
                    missing)
