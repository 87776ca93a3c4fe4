"""Written once: a base definition that every stack extends with only what differs.

The base is plain Pulumi config: the project-level key `portal-infra:base` in Pulumi.yaml (an object
default every stack inherits). A stack's own `portal-infra:*` keys are laid over it: mappings merge
key by key, a list or a value replaces the base's whole, and `null` removes a base key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def merge(base: Any, override: Any) -> Any:
    """`override` laid over `base`."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = {k: copy.deepcopy(v) for k, v in base.items()}
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = _drop_nulls(value)
        return out
    return _drop_nulls(override)


def difference(base: Any, wanted: Any) -> Any:
    """The smallest override that, merged onto `base`, gives `wanted` (None when nothing differs)."""
    if isinstance(base, Mapping) and isinstance(wanted, Mapping):
        out: dict[str, Any] = {}
        for key, value in wanted.items():
            if key not in base:
                out[key] = copy.deepcopy(value)
                continue
            sub = difference(base[key], value)
            if sub is not None:
                out[key] = sub
        for key in base:
            if key not in wanted:
                out[key] = None
        return out or None
    return None if base == wanted else copy.deepcopy(wanted)


def has_path(tree: Any, path: tuple[str | int, ...]) -> bool:
    for part in path:
        in_list = isinstance(part, int) and isinstance(tree, list) and 0 <= part < len(tree)
        in_mapping = isinstance(part, str) and isinstance(tree, Mapping) and part in tree
        if not (in_list or in_mapping):
            return False
        tree = tree[part]
    return True


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value
