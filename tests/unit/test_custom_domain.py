"""CustomDomain without pulumi or Stripe: the spec's checks, the records, the status and its
instructions, the provider's check/diff/delete, and DNS verification against a loopback server."""

from __future__ import annotations

from typing import Any

import dill
import dns.message
import dns.query
import pytest

from portal_infra.dns_check import RecordCheck, check_records
from portal_infra.resources import CustomDomainProvider
from portal_infra.resources.custom_domain import assess
from portal_infra.specs import SpecError, parse_custom_domain
from portal_infra.specs.custom_domain import dns_records, parse_resolver
from portal_infra.testing import LoopbackDNS

TOKEN = "x7Kp2mWq9RtLz4NbVc8HsYd3FgJe6Ua1_Qo5-Ti0"
DOMAIN = "billing.example.com"
CNAME = "hosted-checkout.stripecdn.com"
KEY = "sk_test_51HdomainSECRET000000000000"

INVALID: dict[str, tuple[dict[str, Any], str, str]] = {
    "apex": ({"domain": "example.com"}, "domain", "apex"),
    "apex_under_a_two_label_suffix": ({"domain": "example.co.uk"}, "domain", "billing.example.co.uk"),
    "public_suffix": ({"domain": "co.uk"}, "domain", "public suffix"),
    "single_label": ({"domain": "localhost"}, "domain", "not a full domain name"),
    "url": ({"domain": "https://billing.example.com"}, "domain", "is a URL"),
    "scheme_without_slashes": ({"domain": "https:billing.example.com"}, "domain", "is a URL"),
    "path": ({"domain": "billing.example.com/portal"}, "domain", "has a path"),
    "port": ({"domain": "billing.example.com:8443"}, "domain", "has a port"),
    "uppercase": ({"domain": "Billing.Example.com"}, "domain", "billing.example.com"),
    "idn": ({"domain": "zahlung.bücher.de"}, "domain", "zahlung.xn--bcher-kva.de"),
    "wildcard": ({"domain": "*.example.com"}, "domain", "wildcard"),
    "trailing_dot": ({"domain": "billing.example.com."}, "domain", "trailing dot"),
    "ip_address": ({"domain": "192.0.2.10"}, "domain", "IP address"),
    "empty_label": ({"domain": "billing..example.com"}, "domain", "empty label"),
    "underscore": ({"domain": "my_billing.example.com"}, "domain", "a-z, 0-9"),
    "leading_hyphen": ({"domain": "-billing.example.com"}, "domain", "inner hyphens"),
    "long_label": ({"domain": "b" * 64 + ".example.com"}, "domain", "at most 63"),
    "email": ({"domain": "billing@example.com"}, "domain", "email"),
    "missing_domain": ({}, "domain", "required"),
    "empty_token": ({"domain": DOMAIN, "acme_challenge": ""}, "acme_challenge", "leave acme_challenge out"),
    "whole_record_as_token": ({"domain": DOMAIN, "acme_challenge": f"_acme-challenge.{DOMAIN} TXT {TOKEN}"},
                              "acme_challenge", "paste only the TXT value"),
    "quoted_token": ({"domain": DOMAIN, "acme_challenge": f'"{TOKEN}"'}, "acme_challenge", "without quotes"),
    "token_with_bad_characters": ({"domain": DOMAIN, "acme_challenge": "abc$def"}, "acme_challenge",
                                  "copy the value again"),
    "token_too_long": ({"domain": DOMAIN, "acme_challenge": "a" * 256}, "acme_challenge", "at most 255"),
    "verify_unknown": ({"domain": DOMAIN, "verify": "yes"}, "verify", "not a verification level"),
    "resolver_host_name": ({"domain": DOMAIN, "dns_resolver": "dns.example.net"}, "dns_resolver", "IP address"),
    "resolver_port_out_of_range": ({"domain": DOMAIN, "dns_resolver": "127.0.0.1:70000"}, "dns_resolver",
                                   "1 to 65535"),
    "account_not_an_id": ({"domain": DOMAIN, "stripe_account": "shop"}, "stripe_account", "acct_"),
    "unknown_field": ({"domain": DOMAIN, "ttl": 60}, "ttl", "unknown field"),
}


@pytest.mark.parametrize("case", INVALID)
def test_each_invalid_input_names_its_field_and_the_fix(case: str) -> None:
    data, path, text = INVALID[case]
    with pytest.raises(SpecError) as raised:
        parse_custom_domain(data)
    (problem,) = raised.value.problems
    assert problem.path == path
    assert text in f"{problem.problem}; {problem.fix}"


@pytest.mark.parametrize("domain", [DOMAIN, "billing.example.co.uk", "pay.xn--bcher-kva.de", "a.b.c.example.io",
                                    "billing-2.example.com"])
def test_subdomains_pass(domain: str) -> None:
    assert parse_custom_domain({"domain": domain}).domain == domain


@pytest.mark.parametrize(("address", "expected"), [
    ("127.0.0.1:5353", ("127.0.0.1", 5353)), ("1.1.1.1", ("1.1.1.1", 53)),
    ("::1", ("::1", 53)), ("[::1]:5353", ("::1", 5353)),
])
def test_resolver_addresses(address: str, expected: tuple[str, int]) -> None:
    assert parse_resolver(address) == expected


def test_records_are_shaped_for_a_dns_provider() -> None:
    assert dns_records(DOMAIN, None) == [
        {"type": "CNAME", "name": DOMAIN, "value": CNAME, "ttl": 300, "proxied": False}]
    assert dns_records(DOMAIN, TOKEN)[1] == {
        "type": "TXT", "name": f"_acme-challenge.{DOMAIN}", "value": TOKEN, "ttl": 300, "proxied": False}


def _checks(cname_ok: bool, txt_ok: bool) -> list[RecordCheck]:
    cname, txt = dns_records(DOMAIN, TOKEN)
    return [RecordCheck(cname, cname_ok, CNAME if cname_ok else "no such name"),
            RecordCheck(txt, txt_ok, TOKEN if txt_ok else "TXT old-token")]


def test_status_and_instructions_at_each_step() -> None:
    without_token = parse_custom_domain({"domain": DOMAIN, "stripe_account": "acct_1Shop"})
    status, text = assess(without_token, [RecordCheck(dns_records(DOMAIN, None)[0], False, "no such name")], None)
    assert status == "awaiting_dashboard"
    assert text is not None and "Stripe Dashboard of acct_1Shop" in text and "acme_challenge" in text
    assert f"CNAME {DOMAIN} -> {CNAME} (DNS only, not proxied)" in text

    spec = parse_custom_domain({"domain": DOMAIN, "acme_challenge": TOKEN})
    status, text = assess(spec, _checks(True, False), None)
    assert status == "awaiting_dns"
    assert text == (f"add these DNS records: TXT _acme-challenge.{DOMAIN} -> {TOKEN} "
                    "(the resolver answered: TXT old-token)")

    assert assess(spec, _checks(True, True), None)[0] == "dns_verified"

    active = parse_custom_domain({"domain": DOMAIN, "acme_challenge": TOKEN, "verify": "active"})
    status, text = assess(active, _checks(True, True), "billing.stripe.com")
    assert status == "dns_verified" and text is not None and "billing.stripe.com" in text
    assert assess(active, _checks(True, True), DOMAIN) == ("active", None)
    # Stripe serving the domain is the proof that counts, whatever this resolver sees.
    assert assess(active, _checks(False, False), DOMAIN) == ("active", None)

    unchecked = parse_custom_domain({"domain": DOMAIN, "acme_challenge": TOKEN, "verify": "none"})
    status, text = assess(unchecked, None, None)
    assert status == "awaiting_dns" and text is not None and "not checked" in text


def test_dns_check_reads_the_records_from_the_resolver() -> None:
    records = dns_records(DOMAIN, TOKEN)
    with LoopbackDNS() as server:
        assert [c.found for c in check_records(records, server.address)] == ["no such name", "no such name"]
        server.add("A", DOMAIN, "192.0.2.1")
        server.add("TXT", f"_acme-challenge.{DOMAIN}", "old-token")
        found = check_records(records, server.address)
        assert [c.ok for c in found] == [False, False]
        assert "A records instead of a CNAME" in found[0].found and found[1].found == "TXT old-token"
        server.clear()
        server.add_records(records)
        assert all(c.ok for c in check_records(records, server.address))


def test_loopback_dns_answers_over_tcp_too() -> None:
    with LoopbackDNS() as server:
        server.add("TXT", f"_acme-challenge.{DOMAIN}", TOKEN)
        reply = dns.query.tcp(dns.message.make_query(f"_acme-challenge.{DOMAIN}", "TXT"), server.host,
                              port=server.port, timeout=5)
        assert [b"".join(r.strings).decode() for r in reply.answer[0]] == [TOKEN]


def test_check_reports_every_problem_and_needs_a_key_only_for_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    provider = CustomDomainProvider()
    result = provider.check({}, {"domain": "example.com", "acme_challenge": "", "__provider": "x"})
    assert sorted(f.property for f in result.failures) == ["acme_challenge", "domain"]

    ok = provider.check({}, {"domain": DOMAIN, "acme_challenge": TOKEN, "owner": "p/s/r"})
    assert ok.failures == []
    assert ok.inputs["dns_records"] == dns_records(DOMAIN, TOKEN) and ok.inputs["verify"] == "dns"

    needs_key = provider.check({}, {"domain": DOMAIN, "verify": "active"})
    assert [f.property for f in needs_key.failures] == ["portal-infra:stripeApiKey"]


def test_diff_replaces_only_for_a_new_domain_or_account() -> None:
    provider = CustomDomainProvider()
    old = {"domain": DOMAIN, "verify": "dns", "status": "awaiting_dns"}
    assert provider.diff(DOMAIN, old, {"domain": DOMAIN, "verify": "dns"}).changes is False
    token = provider.diff(DOMAIN, old, {"domain": DOMAIN, "verify": "dns", "acme_challenge": TOKEN})
    assert token.changes is True and token.replaces == []
    moved = provider.diff(DOMAIN, old, {"domain": "pay.example.com", "verify": "dns"})
    assert moved.replaces == ["domain"]
    account = provider.diff(DOMAIN, old, {"domain": DOMAIN, "verify": "dns", "stripe_account": "acct_1"})
    assert account.replaces == ["stripe_account"]


def test_delete_forgets_and_warns_that_the_dashboard_setting_stays(capsys: pytest.CaptureFixture[str]) -> None:
    CustomDomainProvider().delete(DOMAIN, {"domain": DOMAIN, "check_customer": "cus_123"})
    err = capsys.readouterr().err
    assert err.startswith(f"warning: custom domain {DOMAIN} is removed from this stack only")
    assert "Settings > Custom domains" in err and "cus_123" in err


def test_pickled_provider_carries_no_key_and_is_pickled_by_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", KEY)
    blob: bytes = dill.dumps(CustomDomainProvider(), protocol=dill.settings["protocol"], recurse=True)
    assert KEY.encode() not in blob
    assert b"portal_infra.resources.custom_domain" in blob and b"def create" not in blob
