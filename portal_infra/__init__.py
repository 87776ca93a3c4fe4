"""portal-infra: Stripe's customer portal as code.

Importing the package has no side effects: resources are created only when a Pulumi program
instantiates them.
"""

from .components import BillingPortal, BillingPortalArgs, ConnectFleet, ConnectFleetArgs
from .resources import AccountBranding, CustomDomain, PlatformSettings, PortalConfiguration

__all__ = [
    "AccountBranding",
    "BillingPortal",
    "BillingPortalArgs",
    "ConnectFleet",
    "ConnectFleetArgs",
    "CustomDomain",
    "PlatformSettings",
    "PortalConfiguration",
]
