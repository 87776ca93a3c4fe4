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
ALLOW_LIVE_CONFIG = f"{CONFIG_NAMESPACE}:allowLive"
KEY_ENV = "STRIPE_API_KEY"
BASE_ENV = "STRIPE_API_BASE"
STRIPE_API_BASE = "https://api.stripe.com"
STRIPE_FILES_BASE = "https://files.stripe.com"
STRIPE_HOSTS = {"api.stripe.com", "files.stripe.com"}

_KEY_PATTERN = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9_]+")
# What a secret or restricted key looks like: prefix, mode, then letters and digits.
_USABLE_KEY = re.compile(r"^(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]*[A-Za-z0-9]$")


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

    @property
    def files_base(self) -> str:
        """Where uploads go: Stripe serves Files on its own host; a mock or fake serves both on one."""
        return STRIPE_FILES_BASE if self.api_base == STRIPE_API_BASE else self.api_base

    @property
    def restricted(self) -> bool:
        """A restricted key (rk_…) may lack permissions a secret key always has."""
        return self.api_key.startswith("rk_")


def key_mode(api_key: str) -> Mode:
    """The mode a key acts in, from its prefix alone (no request is needed, or made, to know it)."""
    if api_key.startswith("pk_"):
        raise StripeSetupError(
            "the Stripe key is a publishable key (pk_…), which cannot manage portal settings; "
            "use a secret (sk_…) or restricted (rk_…) key"
        )
    if not _USABLE_KEY.match(api_key):
        raise StripeSetupError(
            "the Stripe key is malformed: expected sk_test_…, sk_live_…, rk_test_… or rk_live_… followed by "
            "letters and digits; check STRIPE_API_KEY or portal-infra:stripeApiKey for stray quotes, "
            "spaces or a truncated copy"
        )
    return "live" if api_key.startswith(("sk_live_", "rk_live_")) else "test"


def _is_true(value: Any) -> bool:
    # Pulumi hands providers every config value as text; the program may see a real boolean.
    return value is True or str(value).strip().lower() == "true"


def resolve(config: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Connection:
    """The connection for this stack, with its guardrails applied.

    Key: the secret stack config `portal-infra:stripeApiKey`, else `STRIPE_API_KEY`.
    Base: `STRIPE_API_BASE` (set by tools that start a local mock on a free port), else
    `portal-infra:stripeApiBase`, else Stripe. Mode: `portal-infra:mode` (test unless set); a live
    stack also needs `portal-infra:allowLive: true`. Every refusal happens here, before any request.
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
    if mode == "live" and not _is_true(config.get(ALLOW_LIVE_CONFIG)):
        raise StripeSetupError(
            f"this stack is in live mode, which also needs {ALLOW_LIVE_CONFIG}: true in its stack file; "
            "add it once the stack has been reviewed for live use (nothing was sent to Stripe)",
            key=ALLOW_LIVE_CONFIG,
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


# Restricted keys grant access per resource, read or write (Dashboard > Developers > API keys).
# Longest prefix first; the names are the Dashboard's.
_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("/v1/billing_portal/", "Customer portal"),
    ("/v1/billing/feedback_options", "Customer portal"),
    ("/v1/prices", "Prices"),
    ("/v1/products", "Products"),
    ("/v1/coupons", "Coupons"),
    ("/v1/customers", "Customers"),
    ("/v1/files", "Files"),
    ("/v1/accounts", "Connect: Accounts"),
    ("/v2/core/accounts", "Connect: Accounts"),
    ("/v1/account", "Account"),
)


def required_permission(method: str, path: str) -> str:
    """The restricted-key permission a request needs, as the Dashboard names it ("Prices: Read")."""
    resource = next((name for prefix, name in _PERMISSIONS if path.startswith(prefix)), path)
    return f"{resource}: {'Read' if method.upper() == 'GET' else 'Write'}"


def permission_hint(method: str, path: str) -> str:
    """What a 403 means for the operator: which permission to grant the key."""
    return (f"the key lacks the '{required_permission(method, path)}' permission; grant it to the restricted "
            "key in the Dashboard (Developers > API keys), or use a key that has it")
