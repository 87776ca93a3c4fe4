"""The stack program: stack config in, validated, components out. `stacks/__main__.py` calls `run()`.

Every `portal-infra:` key of the stack (stacks/Pulumi.<stack>.yaml) is laid over the project's base
(`portal-infra:base` in Pulumi.yaml) and validated as one `StackConfig` (specs/stack.py):
  mode, allowLive, stripeApiBase, stripeApiKey   where and as whom the stack talks to Stripe (guardrails)
  pinned                                          paths `portal-infra promote` leaves alone
  portal                                          the platform's own portal configuration, Stripe's field names
  portals                                         more of the platform's configurations, by name (portal-<name>)
  platform                                        the platform's Dashboard-only settings to check (read-only)
  domain                                          the platform's custom domain (CustomDomain's fields)
  fleet                                           connected accounts: {defaults: {portal, branding}, accounts}
Only then are resources built. A bad value fails `pulumi preview` with its YAML path and the file it
came from, before any resource is registered or any request is made; the providers' check() then
checks what needs Stripe (lookup keys, coupons, images).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from .components import ConnectFleet
from .resources import CustomDomain, PlatformSettings, PortalConfiguration
from .specs import SpecError
from .specs.layers import has_path, merge
from .specs.stack import NAMESPACE, StackConfig, parse_stack_config

BASE_KEY = "base"
# The program never needs the key's value: providers read it from their own config.
_SECRET_PLACEHOLDER = "[secret]"


def stack_config_values() -> dict[str, Any]:
    """This stack's `portal-infra:*` config as plain data (Pulumi hands the program text)."""
    raw: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    out: dict[str, Any] = {}
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE or not key:
            continue
        secret = runtime_config.is_config_secret(full_key)
        if key == "stripeApiKey" and not secret:
            # Said without the value: it is a key, in plain text in a committed file.
            raise pulumi.RunError(f"{full_key} is stored in plain text in the stack file; remove it and run "
                                  f"`pulumi config set --secret {full_key}` (or export STRIPE_API_KEY)")
        out[key] = _SECRET_PLACEHOLDER if secret else _decode(value)
    return out


def _decode(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def effective(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the stack's effective config, the stack's own keys): the base with the stack laid over it."""
    own = {k: v for k, v in values.items() if k != BASE_KEY}
    base = values.get(BASE_KEY) or {}
    if not isinstance(base, Mapping):
        raise pulumi.RunError(f"{NAMESPACE}:{BASE_KEY} must be a mapping of portal-infra keys (in Pulumi.yaml)")
    merged: dict[str, Any] = merge(base, own)
    return merged, own


def load_stack_config(values: Mapping[str, Any] | None = None) -> StackConfig:
    """The validated stack config, or a RunError listing every problem with its YAML path."""
    values = stack_config_values() if values is None else values
    merged, own = effective(values)
    try:
        return parse_stack_config(merged)
    except SpecError as err:
        stack_file = f"stacks/Pulumi.{pulumi.get_stack()}.yaml"
        lines = []
        for problem in err.problems:
            path = problem.path.removeprefix(f"{NAMESPACE}:")
            source = stack_file if has_path(own, tuple(_path_parts(path))) else f"{NAMESPACE}:{BASE_KEY} in Pulumi.yaml"
            lines.append(f"{NAMESPACE}:{path} ({source}): {problem.problem}; {problem.fix}")
        raise pulumi.RunError(f"stack {pulumi.get_stack()}: {len(lines)} invalid value(s) in the stack config:\n"
                              + "\n".join(lines)) from None


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes if i.isdigit())
    return parts


def portal_outputs(configuration: PortalConfiguration) -> dict[str, Any]:
    """What a stack exports for one platform configuration: top level for `portal`, under
    `portals.<name>` for a named one."""
    return {
        "configuration_id": configuration.id,
        "login_page_url": configuration.login_page_url,
        "is_default": configuration.is_default,
        "mode": configuration.mode,
        # For apps: `create_portal_session(..., configuration=<id>, retention_coupon=<coupon>)`.
        "retention": {"configuration_id": configuration.id, "coupon": configuration.retention_coupon},
        "price_lookup_keys": configuration.price_lookup_keys,
    }


def run() -> None:
    stack = load_stack_config()
    named: dict[str, dict[str, Any]] = {}
    for _, resource_name, name, portal in stack.declared_portals():
        options = portal.portal_infra
        configuration = PortalConfiguration(
            resource_name,
            portal.stripe_fields(),
            on_delete=options.on_delete if options else "deactivate",
            adopt=options.adopt if options else None,
            retention_coupon=portal.retention.coupon if portal.retention else None,
        )
        if name is None:
            for key, value in portal_outputs(configuration).items():
                pulumi.export(key, value)
        else:
            named[name] = portal_outputs(configuration)
    if named:
        pulumi.export("portals", named)

    if stack.platform is not None:
        settings = PlatformSettings("platform", **stack.platform.model_dump(exclude_none=True))
        pulumi.export("platform_settings", {"in_sync": settings.in_sync, "differences": settings.differences})

    if stack.domain is not None:
        platform_domain = CustomDomain("domain", **stack.domain.model_dump(exclude_none=True))
        pulumi.export("domain", {"status": platform_domain.status, "dns_records": platform_domain.dns_records,
                                 "instructions": platform_domain.instructions})

    if stack.fleet is not None:
        fleet_spec = stack.fleet

        # Built from Pulumi's async entrypoint so its accounts are registered as they are built.
        async def deploy_fleet() -> None:
            fleet = await ConnectFleet.deploy("fleet", fleet_spec)
            pulumi.export("fleet", fleet.summary())

        pulumi.run(deploy_fleet)
