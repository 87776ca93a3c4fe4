"""The fake Stripe's HTTP front: auth and modes, validation by stripe-mock, idempotent replay,
a request log, faults, and a control API under `/_fake/`.

Order for each API request: auth -> rate limits (faults.py) -> faults (before) -> idempotent replay ->
the platform's kind (Accounts v1/v2, sandbox; models/accounts_v2.gate) -> stripe-mock validation (its 4xx
returned unchanged; not for `/v2/`, which stripe-mock does not serve) -> Stripe's parameter definitions
(params.py) -> the model -> idempotency record -> faults (after) -> reply.

`/v2/` requests: POST bodies are JSON (stripe-python `_api_requestor.py` json.dumps the params for api_mode V2),
GET queries are form-encoded as for v1, and errors come back in v2's envelope (exceptions.StripeError.body_v2).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import responses
from .exceptions import AuthenticationError, IdempotencyError, LockTimeout, NotFoundRoute, RateLimited, StripeError
from .faults import LIMIT_FIELDS, FaultRule, Faults
from .forms import decode_form, decode_multipart
from .models import Backend, accounts_v2
from .models.portal import ensure_default_configuration
from .params import check_request
from .permissions import RestrictedKeys
from .responses import Request
from .urls import resolve, route_name

# Only the shape of a request is checked by stripe-mock; the real key is never forwarded.
_MOCK_KEY = "sk_test_fakeStripeForwarded"
_LOGGED_HEADERS = ("idempotency-key", "stripe-account", "stripe-version", "content-type")
PAUSE_TIMEOUT = 120.0


# The standard library listens with a backlog of 5: a client that opens 100 connections at once
# (a fleet `pulumi up`, a load test in a user's CI) overflows it, and each dropped SYN costs the
# client a 1 s retransmission. The kernel caps this at net.core.somaxconn.
LISTEN_BACKLOG = 1024


class _Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


@dataclass
class Saved:
    fingerprint: str
    status: int
    body: bytes


class FakeStripe:
    """A stateful Stripe on loopback. `stripe_mock_url`: validate each request with stripe-mock first."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, stripe_mock_url: str | None = None) -> None:
        self.backend = Backend()
        self.backend.on_new_store(ensure_default_configuration)
        self.faults = Faults()
        self.restricted_keys = RestrictedKeys()
        self.stripe_mock_url = stripe_mock_url
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._idempotency: dict[tuple[str, str, str], Saved] = {}
        self._server = _Server((host, port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://127.0.0.1:{port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.faults.release()
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def reset(self) -> None:
        self.backend.reset()
        self.faults.clear()
        self.restricted_keys.clear()
        with self._log_lock:
            self._log.clear()
        self._idempotency.clear()

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Objects with the IDs a stack file names (Stripe's API cannot choose price IDs).

        `{"mode": "test", "account": null, "products": [{"id", "name"}], "prices": [{"id", "product",
        "currency", "unit_amount", "recurring": {"interval"}, "lookup_key"}], "customers": [{"email"}],
        "coupons": [{"id", "percent_off", "duration"}]}`. Existing IDs
        are left as they are, so seeding twice is harmless. Also `"accounts": [{"id": "acct_…",
        "business_profile": {…}, "settings": {"branding": {…}}}]` (connected accounts) and `"platform":
        {"business_profile": {"name"}, "settings": {"branding": {"primary_color"}}}` (the platform's own,
        Dashboard-only settings, as `GET /v1/account` shows them).
        """
        from .models import accounts, catalog

        made: dict[str, list[str]] = {"products": [], "prices": [], "customers": [], "coupons": [], "accounts": []}
        with self.backend.lock:
            mode = str(data.get("mode", "test"))
            if data.get("platform"):
                self.backend.platform_settings[mode] = dict(data["platform"])
            for account in data.get("accounts", []):
                made_id = accounts.seed_account(self.backend, self.backend.store(mode, None), account)
                if made_id:
                    made["accounts"].append(made_id)
            store = self.backend.store(mode, data.get("account"))
            for product in data.get("products", []):
                if product.get("id") not in store.products.items:
                    made["products"].append(catalog.create_product(store, {"name": product.get("id"), **product})["id"])
            for price in data.get("prices", []):
                existing = store.prices.items.get(price.get("id"))
                if existing is None:
                    made["prices"].append(catalog.create_price(store, {"currency": "usd", **price})["id"])
                elif price.get("lookup_key") and not existing.get("lookup_key"):
                    # A fake state saved before the stack named this price by lookup key.
                    existing["lookup_key"] = price["lookup_key"]
            for customer in data.get("customers", []):
                made["customers"].append(catalog.create_customer(store, customer)["id"])
            for coupon in data.get("coupons", []):
                if coupon.get("id") not in store.coupons.items:
                    made["coupons"].append(catalog.create_coupon(store, {"percent_off": 10, **coupon})["id"])
        return made

    def save(self, path: Path) -> None:
        """Write the state atomically: a stop during the write leaves the previous file whole."""
        data = json.dumps(self.backend.dump())
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(data)
        partial.replace(path)

    def load(self, path: Path) -> None:
        if path.exists():
            self.backend.load(json.loads(path.read_text()))

    def set_platform(self, mode: str = "test", *, accounts: str | None = None,
                     sandbox: bool | None = None) -> dict[str, Any]:
        """What kind of Connect platform the fake is, per mode (STRIPE.md 4.1). `accounts`: "v1+v2" (enrolled in
        Accounts v2, the default), "v1" (not enrolled: `/v2/core/accounts*` answers 400), "v2" (a new platform:
        `POST /v1/accounts` answers 400). `sandbox=False`: a test key is plain test mode, where Accounts v2
        answers 400. None leaves a flag as it is; `reset()` restores the defaults."""
        with self.backend.lock:
            return accounts_v2.set_platform_flags(self.backend, mode, accounts, sandbox)

    def platform(self) -> dict[str, Any]:
        with self.backend.lock:
            return {mode: accounts_v2.platform_flags(self.backend, mode) for mode in ("test", "live")}

    def forget_idempotency_keys(self) -> None:
        """What Stripe does to keys at least 24 hours old (STRIPE.md section 6): the next use acts anew."""
        self._idempotency.clear()

    def requests(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return list(self._log)

    def counters(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry in self.requests():
            out[entry["route"]] = out.get(entry["route"], 0) + 1
        return out

    def record(self, entry: dict[str, Any]) -> None:
        with self._log_lock:
            self._log.append(entry)

    # Stripe's answer to one API request, before faults after the fact.
    def answer(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, *,
               mode: str, params: dict[str, Any], uploads: dict[str, Any],
               ) -> tuple[int, bytes, str, dict[str, str]]:
        """`params`/`uploads` are the decoded body; `query` and `body` are kept raw for stripe-mock."""
        account = headers.get("stripe-account") or None
        key = headers.get("idempotency-key") if method == "POST" else None
        fingerprint = hashlib.sha256(f"{method} {path} {json.dumps(params, sort_keys=True)}".encode()).hexdigest()
        slot = (mode, account or "", key or "")
        if key:
            saved = self._idempotency.get(slot)
            if saved is not None:
                if saved.fingerprint != fingerprint:
                    raise IdempotencyError(key)
                return saved.status, saved.body, "application/json", {"Idempotent-Replayed": "true"}
        accounts_v2.gate(self.backend, mode, method, path, headers)
        if self.stripe_mock_url and not path.startswith("/v2/"):
            refused = self._validate_with_stripe_mock(method, path, query, headers, body)
            if refused is not None:
                return refused[0], refused[1], "application/json", {}
        # Stripe's parameter definitions at every depth: stripe-mock checks only the top level (params.py).
        check_request(route_name(method, path), params, uploads)
        found = resolve(method, path)
        if found is None:
            raise NotFoundRoute(method, path)
        handler, args = found
        with self.backend.lock:
            reply = handler(Request(self.backend, mode, account, params, args, uploads))
        if isinstance(reply, bytes):
            return 200, reply, "application/octet-stream", {}
        payload = json.dumps(reply).encode()
        if key:
            # Stripe saves the result once the endpoint has run, so a retry replays it.
            self._idempotency[slot] = Saved(fingerprint, 200, payload)
        return 200, payload, "application/json", {}

    def _validate_with_stripe_mock(self, method: str, path: str, query: str, headers: dict[str, str],
                                   body: bytes) -> tuple[int, bytes] | None:
        assert self.stripe_mock_url is not None
        parts = urlsplit(self.stripe_mock_url)
        forward = {k: v for k, v in headers.items()
                   if k in ("content-type", "stripe-version", "stripe-account")}
        forward["authorization"] = f"Bearer {_MOCK_KEY}"
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
        try:
            conn.request(method, path + (f"?{query}" if query else ""), body=body or None, headers=forward)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        # stripe-mock answers 404 for routes its (older) spec lacks; those are ours to judge.
        if 400 <= resp.status < 500 and resp.status != 404:
            return resp.status, data
        return None


def _key(authorization: str) -> str:
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() == "basic":
        credential = base64.b64decode(credential).decode(errors="replace").split(":", 1)[0]
    return credential.strip()


def _mode(authorization: str) -> str:
    key = _key(authorization)
    if key.startswith(("sk_test_", "rk_test_")):
        return "test"
    if key.startswith(("sk_live_", "rk_live_")):
        return "live"
    if key.startswith("pk_"):
        raise AuthenticationError("This API call cannot be made with a publishable API key. "
                                  "Please use a secret API key.")
    raise AuthenticationError("You did not provide an API key, or it is not a secret key "
                              "(Authorization: Bearer sk_test_...).")


def _params(method: str, path: str, query: str, content_type: str,
            body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    if method == "GET":
        return decode_form(parse_qsl(query, keep_blank_values=True)), {}
    if content_type.startswith("multipart/form-data"):
        return decode_multipart(content_type, body)
    if path.startswith("/v2/"):
        # JSON, `null` kept as None. unsourced: Stripe's answer to a body that is not a JSON object.
        if not body.strip():
            return {}, {}
        try:
            decoded = json.loads(body)
        except ValueError:
            raise StripeError(400, "Invalid JSON body: v2 requests take a JSON object "
                                   "(Content-Type: application/json)") from None
        if not isinstance(decoded, dict):
            raise StripeError(400, "Invalid JSON body: v2 requests take a JSON object")
        return decoded, {}
    return decode_form(parse_qsl(body.decode(errors="replace"), keep_blank_values=True)), {}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "portal-infra-fake-stripe"
        # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK
        # adds ~40 ms to every reply (measured with make bench).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            return

        def _body(self) -> bytes | None:
            """The request body, or None when the client went away before sending all of it (a killed
            `pulumi up`): Stripe never acts on a request it did not receive whole, and neither may we."""
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            return body if len(body) == length else None

        def _send(self, status: int, body: bytes, content_type: str = "application/json",
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Request-Id", "req_" + hashlib.sha1(body + str(time.time_ns()).encode()).hexdigest()[:14])
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _handle(self) -> None:
            split = urlsplit(self.path)
            body = self._body()
            if body is None:
                self.close_connection = True
                return
            if split.path.startswith("/_fake/"):
                self._control(split.path, body)
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            method = self.command
            entry: dict[str, Any] = {
                "method": method, "path": split.path, "route": route_name(method, split.path),
                "account": headers.get("stripe-account"),
                # When it arrived (epoch seconds): the benchmark's timeline of a run.
                "at": round(time.time(), 4),
                "headers": {k: v for k, v in headers.items() if k in _LOGGED_HEADERS},
            }
            status, payload, ctype = 0, b"", "application/json"
            extra: dict[str, str] = {}
            after: FaultRule | None = None
            try:
                mode = entry["mode"] = _mode(headers.get("authorization", ""))
                fake.restricted_keys.check(_key(headers.get("authorization", "")), method, split.path,
                                           headers.get("stripe-account") or fake.backend.platform_account_id)
                params, uploads = _params(method, split.path, split.query, headers.get("content-type", ""), body)
                entry["params"] = params
                limiter = fake.faults.over_rate_limit(entry["route"], mode)
                if limiter is not None:
                    raise RateLimited(limiter)
                before = fake.faults.pick(method, split.path, "before")
                if before is not None and self._fault(before, entry, recorded=False):
                    return
                status, payload, ctype, extra = fake.answer(method, split.path, split.query, headers, body,
                                                            mode=mode, params=params, uploads=uploads)
                if extra.get("Idempotent-Replayed"):
                    entry["replayed"] = True
                after = fake.faults.pick(method, split.path, "after")
            except StripeError as err:
                envelope = err.body_v2() if split.path.startswith("/v2/") else err.body()
                status, payload = err.status, json.dumps(envelope).encode()
                if isinstance(err, RateLimited):
                    extra = {"Stripe-Should-Retry": "true", **err.headers()}
            entry["status"] = status
            fake.record(entry)
            if after is not None and self._fault(after, entry, recorded=True):
                return
            if "idempotency-key" in headers:
                extra = {"Idempotency-Key": headers["idempotency-key"], **extra}
            self._send(status, payload, ctype, extra)

        def _fault(self, rule: FaultRule, entry: dict[str, Any], *, recorded: bool) -> bool:
            """Delay, hold, drop or fail the reply as `rule` says. True when nothing more is to be sent.

            Before the request reaches Stripe's logic, the log records the fault's status; after it,
            the log keeps Stripe's real answer, which is also what an idempotent retry replays.
            """
            entry["fault"] = rule.id
            if rule.latency_ms:
                time.sleep(rule.latency_ms / 1000)
            if rule.pause:
                fake.faults.hold(PAUSE_TIMEOUT)
            if not (rule.drop or rule.status):
                return False
            if not recorded:
                entry["status"] = rule.status or 0
                fake.record(entry)
            if rule.drop:
                self._drop()
            else:
                assert rule.status is not None
                self._send(rule.status, json.dumps(_fault_body(rule)).encode(), extra=_retry(rule))
            return True

        def _control(self, path: str, body: bytes) -> None:
            data: Any = json.loads(body) if body else {}
            method = self.command
            reply: Any
            try:
                if path == "/_fake/health":
                    reply = {"ok": True, "stripe_mock": fake.stripe_mock_url}
                elif path == "/_fake/requests":
                    reply = {"requests": fake.requests()}
                elif path == "/_fake/counters":
                    reply = {"counters": fake.counters()}
                elif path == "/_fake/faults" and method == "POST":
                    reply = fake.faults.add(data).public()
                elif path == "/_fake/faults" and method == "DELETE":
                    fake.faults.clear()
                    reply = {"ok": True}
                elif path == "/_fake/faults":
                    reply = {"faults": fake.faults.rules()}
                elif path == "/_fake/rate_limit" and method == "POST":
                    unknown = sorted(set(data) - set(LIMIT_FIELDS))
                    if unknown:
                        raise ValueError(f"unknown rate_limit fields: {unknown}; known: {list(LIMIT_FIELDS)}")
                    fake.faults.set_rate_limit(**data)
                    reply = {"ok": True}
                elif path == "/_fake/rate_limit":
                    reply = fake.faults.rate_limit()
                elif path == "/_fake/paused":
                    reply = {"paused": fake.faults.paused}
                elif path == "/_fake/release":
                    fake.faults.release()
                    reply = {"ok": True}
                elif path == "/_fake/restricted_keys" and method == "POST":
                    fake.restricted_keys.set(str(data.get("key", "")), data.get("grants") or {})
                    reply = {"ok": True}
                elif path == "/_fake/platform" and method == "POST":
                    unknown = sorted(set(data) - {"mode", "accounts", "sandbox"})
                    if unknown:
                        raise ValueError(f"unknown platform fields: {unknown}; known: mode, accounts, sandbox")
                    reply = fake.set_platform(str(data.get("mode", "test")), accounts=data.get("accounts"),
                                              sandbox=data.get("sandbox"))
                elif path == "/_fake/platform":
                    reply = fake.platform()
                elif path == "/_fake/seed" and method == "POST":
                    reply = fake.seed(data)
                elif path == "/_fake/dashboard/account" and method == "POST":
                    with fake.backend.lock:
                        reply = responses.dashboard_update_account(fake.backend, data)
                elif path == "/_fake/custom_domain" and method == "POST":
                    reply = responses.set_custom_domain(fake.backend, data)
                elif path == "/_fake/reset":
                    fake.reset()
                    reply = {"ok": True}
                else:
                    self._send(404, json.dumps({"error": f"no control endpoint {method} {path}"}).encode())
                    return
            except (ValueError, TypeError, KeyError) as err:
                self._send(400, json.dumps({"error": str(err)}).encode())
                return
            except StripeError as err:
                self._send(err.status, json.dumps(err.body()).encode())
                return
            self._send(200, json.dumps(reply).encode())

        do_GET = do_POST = do_DELETE = _handle

    return Handler


def _retry(rule: FaultRule) -> dict[str, str]:
    headers = {}
    if rule.should_retry is not None:
        headers["Stripe-Should-Retry"] = "true" if rule.should_retry else "false"
    if rule.retry_after is not None:
        headers["Retry-After"] = f"{rule.retry_after:g}"
    if rule.reason:
        headers["Stripe-Rate-Limited-Reason"] = rule.reason
    return headers


def _fault_body(rule: FaultRule) -> dict[str, Any]:
    if rule.code == "lock_timeout":
        return LockTimeout().body()
    if rule.status == 429:
        return RateLimited().body()
    error: dict[str, Any] = {"type": "api_error", "message": f"An injected fault answered {rule.status}."}
    return {"error": {**error, "code": rule.code} if rule.code else error}
