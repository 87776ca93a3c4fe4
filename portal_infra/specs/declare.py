"""Stripe's objects as portal-infra declarations: what pull writes for one configuration, one
account's look, the platform's own settings.

No field list of its own: a configuration is cut to the shape of `PortalConfigurationSpec` with the
same `project` that `read()` uses (specs/wire.py), and an account's look from the same
`account_wire.live_values` AccountBranding reads with, on either Accounts API. So a field the spec
gains is pulled, and what pull declares is exactly what the resources compare when they adopt it.
`pulumi import` (resources/importing.py) writes the same blocks; both sit above this pure module.
Every block is checked by the spec it will meet at preview; a value the spec refuses is left out
and noted, never written to fail the stack.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .account_wire import AccountsApi, live_values
from .branding import PROFILE_FIELDS, BrandingLook, PlatformSettingsSpec
from .common import RESERVED_METADATA_PREFIX
from .notes import Notes
from .portal_configuration import PortalConfigurationSpec, parse_portal_configuration
from .problems import SpecError, problems_from_validation
from .wire import project

Block = dict[str, Any]

# Read-only parts of `billing_portal.configuration` (STRIPE.md 1.2): never declared, never noted.
_READ_ONLY = frozenset({"id", "object", "created", "updated", "livemode", "is_default", "application"})
# Names of portals and fleet accounts: what the stack config accepts (`[a-z0-9-]`, 1 to 40, and a fleet
# account's starts with a letter or digit).
_NAME_MAX = 40


def spec_shape(model: type[BaseModel]) -> dict[str, Any]:
    """Every field the model declares, nested, as a `project` shape: a mapping for a sub-model, a
    one-item list for a list of them, `True` for a value."""
    return {name: _shape(info.annotation) for name, info in model.model_fields.items()}


def _shape(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        shapes = [_shape(arg) for arg in get_args(annotation) if arg is not type(None)]
        # An ID or an object (a price by ID or by lookup key): Stripe answers the ID.
        return shapes[0] if len(shapes) == 1 else True
    if origin is list:
        return [_shape(get_args(annotation)[0])]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return spec_shape(annotation)
    return True


CONFIGURATION_SHAPE = spec_shape(PortalConfigurationSpec)


def configuration_block(live: Mapping[str, Any], where: str, notes: Notes) -> Block | None:
    """A configuration's declared fields as Stripe holds them, or None when the spec cannot hold it."""
    block = _pruned(project(dict(live), CONFIGURATION_SHAPE))
    if not isinstance(block, dict):
        return None
    for key in _unknown_keys(live, CONFIGURATION_SHAPE):
        notes.add("configuration field portal-infra does not manage, left out (it stays as it is in Stripe)",
                  f"{where} {key}")
    metadata = block.get("metadata") or {}
    ours = [k for k in metadata if k.startswith(RESERVED_METADATA_PREFIX)]
    if ours:
        block["metadata"] = {k: v for k, v in metadata.items() if k not in ours} or None
        if block["metadata"] is None:
            del block["metadata"]
    if block.get("active") is True:
        del block["active"]  # the spec's default
    for _ in range(3):
        try:
            parse_portal_configuration(block)
            return block
        except SpecError as err:
            for problem in err.problems:
                notes.add("value portal-infra's spec refuses, left out (it stays as it is in Stripe)",
                          f"{where} {problem.path} ({problem.problem})")
                _drop(block, problem.path)
    notes.add("configuration the spec cannot hold, skipped", where)
    return None


def branding_block(account: Mapping[str, Any], notes: Notes, api: AccountsApi = "v1") -> Block:
    """A connected account's look and customer-facing profile, as AccountBranding reads it back from
    `account`, an object of Accounts `api` (v2: retrieved with `include`)."""
    live = live_values(api, account)
    block = {k: live[k] for k in BrandingLook.model_fields if live.get(k) not in (None, "")}
    block = _valid(block, BrandingLook, str(account.get("id")), notes)
    managed = set(PROFILE_FIELDS.values())
    unmanaged = account.get("business_profile") if api == "v1" else {}
    for key, value in (unmanaged or {}).items():
        if key not in managed and value not in (None, "", {}, []):
            notes.add("business_profile field portal-infra does not manage, left out (it stays as it is)",
                      f"{account.get('id')} {key}")
    return block


def platform_block(account: Mapping[str, Any], notes: Notes) -> Block:
    """The platform's own Dashboard-only settings that PlatformSettings checks (`GET /v1/account`)."""
    live = live_values("v1", account)
    block = {k: live[k] for k in PlatformSettingsSpec.model_fields if live.get(k) not in (None, "")}
    for key in BrandingLook.model_fields:
        if key not in block and live.get(key) not in (None, ""):
            notes.add("platform setting PlatformSettings does not check (Stripe's API cannot write the "
                      "platform's own account), left out", key)
    return _valid(block, PlatformSettingsSpec, "platform", notes)


def _valid(block: Block, model: type[BaseModel], where: str, notes: Notes) -> Block:
    try:
        model.model_validate(block)
        return block
    except ValidationError as err:
        for problem in problems_from_validation(err, model):
            notes.add("value portal-infra's spec refuses, left out (it stays as it is in Stripe)",
                      f"{where} {problem.path} ({problem.problem})")
            block.pop(problem.path.split(".")[0].split("[")[0], None)
    return block


def _pruned(value: Any) -> Any:
    """Without empty lists and mappings: Stripe's way of saying "none", which the spec spells by leaving
    the field out (and refuses for some, like `schedule_at_period_end.conditions`)."""
    if isinstance(value, dict):
        out = {k: p for k, v in value.items() if (p := _pruned(v)) not in (None, {}, [])}
        return out
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _unknown_keys(live: Any, shape: Any, path: str = "") -> list[str]:
    """Fields Stripe returned with a value that the spec has no place for (a newer API field)."""
    if not isinstance(live, Mapping) or not isinstance(shape, dict):
        return []
    out = []
    for key, value in live.items():
        here = f"{path}.{key}" if path else str(key)
        if key in shape:
            out += _unknown_keys(value, shape[key], here)
        elif not path and key in _READ_ONLY:
            continue
        elif here != "login_page.url" and value not in (None, "", [], {}):
            out.append(here)
    return out


def _drop(block: Block, path: str) -> None:
    """Remove `path` (`features.x.y`, up to its first list index) from the block, and parents left empty."""
    parts = re.split(r"\.|\[", path)
    keys = []
    for part in parts:
        if not part or part.endswith("]"):
            break
        keys.append(part)
    if not keys:
        return
    node: Any = block
    trail = []
    for key in keys[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        trail.append((node, key))
        node = node[key]
    if isinstance(node, dict):
        node.pop(keys[-1], None)
    for parent, key in reversed(trail):
        if parent[key] == {}:
            del parent[key]


def stack_name(text: str | None, fallback: str) -> str:
    """A portal's or a fleet account's name: `[a-z0-9-]`, 1 to 40, from its own name or else its ID."""
    for source in (text, fallback):
        slug = re.sub(r"[^a-z0-9]+", "-", (source or "").lower()).strip("-")[:_NAME_MAX].rstrip("-")
        if slug:
            return slug
    return "unnamed"


def unique_names(wanted: Iterable[tuple[str | None, str]], taken: Iterable[str] = ()) -> list[str]:
    """`stack_name` of each (name, id), with -2, -3 … on repeats."""
    seen = set(taken)
    out = []
    for text, fallback in wanted:
        base = stack_name(text, fallback)
        name, n = base, 1
        while name in seen:
            n += 1
            suffix = f"-{n}"
            name = base[:_NAME_MAX - len(suffix)].rstrip("-") + suffix
        seen.add(name)
        out.append(name)
    return out
