"""The one door to Stripe: key and mode guard, client, pacing, retries, idempotency, error translation."""

from .client import StripeGateway
from .errors import NetworkFailure, StripeCallError, StripeUnreachable
from .idempotency import idempotency_key
from .keys import Connection, StripeSetupError, redact, resolve
from .ratelimit import RateLimits
from .settings import ClientSettings, RetryPolicy, SettingsError, Timeouts, client_settings

__all__ = [
    "ClientSettings",
    "Connection",
    "NetworkFailure",
    "RateLimits",
    "RetryPolicy",
    "SettingsError",
    "StripeCallError",
    "StripeGateway",
    "StripeSetupError",
    "StripeUnreachable",
    "Timeouts",
    "client_settings",
    "idempotency_key",
    "redact",
    "resolve",
]
