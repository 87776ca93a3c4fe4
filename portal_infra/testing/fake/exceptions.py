"""Errors the fake answers with, in Stripe's envelope: status, `type`, `code`, `param`, `message`."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://docs.stripe.com/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}

    def body_v2(self) -> dict[str, Any]:
        """The envelope of a `/v2/` answer: `{"error": {"type", "code", "message", "param"?}}` (STRIPE.md 4.1:
        stripe-go's V2RawError, stripe-node's src/Error.ts), without v1's `doc_url`. stripe-python 16.1.0
        (`_api_requestor.py specific_v2_api_error`) maps `type` `idempotency_error` to IdempotencyError and
        passes `invalid_request_error` on to `specific_v1_api_error`, which raises InvalidRequestError for a
        400/404 with `.code` and `.param` read from this body."""
        error: dict[str, Any] = {"type": self.type, "code": self.code, "message": self.message}
        if self.param:
            error["param"] = self.param
        return {"error": error}


class ResourceMissing(StripeError):
    def __init__(self, kind: str, id_: str, param: str = "id") -> None:
        super().__init__(404, f"No such {kind}: '{id_}'", code="resource_missing", param=param)


class InvalidParam(StripeError):
    def __init__(self, param: str, message: str, code: str | None = "parameter_invalid_string") -> None:
        super().__init__(400, message, code=code, param=param)


class MissingParam(StripeError):
    def __init__(self, param: str) -> None:
        super().__init__(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


class UnknownParam(StripeError):
    def __init__(self, param: str) -> None:
        super().__init__(400, f"Received unknown parameter: {param}", code="parameter_unknown", param=param)


class AuthenticationError(StripeError):
    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class IdempotencyError(StripeError):
    def __init__(self, key: str) -> None:
        super().__init__(
            400,
            f"Keys for idempotent requests can only be used with the same parameters they were first used with. "
            f"Try using a key other than '{key}' if you meant to execute a different request.",
            type_="idempotency_error",
        )


class RateLimited(StripeError):
    """A limiter's 429; `reason` is its `Stripe-Rate-Limited-Reason` (docs.stripe.com/rate-limits)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(429, "Too many requests hit the API too quickly.", code="rate_limit")
        self.reason = reason

    def headers(self) -> dict[str, str]:
        return {"Stripe-Rate-Limited-Reason": self.reason} if self.reason else {}


class LockTimeout(StripeError):
    """Two requests on one object at once: a 429 that no limiter sent, so without
    `Stripe-Rate-Limited-Reason` (docs.stripe.com/rate-limits; docs.stripe.com/error-codes/lock-timeout)."""

    def __init__(self) -> None:
        super().__init__(429, "This object cannot be accessed right now because another API request or Stripe "
                              "process is currently accessing it. If you see this error intermittently, retry the "
                              "request. If you see this error frequently and are making multiple concurrent "
                              "requests to a single object, make your requests serially or at a lower rate.",
                         code="lock_timeout")


class NotFoundRoute(StripeError):
    def __init__(self, method: str, path: str) -> None:
        super().__init__(404, f"Unrecognized request URL ({method}: {path}).")
