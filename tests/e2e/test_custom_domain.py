"""CustomDomain through the real pulumi CLI: DNS verification against a DNS server of our own on
loopback, activation seen through portal sessions of the fake, and invalid domains refused at
preview with no Stripe request."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.testing import LoopbackDNS
from tests.e2e.conftest import KEY, FakeDeployment

pytestmark = pytest.mark.e2e
PROGRAM = Path(__file__).parent / "programs" / "custom_domain" / "__main__.py"
TOKEN = "x7Kp2mWq9RtLz4NbVc8HsYd3FgJe6Ua1_Qo5-Ti0"
CNAME = "hosted-checkout.stripecdn.com"


def _deploy_program(d: FakeDeployment, domains: list[dict[str, Any]]) -> None:
    shutil.copy(PROGRAM, d.project_dir / "__main__.py")
    config = {"portal-infra:mode": "test", "portal-infra:customDomains": domains}
    (d.project_dir / f"Pulumi.{d.stack}.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    d.cli.select_stack(d.stack)


def _state(d: FakeDeployment) -> dict[str, dict[str, Any]]:
    """Each CustomDomain's outputs as the state holds them (refresh updates state, not stack outputs)."""
    resources = json.loads(d.cli.export())["deployment"]["resources"]
    return {r["urn"].rsplit("::", 1)[-1]: r["outputs"] for r in resources if r["type"].endswith("CustomDomain")}


def test_dns_verification_follows_the_records(fake_deployment: FakeDeployment, dns_server: LoopbackDNS) -> None:
    d = fake_deployment
    _deploy_program(d, [
        {"name": "billing", "domain": "billing.example.com", "acme_challenge": TOKEN, "verify": "dns",
         "dns_resolver": dns_server.address},
        {"name": "early", "domain": "pay.example.org", "dns_resolver": dns_server.address},
    ])

    d.cli.up()
    out = d.cli.outputs()
    billing, early = out["billing"], out["early"]
    assert billing["dns_records"] == [
        {"type": "CNAME", "name": "billing.example.com", "value": CNAME, "ttl": 300, "proxied": False},
        {"type": "TXT", "name": "_acme-challenge.billing.example.com", "value": TOKEN, "ttl": 300,
         "proxied": False},
    ]
    assert billing["status"] == "awaiting_dns"
    assert f"CNAME billing.example.com -> {CNAME} (DNS only, not proxied)" in billing["instructions"]
    assert f"TXT _acme-challenge.billing.example.com -> {TOKEN}" in billing["instructions"]
    assert "no such name" in billing["instructions"]
    # No token yet: the Dashboard step comes first, and the CNAME alone is published.
    assert early["status"] == "awaiting_dashboard"
    assert "acme_challenge" in early["instructions"] and "Settings > Custom domains" in early["instructions"]
    assert [r["type"] for r in early["dns_records"]] == ["CNAME"]

    # The records published, passed on as they are (what a DNS provider's record resource would do).
    dns_server.add_records(billing["dns_records"])
    d.cli.refresh()
    billing = _state(d)["billing"]
    assert billing["status"] == "dns_verified"
    assert ("billing.example.com", "CNAME") in dns_server.queries
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # A record removed by hand is seen at the next refresh.
    dns_server.remove("TXT", "_acme-challenge.billing.example.com")
    d.cli.refresh()
    billing = _state(d)["billing"]
    assert billing["status"] == "awaiting_dns"
    assert "TXT _acme-challenge.billing.example.com" in billing["instructions"]
    assert "CNAME" not in billing["instructions"]

    # A new domain is a new Dashboard setting: replaced, and its records are known at preview.
    _deploy_program(d, [{"name": "billing", "domain": "portal.example.com", "acme_challenge": TOKEN,
                         "dns_resolver": dns_server.address}])
    preview = d.cli.preview("--diff")
    assert preview.returncode == 0
    assert "CustomDomain: (replace)" in preview.output
    assert '"_acme-challenge.billing.example.com" => "_acme-challenge.portal.example.com"' in preview.output

    destroyed = d.cli.destroy()
    assert "custom domain billing.example.com is removed from this stack only" in destroyed.output
    # DNS-only verification never calls Stripe.
    assert d.recorder.requests == []


def test_active_verification_reads_the_session_host(fake_deployment: FakeDeployment,
                                                    dns_server: LoopbackDNS) -> None:
    d = fake_deployment
    account = d.stripe.v1.accounts.create(params={"type": "custom", "country": "US"}).id
    domains = [
        {"name": "platform", "domain": "billing.example.com", "acme_challenge": TOKEN, "verify": "active",
         "dns_resolver": dns_server.address},
        {"name": "connected", "domain": "billing.shop.example", "acme_challenge": TOKEN, "verify": "active",
         "dns_resolver": dns_server.address, "stripe_account": account},
    ]
    for domain in domains:
        dns_server.add("CNAME", domain["domain"], CNAME)
        dns_server.add("TXT", f"_acme-challenge.{domain['domain']}", TOKEN)
    d.fake.control.set_custom_domain("billing.example.com")
    d.fake.control.set_custom_domain("billing.shop.example", account=account, status="pending")
    _deploy_program(d, domains)

    up = d.cli.up()
    # What is left to do is said in the run's output too, not only in the stack outputs.
    assert "custom domain billing.shop.example: DNS is in place, but Stripe still opens" in up.output
    out = d.cli.outputs()
    assert out["platform"]["status"] == "active" and out["platform"]["instructions"] is None
    assert out["platform"]["session_host"] == "billing.example.com"
    assert out["connected"]["status"] == "dns_verified"
    assert "still opens portal sessions on billing.stripe.com" in out["connected"]["instructions"]

    d.fake.control.set_custom_domain("billing.shop.example", account=account)
    d.cli.refresh()
    out = _state(d)
    assert out["connected"]["status"] == "active"
    assert out["connected"]["session_host"] == "billing.shop.example"

    # One verification customer per resource, made once and reused by every later check.
    customers = d.recorder.matching("POST", "/v1/customers")
    assert len(customers) == 2
    assert sorted(r.headers.get("stripe-account") or "platform" for r in customers) == sorted([account, "platform"])
    assert len(d.recorder.matching("POST", "/v1/billing_portal/sessions")) == 4
    assert {out["platform"]["check_customer"], out["connected"]["check_customer"]} <= {
        c["id"] for store in (None, account) for c in _customers(d, store)}

    # The verification customer deleted by hand (in the Dashboard): the next check makes another.
    gone = out["platform"]["check_customer"]
    del d.fake.fake.backend.store("test", None).customers.items[gone]
    d.cli.refresh()
    out = _state(d)
    assert out["platform"]["status"] == "active" and out["platform"]["check_customer"] not in (None, gone)
    assert len(d.recorder.matching("POST", "/v1/customers")) == 3
    assert KEY not in d.cli.export() and KEY not in d.logs()


def _customers(d: FakeDeployment, account: str | None) -> list[dict[str, Any]]:
    return list(d.fake.fake.backend.store("test", account).customers.items.values())


@pytest.mark.parametrize(("declared", "expected"), [
    ({"domain": "example.com", "verify": "active"},
     ["property domain value {example.com} has a problem: 'example.com' is an apex (root) domain",
      "like billing.example.com"]),
    ({"domain": "https://billing.example.com/portal", "acme_challenge": "_acme-challenge TXT x"},
     ["property domain", "'https://billing.example.com/portal' is a URL, not a domain",
      "property acme_challenge", "paste only the TXT value"]),
], ids=["apex", "url-and-whole-record-as-token"])
def test_invalid_input_fails_preview_naming_the_field(fake_deployment: FakeDeployment, declared: dict[str, Any],
                                                      expected: list[str]) -> None:
    # Pulumi stops at the first resource that fails check, so each case is its own preview.
    d = fake_deployment
    _deploy_program(d, [{"name": "bad", **declared}])

    run = d.cli.preview()

    assert run.returncode != 0
    for text in expected:
        assert text in run.output
    assert d.recorder.requests == []
