"""The one door to Stripe. Nothing else in portal-infra speaks HTTP to Stripe.

Each call builds its client from a `Connection` resolved in the provider process, so the key is
never held by anything pickled. Responses come back as plain dicts (Stripe's JSON), errors as
`StripeCallError` with the key scrubbed from the message.

Every attempt, retries included, first takes its turn from the pacer of its account, key mode and
endpoint (ratelimit.py): a send time that both its endpoint's budget and the account's global one
allow, which every process on the machine using the same key shares. Retries are ours, not
stripe-python's, so that each one is paced, honours `Stripe-Should-Retry` and `Retry-After`, and
stays within the request's time budget; a POST is always retried with the same Idempotency-Key,
so a retry cannot act twice.

A 429 says which of Stripe's limiters answered in `Stripe-Rate-Limited-Reason` (STRIPE.md section
6): an endpoint's (or a resource's own) limit holds that endpoint's budget for the retry's wait, the
account's holds every request. A 429 without it is a `lock_timeout`, two requests on one object at
once: the request is retried after its backoff, and no budget slows down for it.
"""

from __future__ import annotations

import email.utils
import io
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

import stripe

from .errors import (
    Attempts,
    NetworkFailure,
    StripeCallError,
    StripeUnreachable,
    answered_message,
    classify_network_error,
    unreachable_message,
)
from .keys import Connection, permission_hint
from .ratelimit import Api, Lane, Pacer, RateLimits, budget_scope, lane, pacer
from .settings import ClientSettings, RetryPolicy, Timeouts

_T = TypeVar("_T")

# Pinned, so a change in Stripe's default version cannot change what we send or parse.
STRIPE_VERSION = stripe.api_version

# Statuses worth another try when Stripe gives no `Stripe-Should-Retry` hint: a lock conflict,
# the rate limit, and Stripe-side failures. Everything else is an answer about the request itself.
_RETRIED_STATUSES = frozenset({409, 429, 500, 502, 503, 504})

# Stripe's limiters of one endpoint, or of one resource (like the files API's own limit); the
# others (`global-rate`, `global-concurrency`) are the account's (docs.stripe.com/rate-limits).
_LANE_LIMITERS = frozenset({"endpoint-rate", "endpoint-concurrency", "resource-specific"})

# One HTTP transport per timeout pair, shared by all gateways in the process: requests keeps a
# session per thread inside it, so connections are reused across resources. It holds no key.
_transports: dict[Timeouts, stripe.RequestsClient] = {}
_transports_lock = threading.Lock()


def _transport(timeouts: Timeouts) -> stripe.RequestsClient:
    with _transports_lock:
        found = _transports.get(timeouts)
        if found is None:
            found = _transports[timeouts] = stripe.RequestsClient(timeout=(timeouts.connect, timeouts.read))
        return found


class StripeGateway:
    """Calls Stripe as one account (optionally a connected one, via `Stripe-Account`).

    `subject` names what the calls are for (a resource) at the start of every error message.
    `sleep`, `clock`, `jitter` and `pacers` (the machine-wide pacer by default) are for tests.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        stripe_account: str | None = None,
        settings: ClientSettings | None = None,
        subject: str = "portal-infra",
        max_retries: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        pacers: Callable[[str, Lane, RateLimits, str], Pacer] = pacer,
    ) -> None:
        self._connection = connection
        self._stripe_account = stripe_account
        settings = settings or ClientSettings()
        if max_retries is not None:
            settings = replace(settings, retries=replace(settings.retries, max_attempts=max(0, max_retries) + 1))
        self._settings = settings
        self._subject = subject
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._pacers = pacers
        self._client = stripe.StripeClient(
            connection.api_key,
            stripe_version=STRIPE_VERSION,
            base_addresses={"api": connection.api_base, "files": connection.files_base},
            max_network_retries=0,
            http_client=_transport(settings.timeouts),
        )

    @property
    def mode(self) -> str:
        return self._connection.mode

    @property
    def settings(self) -> ClientSettings:
        return self._settings

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._request("get", path, params or {}, idempotency_key=None)

    def post(self, path: str, params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        return self._request("post", path, params, idempotency_key=idempotency_key)

    def upload_file(self, purpose: str, filename: str, data: bytes, *, idempotency_key: str) -> dict[str, Any]:
        """POST /v1/files on Stripe's files address (multipart), as this gateway's account.

        Paced against the files API's writes budget (`portal-infra:rateLimits.filesWrite`) and the global one.
        """
        upload = io.BytesIO(data)
        upload.name = filename
        return self._request("post", "/v1/files", {"purpose": purpose, "file": upload},
                             idempotency_key=idempotency_key, api="files")

    def download_file(self, file_id: str) -> bytes:
        """The bytes of a File, from Stripe's files address (`GET /v1/files/{id}/contents`, docs.stripe.com
        /file-upload#download-file-contents), as this gateway's account. stripe-python has no call for
        it, so the SDK's own requestor streams it, with our pacing and retries around it."""
        options: dict[str, Any] = {"stripe_account": self._stripe_account} if self._stripe_account else {}
        path = f"/v1/files/{file_id}/contents"

        def attempt() -> bytes:
            stream = self._client._requestor.request_stream(  # private: stripe-python has no public call
                "get", path, {}, options, base_address="files")  # type: ignore[arg-type]
            data: bytes = stream.io.read()
            return data

        return self.call("get", path, attempt, api="files")

    @property
    def account_digest(self) -> str:
        """Names this key's Stripe account (and address) without the key: a digest that cannot be reversed."""
        return budget_scope(self._connection.api_base, self._connection.api_key)

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

    def list_all_v2(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every object of a v2 list endpoint. v2 pages by `next_page_url`, the path and query of the next
        page (stripe-python 16.1.0 `stripe/v2/_list_object.py`), not by `starting_after`."""
        out: list[dict[str, Any]] = []
        page = self.get(path, {"limit": 100, **(params or {})})
        while True:
            out.extend(page.get("data") or [])
            following = page.get("next_page_url")
            if not following or not page.get("data"):
                return out
            page = self.get(str(following))

    def _request(self, method: str, path: str, params: dict[str, Any], *, idempotency_key: str | None,
                 api: Api = "api") -> dict[str, Any]:
        """One Stripe request through `raw_request`, paced and retried."""
        options: dict[str, Any] = {}
        if self._stripe_account:
            options["stripe_account"] = self._stripe_account
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        if api == "files":
            # Files go to Stripe's files address as multipart (stripe-python's `base` and `content_type`).
            options.update(base="files", content_type="multipart/form-data")

        def attempt() -> dict[str, Any]:
            for value in params.values():
                if isinstance(value, io.IOBase):
                    value.seek(0)  # a retried upload sends the same bytes again
            data: dict[str, Any] = self._client.raw_request(method, path, **params, **options).data
            return data

        return self.call(method, path, attempt, api=api)

    def call(self, method: str, path: str, attempt: Callable[[], _T], *, api: Api = "api") -> _T:
        """Run `attempt` (one HTTP request through `self._client`) until it succeeds or the retry
        policy gives up. Each attempt first waits its turn from the pacer of this key mode and the
        request's endpoint (`method` and `path`, IDs folded) or, for the files API (`api="files"`
        for requests to Stripe's files base address, and any `/v1/files` path), its reads or writes.
        A POST's `attempt` must send the same Idempotency-Key every time. `method` and `path` also
        name the request in errors.
        """
        policy = self._settings.retries
        # One budget per account on this machine: pool processes and side-by-side stacks share it.
        scope = budget_scope(self._connection.api_base, self._connection.api_key)
        turn = self._pacers(self.mode, lane(method, path, api), self._settings.rate_limits, scope)
        started = self._clock()
        tries = 0
        while True:
            tries += 1
            turn.acquire()
            try:
                return attempt()
            except stripe.APIConnectionError as err:
                failure, reason = classify_network_error(err.__cause__)
                delay = self._retry_delay(policy, tries, started, None)
                if delay is None:
                    raise self._unreachable(method, path, failure, reason, tries, started) from None
            except stripe.StripeError as err:
                headers = {k.lower(): v for k, v in (err.headers or {}).items()}
                delay = None
                if _should_retry(err.http_status, headers):
                    delay = self._retry_delay(policy, tries, started, _retry_after(headers))
                if delay is None:
                    raise self._answered(method, path, err, tries, started) from None
                held = _held_by(err.http_status, headers)
                if held is not None:
                    turn.hold_off(delay, lane_only=held == "lane")
            self._sleep(delay)

    def _retry_delay(self, policy: RetryPolicy, attempt: int, started: float,
                     retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when the attempts or the time are used up."""
        if attempt >= policy.max_attempts:
            return None
        backoff = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
        # Equal jitter: at least half the backoff, so retries stay spread but never come back at once.
        delay = backoff * (0.5 + self._jitter() / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        if self._clock() - started + delay > policy.max_seconds:
            return None
        return delay

    def _where(self, method: str, path: str) -> str:
        where = f"{method.upper()} {path}"
        if self._stripe_account:
            where += f" (as {self._stripe_account})"
        return where

    def _attempts(self, attempt: int, started: float) -> Attempts:
        return Attempts(attempt, self._clock() - started)

    def _unreachable(self, method: str, path: str, failure: NetworkFailure, reason: str, attempt: int,
                     started: float) -> StripeUnreachable:
        text = unreachable_message(subject=self._subject, where=self._where(method, path),
                                   base=self._connection.api_base, failure=failure, reason=reason,
                                   attempts=self._attempts(attempt, started))
        return StripeUnreachable(self._connection.redact(text), failure=failure)

    def _answered(self, method: str, path: str, err: stripe.StripeError, attempt: int,
                  started: float) -> StripeCallError:
        error = getattr(err, "error", None)
        code = getattr(error, "code", None) or err.code
        param = getattr(error, "param", None)
        error_type = getattr(error, "type", None)
        message = str(getattr(error, "message", None) or err.user_message or type(err).__name__)
        if err.http_status == 403 and self._connection.restricted and code != "account_invalid":
            message = f"{message.rstrip('.')}; {permission_hint(method, path)}"
        text = answered_message(subject=self._subject, where=self._where(method, path), status=err.http_status,
                                error_type=error_type, code=code, param=param, message=message,
                                request_id=err.request_id, attempts=self._attempts(attempt, started))
        return StripeCallError(self._connection.redact(text), status=err.http_status, code=code, param=param,
                               error_type=error_type, request_id=err.request_id)


def _should_retry(status: int | None, headers: Mapping[str, str]) -> bool:
    # Stripe's own hint wins over the status, both ways (a 429 it says not to retry is final).
    hint = headers.get("stripe-should-retry")
    if hint == "true":
        return True
    if hint == "false":
        return False
    return status in _RETRIED_STATUSES


def _held_by(status: int | None, headers: Mapping[str, str]) -> str | None:
    """Which budget a refusal holds for the retry's wait: "lane" (this request's endpoint), "all",
    or None (only this request waits)."""
    reason = headers.get("stripe-rate-limited-reason")
    if reason in _LANE_LIMITERS:
        return "lane"
    if reason:
        # The account's limiters, and any limiter not known here yet: every request waits.
        return "all"
    if status == 429:
        # No limiter answered: a lock_timeout, two requests on one object at once. Only the retry
        # waits (it is this request's own, so the two run one after the other); pacing is not at fault.
        return None
    # Stripe asked this client to wait (a 503 with Retry-After), not just this request.
    return "all" if "retry-after" in headers else None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` as seconds: a number, or an HTTP date."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
