"""A small authoritative DNS server on loopback, for testing custom-domain verification.

It answers from records a test puts in (`add`, or `add_records` with a `CustomDomain`'s
`dns_records` output as it is), over UDP and TCP on one free port of 127.0.0.1. Wire format is
dnspython's; this file only keeps the records and answers the question asked. Names with no
record at all get NXDOMAIN; a name with a CNAME answers any type with that CNAME, as DNS does.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

DEFAULT_TTL = 300


class LoopbackDNS:
    """`with LoopbackDNS() as dns: dns.add("CNAME", "billing.example.com", "hosted-checkout.stripecdn.com")`;
    point a resolver at `dns.address` ("127.0.0.1:PORT")."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.queries: list[tuple[str, str]] = []
        self._udp, self._tcp = self._bind(host)
        self._threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (self._udp, self._tcp)]

    @property
    def host(self) -> str:
        return str(self._udp.server_address[0])

    @property
    def port(self) -> int:
        return int(self._udp.server_address[1])

    @property
    def address(self) -> str:
        """What `dns_resolver` takes."""
        return f"{self.host}:{self.port}"

    def start(self) -> LoopbackDNS:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in (self._udp, self._tcp):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> LoopbackDNS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add(self, rdtype: str, name: str, value: str, ttl: int = DEFAULT_TTL) -> None:
        dns.rdatatype.from_text(rdtype)  # fail here, not while answering, on a type DNS does not know
        with self._lock:
            self._records.setdefault((_key(name), rdtype.upper()), []).append((value, ttl))

    def add_records(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Records in `CustomDomain.dns_records` shape: {type, name, value, ttl, proxied}."""
        for record in records:
            self.add(str(record["type"]), str(record["name"]), str(record["value"]),
                     int(record.get("ttl") or DEFAULT_TTL))

    def remove(self, rdtype: str, name: str) -> None:
        with self._lock:
            self._records.pop((_key(name), rdtype.upper()), None)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self.queries.clear()

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True)
        rdtype = dns.rdatatype.to_text(question.rdtype)
        key = _key(name)
        with self._lock:
            self.queries.append((name, rdtype))
            answered_type = rdtype if (key, rdtype) in self._records else "CNAME"
            found = list(self._records.get((key, answered_type), []))
            exists = any(k == key for k, _ in self._records)
        if found:
            ttl = min(t for _, t in found)
            response.answer.append(dns.rrset.from_text_list(
                question.name, ttl, dns.rdataclass.IN, answered_type,
                [_rdata_text(answered_type, v) for v, _ in found]))
        elif not exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    def _bind(self, host: str) -> tuple[socketserver.UDPServer, socketserver.TCPServer]:
        udp_handler, tcp_handler = _handlers(self)
        # One port for both protocols: take a free UDP port, then the same TCP port (retry if taken).
        last: OSError | None = None
        for _ in range(20):
            udp = _UDPServer((host, 0), udp_handler)
            try:
                return udp, _TCPServer((host, udp.server_address[1]), tcp_handler)
            except OSError as err:
                last = err
                udp.server_close()
        raise RuntimeError(f"no free port for UDP and TCP on {host}: {last}")


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _key(name: str) -> str:
    return name.rstrip(".").lower()


def _rdata_text(rdtype: str, value: str) -> str:
    if rdtype == "TXT":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if rdtype in ("CNAME", "NS", "PTR") and not value.endswith("."):
        return value + "."
    return value


def _handlers(server: LoopbackDNS) -> tuple[type[socketserver.BaseRequestHandler],
                                            type[socketserver.BaseRequestHandler]]:
    class UDPHandler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            try:
                reply = server.answer(data)
            except Exception:
                return  # a malformed packet gets no answer, as from a real server under attack
            sock.sendto(reply, self.client_address)

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            conn: socket.socket = self.request
            while True:
                header = _read_exact(conn, 2)
                if header is None:
                    return
                body = _read_exact(conn, struct.unpack("!H", header)[0])
                if body is None:
                    return
                try:
                    reply = server.answer(body)
                except Exception:
                    return
                conn.sendall(struct.pack("!H", len(reply)) + reply)

    return UDPHandler, TCPHandler


def _read_exact(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
