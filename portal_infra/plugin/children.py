"""The plugin's resources as a program inside the plugin registers them: the children of the
`BillingPortal` and `ConnectFleet` components it constructs.

A component the engine asks the plugin to construct runs as a small Pulumi program in the plugin's
process, and its children must be resources the engine can serve from there. Dynamic resources
cannot be (pulumi#5455: the dynamic-provider host does not load inside a plugin), so each child is
the plugin's own custom resource, `portal-infra:index:<Kind>`, registered with exactly the inputs
the dynamic resource would register (the same `*_inputs` builders), and served by the same check,
diff, create, read, update and delete. The classes take the dynamic classes' arguments, so the
components do not know which kind they were given (`components.billing_portal.Kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..components.billing_portal import Kinds
from ..resources.account_branding import branding_inputs
from ..resources.custom_domain import domain_inputs
from ..resources.portal_configuration import configuration_inputs
from .schema import PACKAGE


def _token(kind: str) -> str:
    return f"{PACKAGE}:index:{kind}"


class PortalConfiguration(pulumi.CustomResource):
    login_page_url: pulumi.Output[str | None]
    retention_coupon: pulumi.Output[str | None]

    def __init__(self, resource_name: str, spec: Mapping[str, Any] | None = None, *,
                 opts: pulumi.ResourceOptions | None = None, **args: Any) -> None:
        super().__init__(_token("PortalConfiguration"), resource_name,
                         configuration_inputs(resource_name, spec, **args), opts)


class AccountBranding(pulumi.CustomResource):
    icon_file: pulumi.Output[str | None]
    logo_file: pulumi.Output[str | None]

    def __init__(self, resource_name: str, *, account: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None, **args: Any) -> None:
        super().__init__(_token("AccountBranding"), resource_name,
                         branding_inputs(resource_name, account=account, **args), opts)


class CustomDomain(pulumi.CustomResource):
    status: pulumi.Output[str]

    def __init__(self, resource_name: str, domain: pulumi.Input[str], *,
                 opts: pulumi.ResourceOptions | None = None, **args: Any) -> None:
        super().__init__(_token("CustomDomain"), resource_name, domain_inputs(resource_name, domain, **args), opts)


PLUGIN = Kinds(_token("BillingPortal"), _token("ConnectFleet"), PortalConfiguration, AccountBranding, CustomDomain)
