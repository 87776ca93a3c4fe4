"""A recording HTTP proxy at Stripe's edge: forwards every request to an upstream (stripe-mock)
and keeps what was sent, so tests can assert exactly which fields a `pulumi up` put on the wire.

The Authorization header is forwarded but never recorded.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from .fake.server import LISTEN_BACKLOG

_KEPT_HEADERS = ("idempotency-key", "stripe-account", "stripe-version", "content-type")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    headers: dict[str, str]
    status: int = 0
    body: bytes = field(default=b"", repr=False)

    @property
    def params(self) -> dict[str, str]:
        """Form fields by their flat wire name, e.g. `features[subscription_cancel][mode]`."""
        return dict(self.form)



class _Server(ThreadingHTTPServer):
    # As the fake's: the standard library's backlog of 5 stalls a fleet-sized burst of connections.
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RecordingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def matching(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK
            # adds ~40 ms to every reply (measured with make bench).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn = http.client.HTTPConnection(*proxy._upstream, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    status = resp.status
                    resp_headers = resp.getheaders()
                finally:
                    conn.close()
                split = urlsplit(self.path)
                ctype = self.headers.get("Content-Type", "")
                form = parse_qsl(body.decode(errors="replace"), keep_blank_values=True) \
                    if "x-www-form-urlencoded" in ctype else []
                proxy._record(RecordedRequest(
                    method=self.command,
                    path=split.path,
                    query=parse_qsl(split.query, keep_blank_values=True),
                    form=form,
                    headers={k.lower(): v for k, v in self.headers.items() if k.lower() in _KEPT_HEADERS},
                    status=status,
                    body=body,
                ))
                self.send_response(status)
                for key, value in resp_headers:
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _forward

        return Handler

    def __enter__(self) -> RecordingProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
