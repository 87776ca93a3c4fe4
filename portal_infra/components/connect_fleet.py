"""`ConnectFleet`: a BillingPortal for each connected account, from shared defaults and per-account
overrides. Each account's resources are named after the account's `name`, so `pulumi preview
--diff` shows a change under the account it belongs to. With `providers: K` the accounts are dealt
over K dynamic-provider processes (resources/provider_pool.py), account i to process i mod K.

Registering while building: the Pulumi Python SDK sends a resource to the engine from a task on
the program's event loop, and that loop does not run while synchronous program code does. A fleet
built in one synchronous loop is therefore sent only once the last account is built, and Stripe's
first request waits for all of it (measured at 1000 configurations: 5.4 s into `pulumi up`).
`await ConnectFleet.deploy(...)`, from an async entrypoint (`pulumi.run`), hands the loop back after
each account, so the engine creates the first accounts while the rest are still being built
(first request at 1.4 s; the whole `up` 9 s instead of 12 to 13 s, and 45.1 s instead of 49.5 s at
250 ms per request, 25/s and 2 provider processes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ..resources.provider_pool import DynamicProviderPool
from ..specs.fleet import FleetSpec, merged, parse_fleet
from .billing_portal import DYNAMIC, BillingPortal, BillingPortalArgs, Kinds


@dataclass(frozen=True)
class ConnectFleetArgs:
    """`accounts`: entries of `{name, account, portal?, branding?, domain?}`; `defaults`:
    `{portal?, branding?}` laid under every account's own blocks; `providers`: see FleetSpec;
    `accounts_file`: more accounts from a .csv or .jsonl file (one a row)."""

    accounts: Sequence[Mapping[str, Any]] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    providers: int = 0  # dynamic-provider processes to deal the accounts over (0: the default provider)
    # More accounts from a CSV or JSON Lines file, relative to the program directory (specs/fleet_file.py).
    accounts_file: str | None = None

    def spec(self) -> FleetSpec:
        return parse_fleet({"defaults": dict(self.defaults), "accounts": [dict(a) for a in self.accounts],
                            "providers": self.providers, "accounts_file": self.accounts_file})


class ConnectFleet(pulumi.ComponentResource):
    portals: dict[str, BillingPortal]

    def __init__(self, name: str, args: ConnectFleetArgs | FleetSpec,
                 opts: pulumi.ResourceOptions | None = None, *, _accounts: bool = True, kinds: Kinds = DYNAMIC) -> None:
        super().__init__(kinds.connect_fleet, name, None, opts)
        self._kinds = kinds
        self._spec = args if isinstance(args, FleetSpec) else args.spec()
        self.portals = {}
        self._pool = DynamicProviderPool(self._spec.providers, name=f"{name}-provider")
        if _accounts:
            for i in range(len(self._spec.accounts)):
                self._add_account(i)
            self._finish()

    @classmethod
    async def deploy(cls, name: str, args: ConnectFleetArgs | FleetSpec,
                     opts: pulumi.ResourceOptions | None = None) -> ConnectFleet:
        """The same fleet, handing the event loop back after each account so Pulumi registers the
        accounts already built while it builds the rest (see the module's docstring). Await it from
        the function given to `pulumi.run`."""
        fleet = cls(name, args, opts, _accounts=False)
        for i in range(len(fleet._spec.accounts)):
            fleet._add_account(i)
            await asyncio.sleep(0)
        fleet._finish()
        return fleet

    def _add_account(self, i: int) -> None:
        spec, entry = self._spec, self._spec.accounts[i]
        defaults = spec.defaults
        portal = merged(defaults.portal, entry.portal) if (defaults.portal or entry.portal) else None
        branding = merged(defaults.branding, entry.branding) if (defaults.branding or entry.branding) else None
        self.portals[entry.name] = BillingPortal(
            entry.name,
            BillingPortalArgs(portal=portal, account=entry.account, branding=branding, domain=entry.domain),
            # A component's provider passes to its children of the same package (pulumi-python).
            self._pool.options(i, pulumi.ResourceOptions(parent=self)),
            kinds=self._kinds,
        )

    def _finish(self) -> None:
        self.register_outputs({"accounts": {n: p.configuration_id for n, p in self.portals.items()}})

    def summary(self) -> dict[str, Any]:
        """Per account: its ID and what its portal exports."""
        return {name: portal.summary() for name, portal in self.portals.items()}
