"""The Stripe mode a stack runs in, as the policies see it.

No input of a portal-infra resource carries the mode at preview (`mode` is an output, known only after
create), but every resource of a stack shares the stack's: `portal-infra:mode` (default `test`) is
checked against the key's prefix before any request, and a key of the other mode fails preview. So
the stack config is the one robust source. The engine gives it to the pack (Analyzer.ConfigureStack;
the language host passes it on as PULUMI_CONFIG), and pulumi-policy loads it into `pulumi.Config`
before each check.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pulumi

MODES = ("test", "live")
LIVE_ONLY: dict[str, Any] = {
    "modes": {
        "type": "array",
        "items": {"type": "string", "enum": list(MODES)},
        "description": "the stack modes (portal-infra:mode) this rule applies in",
        "default": ["live"],
    }
}


def stack_mode() -> str | None:
    """`test` or `live`; None when the pack was given no stack (then mode-scoped rules apply: fail closed)."""
    if "PULUMI_STACK" not in os.environ:
        return None
    mode = pulumi.Config("portal-infra").get("mode") or "test"
    return mode if mode in MODES else None


def applies(config: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether a rule with a `modes` setting applies to this stack, and the mode in words for its message."""
    mode = stack_mode()
    modes = config.get("modes") or ["live"]
    if mode is None:
        return True, "a stack whose mode the policy pack was not told"
    return mode in modes, f"{mode} mode"
