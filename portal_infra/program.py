"""The stack program: stack config in, resources out. `stacks/__main__.py` calls `run()`.

Config (per stack, in stacks/Pulumi.<stack>.yaml):
  portal-infra:mode           test | live: the key mode this stack requires (guardrail)
  portal-infra:stripeApiBase  optional; the dev stack points at a local stripe-mock
  portal-infra:stripeApiKey   optional secret; else STRIPE_API_KEY
  portal-infra:portal         the platform's own portal configuration, in Stripe's field names
  portal-infra:platform       the platform's Dashboard-only settings to check (read-only)
  portal-infra:domain         the platform's custom domain (CustomDomain's fields)
  portal-infra:fleet          connected accounts: {defaults: {portal, branding}, accounts: [...]}
Validation happens in the providers' check(), so a bad field fails `pulumi preview` with its path
before any Stripe request.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .components import ConnectFleet
from .resources import CustomDomain, PlatformSettings, PortalConfiguration
from .specs import SpecError
from .specs.fleet import parse_fleet


def _mapping(config: pulumi.Config, key: str) -> dict[str, Any]:
    value: Any = config.get_object(key) or {}
    if not isinstance(value, dict):
        raise pulumi.RunError(f"portal-infra:{key} must be a mapping (key: value lines)")
    return value


def run() -> None:
    config = pulumi.Config("portal-infra")
    portal = _mapping(config, "portal")
    if portal:
        options = portal.pop("portal_infra", None) or {}
        configuration = PortalConfiguration(
            "portal",
            portal,
            on_delete=options.get("on_delete", "deactivate"),
            adopt=options.get("adopt"),
        )
        pulumi.export("configuration_id", configuration.id)
        pulumi.export("login_page_url", configuration.login_page_url)
        pulumi.export("is_default", configuration.is_default)
        pulumi.export("mode", configuration.mode)

    platform = _mapping(config, "platform")
    if platform:
        settings = PlatformSettings("platform", **platform)
        pulumi.export("platform_settings", {"in_sync": settings.in_sync, "differences": settings.differences})

    domain = _mapping(config, "domain")
    if domain:
        platform_domain = CustomDomain("domain", **domain)
        pulumi.export("domain", {"status": platform_domain.status, "dns_records": platform_domain.dns_records,
                                 "instructions": platform_domain.instructions})

    fleet_config = _mapping(config, "fleet")
    if fleet_config:
        try:
            spec = parse_fleet(fleet_config, prefix="portal-infra:fleet")
        except SpecError as err:
            raise pulumi.RunError(f"invalid stack config:\n{err}") from None
        fleet = ConnectFleet("fleet", spec)
        pulumi.export("fleet", fleet.summary())
