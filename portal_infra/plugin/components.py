"""Construct: `BillingPortal` and `ConnectFleet` built by the plugin for any Pulumi language.

The engine sends Construct with the component's inputs and a monitor to register with; the server
(pulumi.provider.experimental.server) has already pointed the Pulumi runtime at that monitor. Here the
inputs become the Python components' arguments, the components are built exactly as the Python API
builds them but from the plugin's own resources (`children.PLUGIN`), and their outputs go back as
the component's state. The rules (defaults merged under overrides, names, validation) are the
components' and `specs.fleet`'s; this module translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..components import BillingPortal, BillingPortalArgs, ConnectFleet, ConnectFleetArgs
from ..specs.common import UNKNOWN
from .children import PLUGIN
from .values import from_plain


def _argument(value: PropertyValue) -> Any:
    """An input as a component argument: plain values, a secret as a secret Output (so its children's
    state keeps it encrypted), and a value not known yet (preview) as the wire's unknown sentinel,
    which the children's check() treats as unknown, as the dynamic resources' does."""
    inner = value.value
    if isinstance(inner, Computed):
        out: Any = UNKNOWN
    elif isinstance(inner, Mapping):
        out = {k: _argument(v) for k, v in inner.items()}
    elif isinstance(inner, tuple):
        out = [_argument(v) for v in inner]
    else:
        out = inner
    return pulumi.Output.secret(out) if value.is_secret else out


async def _state(value: Any) -> PropertyValue:
    """A component output as the PropertyValue the engine receives: unknown, secret and the resources it
    came from carried over."""
    if isinstance(value, pulumi.Output):
        if not await value.is_known():
            inner = from_plain(UNKNOWN)
        else:
            inner = await _state(await value.future())
        urns = {await r.urn.future() for r in await value.resources()}
        return inner.with_secret(await value.is_secret()).with_dependencies({u for u in urns if u})
    if isinstance(value, Mapping):
        return PropertyValue({str(k): await _state(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([await _state(v) for v in value])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value) if value is not None else PropertyValue.null()


def _outputs(component: pulumi.ComponentResource) -> dict[str, Any]:
    if isinstance(component, BillingPortal):
        return {"configuration_id": component.configuration_id, "login_page_url": component.login_page_url,
                "domain_status": component.domain_status}
    assert isinstance(component, ConnectFleet)
    return {"configuration_ids": {name: portal.configuration_id for name, portal in component.portals.items()}}


async def construct(request: p.ConstructRequest) -> p.ConstructResponse:
    kind = request.resource_type.rsplit(":", 1)[-1]
    args = {k: _argument(v) for k, v in request.inputs.items()}
    component: pulumi.ComponentResource
    if request.resource_type == PLUGIN.billing_portal:
        component = BillingPortal(request.name, BillingPortalArgs(
            portal=args.get("portal"), account=args.get("account"), branding=args.get("branding"),
            domain=args.get("domain")), request.options, kinds=PLUGIN)
    elif request.resource_type == PLUGIN.connect_fleet:
        # No provider pool: the plugin serves as many operations at once as the engine sends.
        component = ConnectFleet(request.name, ConnectFleetArgs(
            accounts=args.get("accounts") or (), defaults=args.get("defaults") or {}), request.options,
            kinds=PLUGIN)
    else:
        raise ValueError(f"portal-infra has no component {kind}; it has BillingPortal and ConnectFleet")
    outputs = _outputs(component)
    state = {k: await _state(v) for k, v in outputs.items() if v is not None}
    urn = await component.urn.future()
    assert urn is not None
    return p.ConstructResponse(urn=urn, state=state,
                               state_dependencies={k: v.all_dependencies() for k, v in state.items()})
