"""Values every account shares go to `fleet.defaults`, and each account keeps only what differs.

The fleet lays an account's block over the defaults key by key (specs/fleet.py `merged`; a list or
a value replaces), so a key belongs in the defaults only when *every* selected account has it with
the same value: then no account needs a `null` to drop it, and merging gives each account exactly
its own block back (`tests/pull/test_factor.py` checks that round trip).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Block = dict[str, Any]


def shared(blocks: Sequence[Mapping[str, Any] | None]) -> Block:
    """What all blocks hold alike, nested: a key when every block has it equal, a sub-mapping when every
    block has a mapping there (with what those hold alike)."""
    if not blocks or any(b is None for b in blocks):
        return {}
    first = blocks[0]
    assert first is not None
    out: Block = {}
    for key, value in first.items():
        values = [b.get(key) for b in blocks if b is not None]
        if any(key not in b for b in blocks if b is not None):
            continue
        if all(isinstance(v, Mapping) for v in values):
            common = shared(values)
            if common:
                out[key] = common
        elif all(v == value for v in values):
            out[key] = value
    return out


def without(block: Mapping[str, Any], defaults: Mapping[str, Any]) -> Block:
    """`block` less what `defaults` already gives it (`defaults` must be shared by it)."""
    out: Block = {}
    for key, value in block.items():
        if key not in defaults:
            out[key] = value
        elif isinstance(value, Mapping) and isinstance(defaults[key], Mapping):
            rest = without(value, defaults[key])
            if rest:
                out[key] = rest
        elif value != defaults[key]:
            out[key] = value
    return out
