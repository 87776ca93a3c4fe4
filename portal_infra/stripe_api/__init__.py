"""The one door to Stripe: key and mode guard, client, retries, idempotency, error translation."""

from .client import StripeCallError, StripeGateway
from .idempotency import idempotency_key
from .keys import Connection, StripeSetupError, redact, resolve

__all__ = [
    "Connection",
    "StripeCallError",
    "StripeGateway",
    "StripeSetupError",
    "idempotency_key",
    "redact",
    "resolve",
]
