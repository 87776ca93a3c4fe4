"""Pulumi dynamic resources; one module per resource (Args, Provider, Resource)."""

from .portal_configuration import PortalConfiguration, PortalConfigurationProvider

__all__ = ["PortalConfiguration", "PortalConfigurationProvider"]
