"""portal-infra: Stripe's customer portal as code.

Importing the package has no side effects: resources are created only when a Pulumi program
instantiates them.
"""

from .resources import CustomDomain, PortalConfiguration

__all__ = ["CustomDomain", "PortalConfiguration"]
