"""What a user declares for a custom domain (Checkout, Payment Links and the customer portal on
`billing.example.com`).

Stripe has no API for custom domains (shared/STRIPE.md section 3): they are added in the Dashboard
and proven with DNS. So the spec is what portal-infra needs to publish the DNS records and check
them: the subdomain, the ACME token the Dashboard shows, how far to verify, and which resolver to
ask. Pure: no pulumi, no network.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Annotated, Any, Literal

from publicsuffixlist import PublicSuffixList
from pydantic import AfterValidator, ValidationError, field_validator

from .common import UNKNOWN, Spec, stripe_id
from .problems import SpecError, problems_from_validation

# Stripe's docs: the subdomain is a CNAME to this host, DNS only (not proxied).
STRIPE_CNAME_TARGET = "hosted-checkout.stripecdn.com"
ACME_PREFIX = "_acme-challenge"
RECORD_TTL = 300
DNS_NAME_MAX = 253
DNS_LABEL_MAX = 63
# A TXT string holds at most 255 bytes.
TOKEN_MAX = 255

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# ACME tokens are base64url; allow plain base64 and dots too, since the Dashboard's format is not documented.
_TOKEN = re.compile(r"^[A-Za-z0-9_\-+/=.]+$")
_RESOLVER_PORT = re.compile(r"^(?P<host>[^\[\]]+):(?P<port>\d+)$|^\[(?P<host6>[^\]]+)\]:(?P<port6>\d+)$")

Verify = Literal["none", "dns", "active"]


@cache
def _public_suffixes() -> PublicSuffixList:
    # The list ships inside the package: no download, and the same answer on every machine.
    return PublicSuffixList()


def _example(value: str) -> str:
    return f"billing.{value}" if value else "billing.example.com"


def _check_domain(value: str) -> str:
    if value == UNKNOWN:
        return value
    if "://" in value or value.lower().startswith(("http:", "https:")):
        raise ValueError(f"{value!r} is a URL, not a domain; give the host name alone, like billing.example.com")
    if any(c.isspace() for c in value):
        raise ValueError(f"{value!r} contains spaces; give the host name alone, like billing.example.com")
    if "/" in value:
        raise ValueError(f"{value!r} has a path; give the host name alone, without '/…', like "
                         f"{value.split('/', 1)[0] or 'billing.example.com'}")
    if "@" in value:
        raise ValueError(f"{value!r} looks like an email address; give the host name, like billing.example.com")
    if ":" in value:
        raise ValueError(f"{value!r} has a port; custom domains are served on 443 only, so drop ':…', like "
                         f"{value.split(':', 1)[0]}")
    if value.startswith("*"):
        raise ValueError(f"{value!r} is a wildcard; Stripe serves one exact subdomain, like billing.example.com")
    if value.endswith("."):
        raise ValueError(f"{value!r} ends with a dot; write it without the trailing dot, like {value.rstrip('.')}")
    if not value.isascii():
        try:
            ascii_form = value.encode("idna").decode()
        except UnicodeError:
            ascii_form = "xn--…"
        raise ValueError(f"{value!r} is an internationalised name; write its ASCII (punycode) form, like "
                         f"{ascii_form}")
    if value != value.lower():
        raise ValueError(f"{value!r} has capital letters; DNS names are written in lower case here: "
                         f"{value.lower()}")
    if len(value) > DNS_NAME_MAX:
        raise ValueError(f"is {len(value)} characters long, a DNS name has at most {DNS_NAME_MAX}; use a "
                         "shorter subdomain")
    labels = value.split(".")
    for label in labels:
        if not label:
            raise ValueError(f"{value!r} has an empty label ('..' or a leading dot); write it like "
                             "billing.example.com")
        if len(label) > DNS_LABEL_MAX:
            raise ValueError(f"label {label!r} is {len(label)} characters, DNS allows at most {DNS_LABEL_MAX}; "
                             "shorten it")
        if not _LABEL.match(label):
            raise ValueError(f"label {label!r} may hold only a-z, 0-9 and inner hyphens; fix the spelling, like "
                             "billing.example.com")
    if _is_ip(value):
        raise ValueError(f"{value!r} is an IP address; a custom domain is a DNS name, like billing.example.com")
    if len(labels) < 2:
        raise ValueError(f"{value!r} is not a full domain name; write the full subdomain, like {_example(value)}")
    registrable = _public_suffixes().privatesuffix(value)
    if registrable is None:
        raise ValueError(f"{value!r} is a public suffix (a TLD or registry domain), not yours; use a subdomain "
                         f"of a domain you own, like billing.example.com")
    if registrable == value:
        raise ValueError(f"{value!r} is an apex (root) domain; Stripe needs a subdomain that can be a CNAME, "
                         f"like {_example(value)}")
    return value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return value.replace(".", "").isdigit()
    return True


def _check_token(value: str) -> str:
    if value == UNKNOWN:
        return value
    if not value:
        raise ValueError("is empty; leave acme_challenge out until the Dashboard shows the TXT value, then paste it")
    if value.startswith(ACME_PREFIX) or " " in value.strip():
        raise ValueError(f"{value!r} looks like a whole record, not its value; paste only the TXT value the "
                         "Dashboard shows for _acme-challenge")
    if value.startswith('"') or value.endswith('"'):
        raise ValueError(f"{value!r} is quoted; paste the token without quotes")
    if len(value) > TOKEN_MAX:
        raise ValueError(f"is {len(value)} characters long, a TXT string holds at most {TOKEN_MAX}; paste only "
                         "the token the Dashboard shows")
    if not _TOKEN.match(value):
        raise ValueError(f"{value!r} contains characters an ACME token never has (only A-Z, a-z, 0-9, - and _); "
                         "copy the value again from the Dashboard")
    return value


def _check_resolver(value: str) -> str:
    if value == UNKNOWN:
        return value
    parse_resolver(value)
    return value


def parse_resolver(value: str) -> tuple[str, int]:
    """`1.1.1.1`, `127.0.0.1:5353` or `[::1]:5353` -> (address, port). Raises ValueError("problem; fix")."""
    host, port = value, 53
    found = _RESOLVER_PORT.match(value)
    if found and not _is_ip(value):
        host = found["host"] or found["host6"]
        port = int(found["port"] or found["port6"])
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{value!r} is not a resolver address; give an IP address with an optional port, like "
                         "127.0.0.1:5353 or [::1]:53, or leave dns_resolver out to use the system resolver"
                         ) from None
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range; use a port from 1 to 65535")
    return host, port


Domain = Annotated[str, AfterValidator(_check_domain)]
AcmeToken = Annotated[str, AfterValidator(_check_token)]
Resolver = Annotated[str, AfterValidator(_check_resolver)]


class CustomDomainSpec(Spec):
    domain: Domain
    acme_challenge: AcmeToken | None = None
    verify: Verify = "dns"
    dns_resolver: Resolver | None = None
    stripe_account: Annotated[str, stripe_id("acct_")] | None = None
    # Used only by `verify: active`, which opens a portal session to see which host Stripe serves it on.
    configuration: Annotated[str, stripe_id("bpc_")] | None = None
    verification_customer: Annotated[str, stripe_id("cus_")] | None = None

    @field_validator("verify", mode="before")
    @classmethod
    def _known_level(cls, value: Any) -> Any:
        # A portal-infra setting, not a Stripe enum: say so instead of pydantic's literal error.
        if value not in ("none", "dns", "active"):
            raise ValueError(f"{value!r} is not a verification level; use none (publish the records only), "
                             "dns (resolve them) or active (also check Stripe serves the domain)")
        return value


def parse_custom_domain(data: Any) -> CustomDomainSpec:
    """Validate declared input; raise SpecError listing every problem."""
    try:
        return CustomDomainSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, CustomDomainSpec)) from None


def dns_records(domain: str, acme_challenge: str | None) -> list[dict[str, Any]]:
    """The records the domain needs, in the shape DNS providers' record resources take.

    `name` is fully qualified (every provider accepts that); `proxied` is False because Stripe must
    see its own CNAME target (a proxy such as Cloudflare's orange cloud breaks issuance).
    """
    records: list[dict[str, Any]] = [
        {"type": "CNAME", "name": domain, "value": STRIPE_CNAME_TARGET, "ttl": RECORD_TTL, "proxied": False},
    ]
    if acme_challenge:
        records.append({"type": "TXT", "name": f"{ACME_PREFIX}.{domain}", "value": acme_challenge,
                        "ttl": RECORD_TTL, "proxied": False})
    return records
