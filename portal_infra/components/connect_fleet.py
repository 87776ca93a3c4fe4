"""`ConnectFleet`: a BillingPortal for each connected account, from shared defaults and per-account
overrides. Each account's resources are named after the account's `name`, so `pulumi preview
--diff` shows a change under the account it belongs to. With `providers: K` the accounts are dealt
over K dynamic-provider processes (resources/provider_pool.py), account i to process i mod K."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ..resources.provider_pool import DynamicProviderPool
from ..specs.fleet import FleetSpec, merged, parse_fleet
from .billing_portal import BillingPortal, BillingPortalArgs


@dataclass(frozen=True)
class ConnectFleetArgs:
    """`accounts`: entries of `{name, account, portal?, branding?, domain?}`; `defaults`:
    `{portal?, branding?}` laid under every account's own blocks; `providers`: see FleetSpec."""

    accounts: Sequence[Mapping[str, Any]] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    providers: int = 0  # dynamic-provider processes to deal the accounts over (0: the default provider)

    def spec(self) -> FleetSpec:
        return parse_fleet({"defaults": dict(self.defaults), "accounts": [dict(a) for a in self.accounts],
                            "providers": self.providers})


class ConnectFleet(pulumi.ComponentResource):
    portals: dict[str, BillingPortal]

    def __init__(self, name: str, args: ConnectFleetArgs | FleetSpec,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("portal_infra:index:ConnectFleet", name, None, opts)
        spec = args if isinstance(args, FleetSpec) else args.spec()
        self.portals = {}
        pool = DynamicProviderPool(spec.providers, name=f"{name}-provider")
        for i, entry in enumerate(spec.accounts):
            portal = merged(spec.defaults.portal, entry.portal) if (spec.defaults.portal or entry.portal) else None
            branding = (merged(spec.defaults.branding, entry.branding)
                        if (spec.defaults.branding or entry.branding) else None)
            self.portals[entry.name] = BillingPortal(
                entry.name,
                BillingPortalArgs(portal=portal, account=entry.account, branding=branding, domain=entry.domain),
                # A component's provider passes to its children of the same package (pulumi-python).
                pool.options(i, pulumi.ResourceOptions(parent=self)),
            )
        self.register_outputs({"accounts": {n: p.configuration_id for n, p in self.portals.items()}})

    def summary(self) -> dict[str, Any]:
        """Per account: its ID and what its portal exports."""
        return {name: portal.summary() for name, portal in self.portals.items()}
