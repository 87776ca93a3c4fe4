"""The stack program: stack config in, resources out. `stacks/__main__.py` calls `run()`.

Config (per stack, in stacks/Pulumi.<stack>.yaml):
  portal-infra:mode           test | live: the key mode this stack requires (guardrail)
  portal-infra:stripeApiBase  optional; the dev stack points at a local stripe-mock
  portal-infra:stripeApiKey   optional secret; else STRIPE_API_KEY
  portal-infra:portal         the portal configuration, in Stripe's field names
Validation happens in the provider's check(), so a bad field fails `pulumi preview` with its path
before any Stripe request.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .resources import PortalConfiguration


def run() -> None:
    config = pulumi.Config("portal-infra")
    portal: Any = config.get_object("portal") or {}
    if not isinstance(portal, dict):
        raise ValueError("portal-infra:portal must be a mapping of Stripe portal configuration fields")
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
