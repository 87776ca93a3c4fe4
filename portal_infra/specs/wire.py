"""Between the declared shape and Stripe's wire shape (the `expand`/`flatten` pair of a Terraform
provider).

Declared state is a plain dict of the fields a user wrote (`declared()`), nothing else: Stripe fills
defaults for the rest (STRIPE.md 1.2), and comparing those would show drift that nobody made.

Unset semantics (STRIPE.md 1.3): form encoding has no null or [], and stripe-python silently drops
None and empty lists, so clearing is the literal "". Fields Stripe will not unset with "" are put
back to Stripe's own default instead (measured: stripe-mock v0.203.0 refuses
`billing_cycle_anchor=""`).
"""

from __future__ import annotations

from typing import Any

from .portal_configuration import PortalConfigurationSpec

Declared = dict[str, Any]
Path = tuple[str, ...]

UNSET = ""

# What removing a field from the program sends, per path. A missing entry means "".
_RESET: dict[Path, Any] = {
    ("active",): True,
    ("login_page", "enabled"): False,
    ("features", "customer_update", "enabled"): False,
    ("features", "invoice_history", "enabled"): False,
    ("features", "payment_method_update", "enabled"): False,
    ("features", "subscription_cancel", "enabled"): False,
    ("features", "subscription_cancel", "mode"): "at_period_end",
    ("features", "subscription_cancel", "proration_behavior"): "none",
    ("features", "subscription_cancel", "cancellation_reason", "enabled"): False,
    ("features", "subscription_update", "enabled"): False,
    ("features", "subscription_update", "proration_behavior"): "none",
    ("features", "subscription_update", "billing_cycle_anchor"): "unchanged",
    ("features", "subscription_update", "trial_update_behavior"): "end_trial",
    # The object itself cannot be "" (stripe-mock v0.203.0 refuses it); its list can.
    ("features", "subscription_update", "schedule_at_period_end"): {"conditions": UNSET},
    ("features", "subscription_pause", "enabled"): False,
    ("features", "subscription_pause", "duration"): {
        "type": "interval_options",
        "interval_options": [{"interval": "month", "interval_count": 1}],
    },
}

# Objects that Stripe takes whole (or that have no partial form); everything else is merged key by key.
_ATOMIC: set[Path] = {
    ("features", "subscription_update", "schedule_at_period_end"),
    ("features", "subscription_pause", "duration"),
}

# Keys Stripe requires on update whenever their parent object is sent (STRIPE.md 1.3 "U-req").
_REQUIRED_WITH_PARENT: dict[Path, str] = {
    ("login_page",): "enabled",
    ("features", "invoice_history"): "enabled",
    ("features", "payment_method_update"): "enabled",
    ("features", "subscription_cancel", "cancellation_reason"): "enabled",
}

# Keys Stripe requires on create whenever their parent object is sent, with the value to send when
# the user left them out (an empty list).
_CREATE_REQUIRED: dict[Path, tuple[str, Any]] = {
    ("features", "subscription_cancel", "cancellation_reason"): ("options", UNSET),
}

# Create-only restrictions: `active` cannot be sent on create (a configuration starts active).
_NOT_ON_CREATE = {"active"}


def declared(spec: PortalConfigurationSpec) -> Declared:
    """The fields the user declared, as plain JSON-able data."""
    return spec.model_dump(mode="json", exclude_none=True)


def _wire(value: Any) -> Any:
    """A declared value as stripe-python must be given it: empty lists become ""."""
    if isinstance(value, list):
        return [_wire(v) for v in value] if value else UNSET
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def create_params(spec: PortalConfigurationSpec) -> dict[str, Any]:
    params = {k: _wire(v) for k, v in declared(spec).items() if k not in _NOT_ON_CREATE}
    for parent, (key, value) in _CREATE_REQUIRED.items():
        node = _get(params, parent)
        if isinstance(node, dict) and key not in node:
            node[key] = value
    return params


def update_params(old: Declared, new: Declared) -> dict[str, Any]:
    """Only what changed from `old` to `new`; removed fields are reset."""
    params = _changes(old, new, ())
    for parent, key in _REQUIRED_WITH_PARENT.items():
        node = _get(params, parent)
        if isinstance(node, dict) and key not in node:
            source = _get(new, parent)
            node[key] = source[key] if isinstance(source, dict) and key in source else _reset((*parent, key))
    return params


def _changes(old: Declared, new: Declared, path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in [*new, *(k for k in old if k not in new)]:
        here = (*path, key)
        if key not in new:
            out[key] = _removed(here, old[key])
        elif key in old and old[key] == new[key]:
            continue
        elif isinstance(new[key], dict) and isinstance(old.get(key), dict) and here not in _ATOMIC:
            sub = _changes(old[key], new[key], here)
            if sub:
                out[key] = sub
        else:
            out[key] = _wire(new[key])
    return out


def _removed(path: Path, old_value: Any) -> Any:
    # A removed object resets each leaf the user had declared; for metadata that removes only the
    # keys we declared (`metadata[k]=""`), never keys others own, such as the ownership marker.
    if isinstance(old_value, dict) and path not in _ATOMIC:
        return {k: _removed((*path, k), v) for k, v in old_value.items()}
    return _reset(path)


def _reset(path: Path) -> Any:
    return _RESET.get(path, UNSET)


def _get(tree: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def project(live: Any, shape: Any) -> Any:
    """Stripe's object cut down to the shape of what was declared.

    Used by read(): what comes back is comparable with declared inputs, so a refresh reports only
    drift in fields the user owns. A field Stripe no longer has is left out (and so shows as drift).
    """
    if isinstance(shape, dict):
        if not isinstance(live, dict):
            return live
        out: dict[str, Any] = {}
        for key, want in shape.items():
            value = live.get(key)
            if value is None:
                continue
            got = project(value, want)
            if got is not None:
                out[key] = got
        return out
    if isinstance(shape, list):
        if not isinstance(live, list):
            return live
        items = []
        for i, value in enumerate(live):
            item_shape = shape[i] if i < len(shape) else (shape[-1] if shape else None)
            items.append(project(value, item_shape) if item_shape is not None else _strip(value))
        return items
    if isinstance(live, dict) and "id" in live:
        return live["id"]  # an expanded object where an ID was declared (feedback_options)
    return live


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value
