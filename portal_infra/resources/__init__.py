"""Pulumi dynamic resources; one module per resource (Args, Provider, Resource)."""

from .custom_domain import CustomDomain, CustomDomainProvider
from .portal_configuration import PortalConfiguration, PortalConfigurationProvider

__all__ = ["CustomDomain", "CustomDomainProvider", "PortalConfiguration", "PortalConfigurationProvider"]
