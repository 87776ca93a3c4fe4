"""Errors from calling Stripe, phrased for the person running `pulumi up`.

Each is one message that says what was attempted, what Stripe (or the network) answered, which
field Stripe blamed, the request id to quote to Stripe support, and what to do next. Messages are
scrubbed of the key by the gateway before they are raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import requests
import urllib3.exceptions


class NetworkFailure(Enum):
    """How a request failed without an HTTP answer, which decides what Stripe may have done."""

    # The connection was never made, so the request never left this machine.
    CONNECT = "connect"
    # The request was sent and no answer came within the read timeout: Stripe may have acted.
    READ_TIMEOUT = "read_timeout"
    # The connection broke after the request was sent: Stripe may have acted.
    LOST = "lost"

    @property
    def request_sent(self) -> bool:
        return self is not NetworkFailure.CONNECT


def classify_network_error(err: BaseException | None) -> tuple[NetworkFailure, str]:
    """The kind of failure behind a stripe `APIConnectionError` (its `__cause__`) and a short reason."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return NetworkFailure.CONNECT, "connect timed out"
    if isinstance(err, requests.exceptions.ReadTimeout):
        return NetworkFailure.READ_TIMEOUT, "no answer within the read timeout"
    if isinstance(err, requests.exceptions.ConnectionError):
        reason = getattr(err.args[0], "reason", None) if err.args else None
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return NetworkFailure.CONNECT, "host name not found"
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            refused = "refused" in str(reason).lower()
            return NetworkFailure.CONNECT, "connection refused" if refused else "could not connect"
        return NetworkFailure.LOST, "connection closed before Stripe answered"
    return NetworkFailure.LOST, type(err).__name__ if err is not None else "no answer"


@dataclass(frozen=True)
class Attempts:
    """How hard the gateway tried before giving up, for the message."""

    count: int
    seconds: float

    def __str__(self) -> str:
        if self.count <= 1:
            return "1 attempt"
        return f"{self.count} attempts over {self.seconds:.1f} s"


class StripeCallError(RuntimeError):
    """Stripe refused or failed a request. The message names the request and never the key."""

    def __init__(self, message: str, *, status: int | None, code: str | None, param: str | None,
                 error_type: str | None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.param = param
        self.error_type = error_type
        self.request_id = request_id

    @property
    def is_missing(self) -> bool:
        return self.status == 404


class StripeUnreachable(StripeCallError):
    """No HTTP answer came from Stripe, after every retry."""

    def __init__(self, message: str, *, failure: NetworkFailure) -> None:
        super().__init__(message, status=None, code=None, param=None, error_type=None)
        self.failure = failure


def answered_message(*, subject: str, where: str, status: int | None, error_type: str | None,
                     code: str | None, param: str | None, message: str, request_id: str | None,
                     attempts: Attempts) -> str:
    """Stripe answered with an error: its message first, then the field, the codes and the request."""
    head = f"{subject}: Stripe answered {status} to {where}: {message.rstrip('.')}."
    facts = []
    if param:
        facts.append(f"field: {param}")
    kinds = "/".join(x for x in (error_type, code) if x)
    if kinds:
        facts.append(kinds)
    if request_id:
        facts.append(f"request id: {request_id}")
    if attempts.count > 1:
        facts.append(f"after {attempts}")
    return head + (f" ({'; '.join(facts)})" if facts else "")


def unreachable_message(*, subject: str, where: str, base: str, failure: NetworkFailure, reason: str,
                        attempts: Attempts) -> str:
    """No answer from Stripe: where it could not be reached, what state things are in, what to do."""
    if not failure.request_sent:
        return (
            f"{subject}: could not reach Stripe at {base} ({reason}; {attempts}) for {where}. "
            "Nothing was sent, so Stripe and the Pulumi state are unchanged. Check that this address is "
            "right (STRIPE_API_BASE or portal-infra:stripeApiBase) and reachable from this machine, "
            "then run `pulumi up` again."
        )
    if where.startswith("GET "):
        outcome = "It was a read, so nothing changed in Stripe or in the Pulumi state. "
    else:
        outcome = ("Stripe may have applied it; the Pulumi state is unchanged. Running `pulumi up` again is "
                   "safe: the request is repeated with the same idempotency key, so Stripe does not act twice. ")
    return (
        f"{subject}: sent {where} to Stripe at {base} but got no answer ({reason}; {attempts}). "
        + outcome
        + "If this keeps happening, check the network to Stripe or raise portal-infra:timeouts.read, "
        "then run `pulumi up` again."
    )
