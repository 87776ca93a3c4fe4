"""The one door to Stripe. Nothing else in portal-infra speaks HTTP to Stripe.

Each call builds its client from a `Connection` resolved in the provider process, so the key is
never held by anything pickled. Responses come back as plain dicts (Stripe's JSON), errors as
`StripeCallError` with the key scrubbed from the message.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections.abc import Callable
from typing import Any

import stripe

from .keys import Connection, permission_hint

# Pinned, so a change in Stripe's default version cannot change what we send or parse.
STRIPE_VERSION = stripe.api_version

DEFAULT_MAX_RETRIES = 3
_RATE_LIMIT_BASE_DELAY = 0.5
_RATE_LIMIT_MAX_DELAY = 8.0


class StripeCallError(RuntimeError):
    """Stripe refused or failed a request. The message names the request and never the key."""

    def __init__(self, message: str, *, status: int | None, code: str | None, param: str | None,
                 error_type: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.param = param
        self.error_type = error_type

    @property
    def is_missing(self) -> bool:
        return self.status == 404


class StripeGateway:
    """Calls Stripe as one account (optionally a connected one, via `Stripe-Account`)."""

    def __init__(
        self,
        connection: Connection,
        *,
        stripe_account: str | None = None,
        max_retries: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._connection = connection
        self._stripe_account = stripe_account
        retries = max_retries if max_retries is not None else int(
            os.environ.get("PORTAL_INFRA_MAX_RETRIES", DEFAULT_MAX_RETRIES)
        )
        self._max_retries = max(0, retries)
        self._sleep = sleep
        self._client = stripe.StripeClient(
            connection.api_key,
            stripe_version=STRIPE_VERSION,
            base_addresses={"api": connection.api_base, "files": connection.api_base},
            # stripe-python retries connection errors, 409 and 5xx itself, reusing the same
            # Idempotency-Key; a 429 it retries only when Stripe says so, so we add that below.
            max_network_retries=self._max_retries,
            http_client=stripe.RequestsClient(timeout=(10, 60)),
        )

    @property
    def mode(self) -> str:
        return self._connection.mode

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._request("get", path, params or {}, idempotency_key=None)

    def post(self, path: str, params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        return self._request("post", path, params, idempotency_key=idempotency_key)

    def upload_file(self, purpose: str, filename: str, data: bytes, *, idempotency_key: str) -> dict[str, Any]:
        """POST /v1/files on Stripe's files address (multipart), as this gateway's account."""
        upload = io.BytesIO(data)
        upload.name = filename
        return self._request("post", "/v1/files", {"purpose": purpose, "file": upload},
                             idempotency_key=idempotency_key, base="files")

    def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every object of a list endpoint, following `has_more` pages."""
        out: list[dict[str, Any]] = []
        query = {"limit": 100, **(params or {})}
        seen: set[str] = set()
        while True:
            page = self.get(path, query)
            data = [o for o in page.get("data", []) if o.get("id") not in seen]
            out.extend(data)
            seen.update(str(o.get("id")) for o in data)
            if not page.get("has_more") or not data:
                return out
            query = {**query, "starting_after": data[-1]["id"]}

    def _request(self, method: str, path: str, params: dict[str, Any], *,
                 idempotency_key: str | None, base: str = "api") -> dict[str, Any]:
        options: dict[str, Any] = {}
        if base != "api":
            # Files go to Stripe's files address as multipart (stripe-python's `base` and `content_type`).
            options.update(base=base, content_type="multipart/form-data")
        if self._stripe_account:
            options["stripe_account"] = self._stripe_account
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        attempt = 0
        while True:
            try:
                response = self._client.raw_request(method, path, **params, **options)
                data: dict[str, Any] = response.data
                return data
            except stripe.RateLimitError as err:
                upload = params.get("file")
                if isinstance(upload, io.BytesIO):
                    upload.seek(0)  # a retried upload must send the same bytes again
                if attempt >= self._max_retries:
                    raise self._translate(method, path, err) from None
                # Same Idempotency-Key on every attempt, so a retried POST cannot act twice.
                delay = min(_RATE_LIMIT_MAX_DELAY, _RATE_LIMIT_BASE_DELAY * 2**attempt)
                self._sleep(delay * (0.5 + random.random() / 2))
                attempt += 1
            except stripe.StripeError as err:
                raise self._translate(method, path, err) from None

    def _translate(self, method: str, path: str, err: stripe.StripeError) -> StripeCallError:
        error = getattr(err, "error", None)
        status = err.http_status
        code = getattr(error, "code", None) or err.code
        param = getattr(error, "param", None)
        error_type = getattr(error, "type", None)
        message = getattr(error, "message", None) or err.user_message or str(err) or type(err).__name__
        where = f"{method.upper()} {path}"
        if self._stripe_account:
            where += f" (as {self._stripe_account})"
        details = ", ".join(x for x in (str(status) if status else "no response", error_type, code) if x)
        text = f"Stripe refused {where} [{details}]: {message}"
        if param:
            text += f" (parameter: {param})"
        if status == 403 and self._connection.restricted and code != "account_invalid":
            text += f"; {permission_hint(method, path)}"
        if err.request_id:
            text += f" (request {err.request_id})"
        return StripeCallError(self._connection.redact(text), status=status, code=code, param=param,
                               error_type=error_type)
