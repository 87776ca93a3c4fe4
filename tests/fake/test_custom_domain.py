"""Custom domains in the fake: set through the control API (Stripe has no API for them), seen in
portal session URLs of the account they belong to."""

from __future__ import annotations

import json
import urllib.error
from urllib.parse import urlsplit

import pytest

from portal_infra.testing.fake.models import Backend, domains
from tests.fake.conftest import Fake


def _session_host(fake: Fake, account: str | None = None) -> str | None:
    client = fake.client_for(account=account)
    customer = client.v1.customers.create(params={"email": "domain@example.com"})
    session = client.v1.billing_portal.sessions.create(params={"customer": customer.id,
                                                                "return_url": "https://example.com/"})
    return urlsplit(session.url).hostname


def test_an_active_custom_domain_hosts_that_accounts_sessions(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "custom"}).id
    assert _session_host(fake) == "billing.stripe.com"

    fake.control.set_custom_domain("billing.example.com")
    fake.control.set_custom_domain("billing.shop.example", account=account, status="pending")
    assert _session_host(fake) == "billing.example.com"
    assert _session_host(fake, account) == "billing.stripe.com"  # pending: not served yet

    fake.control.set_custom_domain("billing.shop.example", account=account)
    assert _session_host(fake, account) == "billing.shop.example"
    assert _session_host(fake) == "billing.example.com"

    fake.control.set_custom_domain(None)
    assert _session_host(fake) == "billing.stripe.com"


@pytest.mark.parametrize("body", [{"domain": "https://billing.example.com"}, {"domain": "billing.example.com",
                                                                             "status": "verified"},
                                  {"domain": "billing.example.com", "account": "acct_unknown"}])
def test_control_refuses_what_it_cannot_model(fake: Fake, body: dict[str, object]) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        fake.control._call("POST", "custom_domain", body)
    assert refused.value.code == 400


def test_custom_domain_is_kept_in_the_state_file() -> None:
    first = Backend()
    domains.set_custom_domain(first, {"domain": "billing.example.com"})
    second = Backend()
    second.load(json.loads(json.dumps(first.dump())))
    assert domains.portal_host(second.store("test", None)) == "billing.example.com"
