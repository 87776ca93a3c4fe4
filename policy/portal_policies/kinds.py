"""What a policy sees of a portal-infra resource: its type token and its checked inputs.

Each dynamic resource registers as `pulumi-python:dynamic/portal_infra:<Class>`, so a rule selects a kind
by that token. At preview the engine hands the pack the inputs the provider's check() returned: the
declared Stripe fields in Stripe's own names (nested, as in the stack file), the control fields (owner,
on_delete, stripe_account, ...) and `__provider`, the pickled provider, which no rule reads or prints.
The pack does not import portal_infra (it runs in its own venv); tests/policy checks these tokens
against the resource classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_PREFIX = "pulumi-python:dynamic/portal_infra:"
PORTAL_CONFIGURATION = _PREFIX + "PortalConfiguration"
ACCOUNT_BRANDING = _PREFIX + "AccountBranding"


def dig(props: Mapping[str, Any], *path: str) -> Any:
    """The value at `path`, or None where any step is missing or not a mapping."""
    here: Any = props
    for step in path:
        if not isinstance(here, Mapping):
            return None
        here = here.get(step)
    return here


def label(kind: str, name: str, props: Mapping[str, Any]) -> str:
    """`PortalConfiguration "portal"`, with the connected account when there is one."""
    account = props.get("stripe_account") or (props.get("account") if kind == "AccountBranding" else None)
    return f'{kind} "{name}"' + (f" (account {account})" if isinstance(account, str) else "")
