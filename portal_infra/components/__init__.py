"""Component resources built from portal-infra's dynamic resources."""

from .billing_portal import BillingPortal, BillingPortalArgs
from .connect_fleet import ConnectFleet, ConnectFleetArgs

__all__ = ["BillingPortal", "BillingPortalArgs", "ConnectFleet", "ConnectFleetArgs"]
