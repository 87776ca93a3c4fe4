"""Does DNS hold the records a custom domain needs? Asked of one resolver with dnspython.

The resolver is the system's unless the stack names one (`dns_resolver: 127.0.0.1:5353`), which is
how tests point the check at a DNS server of their own on loopback. Caching is off: a re-check
after a DNS change must ask again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import dns.resolver

from .specs.custom_domain import parse_resolver

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class RecordCheck:
    record: Mapping[str, Any]
    ok: bool
    # What the resolver answered, in words, for the instructions when the record is not right yet.
    found: str


def make_resolver(address: str | None, timeout: float = DEFAULT_TIMEOUT) -> dns.resolver.Resolver:
    if address is None:
        resolver = dns.resolver.Resolver(configure=True)
    else:
        host, port = parse_resolver(address)
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host]
        resolver.port = port
    resolver.cache = None
    resolver.lifetime = timeout
    resolver.timeout = timeout
    return resolver


def check_records(records: Sequence[Mapping[str, Any]], address: str | None,
                  timeout: float = DEFAULT_TIMEOUT) -> list[RecordCheck]:
    try:
        resolver = make_resolver(address, timeout)
    except dns.resolver.NoResolverConfiguration:
        return [RecordCheck(r, False, "no system resolver is configured (set dns_resolver)") for r in records]
    return [_check(resolver, record) for record in records]


def _check(resolver: dns.resolver.Resolver, record: Mapping[str, Any]) -> RecordCheck:
    name, rdtype, want = str(record["name"]), str(record["type"]), str(record["value"])
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return RecordCheck(record, False, "no such name")
    except dns.resolver.NoNameservers as err:
        return RecordCheck(record, False, f"the resolver failed ({_first_line(err)})")
    except dns.exception.Timeout:
        return RecordCheck(record, False, f"no answer from {_where(resolver)} in time")
    values = _values(answer.rrset, rdtype) if answer.rrset is not None else []
    if rdtype == "CNAME":
        return _judge_cname(resolver, record, want, values)
    if want in values:
        return RecordCheck(record, True, want)
    if not values:
        return RecordCheck(record, False, f"no {rdtype} record")
    return RecordCheck(record, False, f"{rdtype} {', '.join(values)}")


def _judge_cname(resolver: dns.resolver.Resolver, record: Mapping[str, Any], want: str,
                 values: list[str]) -> RecordCheck:
    if want.lower() in (v.lower() for v in values):
        return RecordCheck(record, True, want)
    if values:
        return RecordCheck(record, False, f"CNAME to {', '.join(values)}")
    # No CNAME at all: an address record in its place usually means a proxied or flattened record.
    try:
        addresses = resolver.resolve(str(record["name"]), "A", raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout):
        return RecordCheck(record, False, "no CNAME record")
    if addresses.rrset:
        return RecordCheck(record, False, "A records instead of a CNAME (a proxied or flattened record?)")
    return RecordCheck(record, False, "no CNAME record")


def _values(rrset: Any, rdtype: str) -> list[str]:
    out = []
    for rdata in rrset:
        if rdtype == "TXT":
            out.append(b"".join(rdata.strings).decode(errors="replace"))
        elif rdtype == "CNAME":
            target: dns.name.Name = rdata.target
            out.append(target.to_text(omit_final_dot=True))
        else:
            out.append(rdata.to_text())
    return out


def _where(resolver: dns.resolver.Resolver) -> str:
    return ", ".join(f"{ns}:{resolver.port}" for ns in resolver.nameservers) or "the resolver"


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__
