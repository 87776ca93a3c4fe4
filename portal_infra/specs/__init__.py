"""What users declare, validated and mapped to Stripe's wire shape. Pure: no pulumi, no network."""

from .portal_configuration import PortalConfigurationSpec, parse_portal_configuration
from .problems import SpecError, SpecProblem

__all__ = ["PortalConfigurationSpec", "SpecError", "SpecProblem", "parse_portal_configuration"]
