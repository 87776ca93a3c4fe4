"""Pulumi dynamic resources; one module per resource (Args, Provider, Resource)."""

from .account_branding import AccountBranding, AccountBrandingProvider
from .platform_settings import PlatformSettings, PlatformSettingsProvider
from .portal_configuration import PortalConfiguration, PortalConfigurationProvider

__all__ = [
    "AccountBranding",
    "AccountBrandingProvider",
    "PlatformSettings",
    "PlatformSettingsProvider",
    "PortalConfiguration",
    "PortalConfigurationProvider",
]
