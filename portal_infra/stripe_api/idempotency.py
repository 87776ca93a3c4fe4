"""Idempotency keys derived from what a request does, not random.

A `pulumi up` killed after Stripe answered but before state was written runs the same operation
again on the next run; the same key makes Stripe replay the first answer instead of acting twice.
The key covers the operation, its target and parameters, and, for updates, the object's
`updated` time as last recorded, so a later, different operation with equal parameters (A -> B ->
A -> B) is not mistaken for a replay.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Stripe allows up to 255 characters.
_PREFIX = "portal-infra"


def idempotency_key(operation: str, target: str, params: Any, *, after: Any = None) -> str:
    body = json.dumps([operation, target, params, after], sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(body.encode()).hexdigest()[:40]
    return f"{_PREFIX}-{operation}-{digest}"
