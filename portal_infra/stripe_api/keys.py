"""The Stripe key: where it comes from, which mode it is, where it may be sent, and how to keep it
out of every message.

The key is resolved per call inside the provider process and never stored on anything that is
pickled (the dynamic provider is serialized into Pulumi state), so it cannot reach state.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

Mode = Literal["test", "live"]

CONFIG_NAMESPACE = "portal-infra"
KEY_CONFIG = f"{CONFIG_NAMESPACE}:stripeApiKey"
BASE_CONFIG = f"{CONFIG_NAMESPACE}:stripeApiBase"
MODE_CONFIG = f"{CONFIG_NAMESPACE}:mode"
KEY_ENV = "STRIPE_API_KEY"
BASE_ENV = "STRIPE_API_BASE"
STRIPE_API_BASE = "https://api.stripe.com"
STRIPE_HOSTS = {"api.stripe.com", "files.stripe.com"}

_KEY_PATTERN = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9_]+")


class StripeSetupError(RuntimeError):
    """The connection to Stripe is misconfigured; raised before any request is made.

    `key` is the stack config key to fix (the API key's unless another is to blame).
    """

    def __init__(self, message: str, *, key: str = KEY_CONFIG) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Connection:
    """Where and as whom to call Stripe. `repr` hides the key."""

    api_key: str = field(repr=False)
    api_base: str
    mode: Mode

    def redact(self, text: str) -> str:
        return redact(text, self.api_key)


def key_mode(api_key: str) -> Mode:
    if api_key.startswith(("sk_live_", "rk_live_")):
        return "live"
    if api_key.startswith(("sk_test_", "rk_test_")):
        return "test"
    if api_key.startswith("pk_"):
        raise StripeSetupError(
            "the Stripe key is a publishable key (pk_…), which cannot manage portal settings; "
            "use a secret (sk_…) or restricted (rk_…) key"
        )
    raise StripeSetupError(
        "the Stripe key does not look like a Stripe secret key (sk_test_…, sk_live_…, rk_test_…, rk_live_…); "
        "check STRIPE_API_KEY or portal-infra:stripeApiKey"
    )


def resolve(config: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Connection:
    """The connection for this stack, with its guardrails applied.

    Key: the secret stack config `portal-infra:stripeApiKey`, else `STRIPE_API_KEY`.
    Base: `STRIPE_API_BASE` (set by tools that start a local mock on a free port), else
    `portal-infra:stripeApiBase`, else Stripe. Mode: `portal-infra:mode` (test unless set).
    """
    env = os.environ if env is None else env
    api_key = str(config.get(KEY_CONFIG) or env.get(KEY_ENV) or "").strip()
    if not api_key:
        raise StripeSetupError(
            f"no Stripe API key: export {KEY_ENV}=sk_test_… or run "
            f"`pulumi config set --secret {KEY_CONFIG} sk_test_…`"
        )
    mode = key_mode(api_key)
    declared = str(config.get(MODE_CONFIG) or "test")
    if declared not in ("test", "live"):
        raise StripeSetupError(f"{MODE_CONFIG} is {declared!r}; set it to test or live", key=MODE_CONFIG)
    if mode != declared:
        raise StripeSetupError(
            f"this stack is for {declared} mode ({MODE_CONFIG}) but the Stripe key is a {mode}-mode key; "
            f"use a {declared}-mode key for this stack"
            + (" (live keys belong only on stacks with mode: live)" if mode == "live" else "")
        )
    api_base = str(env.get(BASE_ENV) or config.get(BASE_CONFIG) or STRIPE_API_BASE).rstrip("/")
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StripeSetupError(f"the Stripe API base {api_base!r} is not an http(s) URL; fix {BASE_CONFIG}",
                               key=BASE_CONFIG)
    if mode == "live" and (parts.scheme != "https" or parts.hostname not in STRIPE_HOSTS):
        raise StripeSetupError(
            f"refusing to send a live-mode key to {api_base}: live keys go only to {STRIPE_API_BASE}; "
            f"unset {BASE_ENV} / {BASE_CONFIG} for this stack", key=BASE_CONFIG,
        )
    return Connection(api_key=api_key, api_base=api_base, mode=mode)


def redact(text: str, api_key: str | None = None) -> str:
    """Remove the key, and anything shaped like a Stripe key, from a message."""
    if api_key:
        text = text.replace(api_key, "[redacted]")
    return _KEY_PATTERN.sub(lambda m: m.group(0)[:8] + "[redacted]", text)
