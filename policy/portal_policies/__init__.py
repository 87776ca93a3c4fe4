"""The rules of portal-infra's policy pack, one module per resource kind they read."""

from pulumi_policy import ResourceValidationPolicy

from .branding_rules import BRANDED_ACCOUNT_HAS_ICON_AND_SUPPORT_EMAIL
from .portal_rules import HEADLINE_PRESENT, LIVE_COLLECTS_CANCELLATION_REASONS, NO_IMMEDIATE_CANCEL_WITHOUT_PRORATION

PACK_NAME = "portal-infra"

POLICIES: tuple[ResourceValidationPolicy, ...] = (
    LIVE_COLLECTS_CANCELLATION_REASONS,
    NO_IMMEDIATE_CANCEL_WITHOUT_PRORATION,
    HEADLINE_PRESENT,
    BRANDED_ACCOUNT_HAS_ICON_AND_SUPPORT_EMAIL,
)

__all__ = ["PACK_NAME", "POLICIES"]
