"""Pulumi dynamic resources; one module per resource (Args, Provider, Resource)."""

from .account_branding import AccountBranding, AccountBrandingProvider
from .custom_domain import CustomDomain, CustomDomainProvider
from .platform_settings import PlatformSettings, PlatformSettingsProvider
from .portal_configuration import PortalConfiguration, PortalConfigurationProvider

__all__ = [
    "AccountBranding",
    "AccountBrandingProvider",
    "CustomDomain",
    "CustomDomainProvider",
    "PlatformSettings",
    "PlatformSettingsProvider",
    "PortalConfiguration",
    "PortalConfigurationProvider",
]
