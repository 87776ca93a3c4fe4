"""What users declare, validated and mapped to Stripe's wire shape. Pure: no pulumi, no network."""

from .custom_domain import CustomDomainSpec, parse_custom_domain
from .portal_configuration import PortalConfigurationSpec, parse_portal_configuration
from .problems import SpecError, SpecProblem

__all__ = [
    "CustomDomainSpec",
    "PortalConfigurationSpec",
    "SpecError",
    "SpecProblem",
    "parse_custom_domain",
    "parse_portal_configuration",
]
