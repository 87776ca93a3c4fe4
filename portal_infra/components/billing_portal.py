"""`BillingPortal`: one account's customer portal (configuration, branding and custom domain) from
one typed argument object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from ..resources import AccountBranding, CustomDomain, PortalConfiguration

CONTROL_KEY = "portal_infra"  # inside a portal block: adopt / on_delete, never sent to Stripe


@dataclass(frozen=True)
class Kinds:
    """What a component is made of: the component type tokens and the resource classes of its children.

    The Python API builds components from the dynamic resources; the provider plugin builds the same
    components (same children, same names, same inputs) from its own `portal-infra:index:` resources
    (portal_infra.plugin.children), since dynamic resources do not load inside a plugin (pulumi#5455).
    Each class takes the dynamic class's constructor arguments.
    """

    billing_portal: str
    connect_fleet: str
    configuration: Any
    branding: Any
    domain: Any


DYNAMIC = Kinds("portal_infra:index:BillingPortal", "portal_infra:index:ConnectFleet",
                PortalConfiguration, AccountBranding, CustomDomain)


@dataclass(frozen=True)
class BillingPortalArgs:
    """`portal`: the configuration's fields in Stripe's names, with an optional `portal_infra:`
    block of `adopt` / `on_delete` and `retention: {coupon}` for sessions. `account`: a connected
    account (`acct_…`), or None for the platform itself. `branding`: AccountBranding's fields
    (connected accounts only, with an optional `on_delete`). `domain`: CustomDomain's fields."""

    portal: Mapping[str, Any] | None = None
    account: str | None = None
    branding: Mapping[str, Any] | None = None
    domain: Mapping[str, Any] | None = None


class BillingPortal(pulumi.ComponentResource):
    configuration_id: pulumi.Output[str] | None
    login_page_url: pulumi.Output[str | None] | None
    domain_status: pulumi.Output[str | None] | None

    def __init__(self, name: str, args: BillingPortalArgs, opts: pulumi.ResourceOptions | None = None, *,
                 kinds: Kinds = DYNAMIC) -> None:
        super().__init__(kinds.billing_portal, name, None, opts)
        if args.branding and not args.account:
            raise pulumi.RunError(
                f"{name}: branding is declared for the platform's own account, which Stripe's API cannot write; "
                "declare it per connected account, and check the platform's own settings with PlatformSettings")
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        self.configuration: PortalConfiguration | None = None
        self.branding: AccountBranding | None = None
        self.domain: CustomDomain | None = None
        if args.portal:
            fields = dict(args.portal)
            control = dict(fields.pop(CONTROL_KEY, None) or {})
            # Applied per portal session, not per configuration (STRIPE.md section 2): kept beside it.
            retention = dict(fields.pop("retention", None) or {})
            self.configuration = kinds.configuration(
                f"{name}-portal", fields, stripe_account=args.account, adopt=control.get("adopt"),
                on_delete=control.get("on_delete", "deactivate"), retention_coupon=retention.get("coupon"),
                opts=child)
        if args.branding and args.account:
            self.branding = kinds.branding(f"{name}-branding", account=args.account, **dict(args.branding),
                                            opts=child)
        if args.domain:
            domain = dict(args.domain)
            if self.configuration is not None:
                # `verify: active` opens its check session with this portal's own configuration.
                domain.setdefault("configuration", self.configuration.id)
            self.domain = kinds.domain(f"{name}-domain", **domain, stripe_account=args.account, opts=child)
        self.configuration_id = self.configuration.id if self.configuration else None
        self.login_page_url = self.configuration.login_page_url if self.configuration else None
        self.domain_status = self.domain.status if self.domain else None
        self.register_outputs({
            "configuration_id": self.configuration_id,
            "login_page_url": self.login_page_url,
            "domain_status": self.domain_status,
        })

    def summary(self) -> dict[str, Any]:
        """What a stack exports for this portal."""
        # Only what is declared: Pulumi drops null outputs, so a login URL that is always null
        # would show as "+ [unknown]" in every preview.
        out: dict[str, Any] = {"configuration_id": self.configuration_id}
        if self.configuration is not None and (self._args.portal or {}).get("retention"):
            out["retention_coupon"] = self.configuration.retention_coupon
        if ((self._args.portal or {}).get("login_page") or {}).get("enabled"):
            out["login_page_url"] = self.login_page_url
        if self.branding is not None:
            for role in ("icon", "logo"):
                if (self._args.branding or {}).get(role):
                    out[f"{role}_file"] = getattr(self.branding, f"{role}_file")
        if self.domain is not None:
            out["domain_status"] = self.domain_status
        return out
