"""Between the engine's `PropertyValue` maps and the plain dicts the resource providers work on.

The dynamic-provider host hands providers plain Python values, with a not-yet-known value as the
string `pulumi.runtime.rpc.UNKNOWN` (which `specs` knows); the plugin does the same, so the providers
see exactly what they see as dynamic resources. Numbers arrive as floats there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..specs.common import UNKNOWN


def to_plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: to_plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [to_plain(v) for v in inner]
    return inner


def plain_map(values: Mapping[str, PropertyValue] | None) -> dict[str, Any]:
    return {k: to_plain(v) for k, v in (values or {}).items()}


def from_plain(value: Any) -> PropertyValue:
    if value == UNKNOWN:
        # The wire's own unknown: pulumi 3.272.0's PropertyValue.marshal() raises on PropertyValue.computed()
        # ("Unsupported value type: Computed"), while the engine reads this sentinel string as unknown.
        return PropertyValue(UNKNOWN)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(k): from_plain(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([from_plain(v) for v in value])
    raise TypeError(f"a provider returned {type(value).__name__}, which has no Pulumi property type")


def property_map(values: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return {k: from_plain(v) for k, v in values.items()}
