"""What pull reads from Stripe, through the one door (stripe_api), and nothing more:

- `GET /v1/account`: the platform's own settings;
- `GET /v1/billing_portal/configurations`: the platform's configurations (100 a page);
- `GET /v1/accounts`: connected accounts, 100 a page, never one GET per account. Stripe counts reads
  against a read allocation (STRIPE.md section 6), so 1000 accounts are 10 requests here;
- one `GET /v1/billing_portal/configurations` per selected account, with `Stripe-Account` (STRIPE.md
  section 4: an account's configurations live on it), a few at a time within the stack's pacing.

On a platform that uses Accounts v2 (`portal-infra:accountsApi: v2`), accounts are listed with
`GET /v2/core/accounts` (its pages by `next_page_url`), and since a v2 list has no `include` (its
params in stripe-python 16.1.0 `stripe/params/v2/core/_account_list_params.py` are
`applied_configurations`, `closed` and `limit`) and so returns no `configuration` or `defaults`, each
selected account is then read once with `GET /v2/core/accounts/{id}?include[]=…`: one read more per
account than on v1.

Stripe's list endpoint cannot filter accounts by ID or metadata, so the selection is made on the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..specs.account_wire import AccountsApi, account_path, retrieve_params
from ..stripe_api import StripeGateway

CONFIGURATIONS = "/v1/billing_portal/configurations"
ACCOUNTS = "/v1/accounts"
ACCOUNTS_V2 = "/v2/core/accounts"
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
    api: AccountsApi = "v1"  # the Accounts API the accounts were read with (their objects' shape)


def read_snapshot(platform: StripeGateway, as_account: Callable[[str], StripeGateway],
                  selection: Selection, *, connect: bool = True) -> Snapshot:
    """Everything pull declares, read with the platform's gateway and one per connected account."""
    own = platform.get("/v1/account")
    configurations = platform.list_all(CONFIGURATIONS)
    api = platform.settings.accounts_api
    listed: list[dict[str, Any]] = []
    if connect:
        listed = platform.list_all(ACCOUNTS) if api == "v1" else platform.list_all_v2(ACCOUNTS_V2)
    # Oldest first (Stripe lists newest first), so accounts made later land at the end of the file.
    chosen = [a for a in reversed(listed) if selection.keeps(a)]
    missing = [i for i in selection.ids if i not in {a.get("id") for a in listed}]

    def configurations_of(account: Mapping[str, Any]) -> list[dict[str, Any]]:
        return as_account(str(account["id"])).list_all(CONFIGURATIONS)

    def whole(account: dict[str, Any]) -> dict[str, Any]:
        if api == "v1":
            return account  # a v1 list page holds the whole account
        return platform.get(account_path(api, str(account["id"])), retrieve_params(api))

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        chosen = list(pool.map(whole, chosen))
        found: Sequence[list[dict[str, Any]]] = list(pool.map(configurations_of, chosen))
    return Snapshot(own, configurations, [ConnectedAccount(a, c) for a, c in zip(chosen, found, strict=True)],
                    missing, api)
