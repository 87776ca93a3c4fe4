"""The fake's plumbing: keys, Connect scoping, idempotency, request log, faults, reset, persistence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import stripe

from portal_infra.testing.fake import FakeStripe
from tests.fake.conftest import TEST_KEY, Fake

CONFIGS = "/v1/billing_portal/configurations"
FORM = {"features[invoice_history][enabled]": "true"}
BODY: Any = {"features": {"invoice_history": {"enabled": True}}}


def test_publishable_and_missing_keys_are_401(fake: Fake) -> None:
    assert fake.raw("GET", CONFIGS, key="pk_test_abc").status_code == 401
    assert requests.get(fake.url + CONFIGS, timeout=10).status_code == 401


def test_idempotent_replay_returns_the_first_answer(fake: Fake) -> None:
    headers = {"Idempotency-Key": "same-key"}
    first = fake.raw("POST", CONFIGS, data=FORM, headers=headers)
    again = fake.raw("POST", CONFIGS, data=FORM, headers=headers)
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert fake.control.count("POST /v1/billing_portal/configurations") == 2
    assert len(fake.client.v1.billing_portal.configurations.list().data) == 2  # default + one


def test_idempotency_key_with_other_parameters_is_an_error(fake: Fake) -> None:
    fake.raw("POST", CONFIGS, data=FORM, headers={"Idempotency-Key": "k"})
    resp = fake.raw("POST", CONFIGS, data={"features[invoice_history][enabled]": "false"},
                    headers={"Idempotency-Key": "k"})
    assert resp.status_code == 400 and resp.json()["error"]["type"] == "idempotency_error"


def test_stripe_account_scopes_objects(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "express"})
    connected = fake.client_for(account=account.id)
    mine = connected.v1.billing_portal.configurations.create(params=BODY)
    with pytest.raises(stripe.InvalidRequestError):
        fake.client.v1.billing_portal.configurations.retrieve(mine.id)
    assert connected.v1.billing_portal.configurations.retrieve(mine.id).id == mine.id
    with pytest.raises(stripe.PermissionError):
        fake.client_for(account="acct_unknown").v1.billing_portal.configurations.list()


def test_request_log_and_counters(fake: Fake) -> None:
    fake.client.v1.billing_portal.configurations.list()
    obj = fake.client.v1.billing_portal.configurations.create(params=BODY)
    fake.client.v1.billing_portal.configurations.retrieve(obj.id)
    counters = fake.control.counters()
    assert counters == {"GET /v1/billing_portal/configurations": 1, "POST /v1/billing_portal/configurations": 1,
                        "GET /v1/billing_portal/configurations/{id}": 1}
    post = next(r for r in fake.control.requests() if r["method"] == "POST")
    assert post["params"] == {"features": {"invoice_history": {"enabled": "true"}}}
    assert "authorization" not in post["headers"]


def test_fault_on_nth_request(fake: Fake) -> None:
    fake.control.add_fault(method="POST", path=CONFIGS, status=500, nth=2)
    assert fake.raw("POST", CONFIGS, data=FORM).status_code == 200
    assert fake.raw("POST", CONFIGS, data=FORM).status_code == 500
    assert fake.raw("POST", CONFIGS, data=FORM).status_code == 200


def test_fault_at_a_rate_with_retry_header(fake: Fake) -> None:
    fake.control.add_fault(path=CONFIGS, status=429, rate=1.0, should_retry=False, times=2)
    first = fake.raw("GET", CONFIGS)
    assert first.status_code == 429 and first.headers["Stripe-Should-Retry"] == "false"
    assert fake.raw("GET", CONFIGS).status_code == 429
    assert fake.raw("GET", CONFIGS).status_code == 200


def test_dropped_connection_after_the_write_is_repaired_by_a_retry(fake: Fake) -> None:
    fake.control.add_fault(method="POST", path=CONFIGS, drop=True, when="after", nth=1)
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": fake.url}, max_network_retries=2)
    obj = client.v1.billing_portal.configurations.create(params=BODY)
    # The first attempt created it; the retry carried the same Idempotency-Key and was replayed.
    assert len(fake.client.v1.billing_portal.configurations.list().data) == 2
    assert fake.client.v1.billing_portal.configurations.retrieve(obj.id).id == obj.id


def test_emulated_rate_limit(fake: Fake) -> None:
    fake.control.rate_limit(2)
    codes = [fake.raw("GET", CONFIGS).status_code for _ in range(5)]
    assert 429 in codes and codes[:2] == [200, 200]
    fake.control.rate_limit(None)
    assert fake.raw("GET", CONFIGS).status_code == 200


def test_reset_forgets_everything(fake: Fake) -> None:
    obj = fake.client.v1.billing_portal.configurations.create(params=BODY)
    fake.control.reset()
    with pytest.raises(stripe.InvalidRequestError):
        fake.client.v1.billing_portal.configurations.retrieve(obj.id)
    [seen] = fake.control.requests()
    assert seen == {"method": "GET", "path": f"{CONFIGS}/{obj.id}", "route": "GET "
                    "/v1/billing_portal/configurations/{id}", "account": None, "at": seen["at"],
                    "headers": seen["headers"], "mode": "test", "params": {}, "status": 404}


def test_state_survives_save_and_load(fake: Fake, tmp_path: Path) -> None:
    obj = fake.client.v1.billing_portal.configurations.create(params={**BODY, "name": "Kept"})
    fake.server.save(tmp_path / "state.json")
    other = FakeStripe().start()
    try:
        other.load(tmp_path / "state.json")
        client = stripe.StripeClient(TEST_KEY, base_addresses={"api": other.url})
        assert client.v1.billing_portal.configurations.retrieve(obj.id).name == "Kept"
    finally:
        other.stop()


def test_a_request_cut_off_mid_body_is_not_acted_on(fake: Fake) -> None:
    """A killed client leaves half a form body; Stripe acts only on whole requests, so the fake does too,
    and the same key with the whole body is then a first request, not an idempotency conflict."""
    import base64
    import socket
    from urllib.parse import urlsplit

    body = b"features[invoice_history][enabled]=true&name=Half"
    auth = base64.b64encode(f"{TEST_KEY}:".encode()).decode()
    head = (f"POST /v1/billing_portal/configurations HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nIdempotency-Key: cut-off-1\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    url = urlsplit(fake.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head + body[:20])
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""  # no answer: the request never arrived whole
    before = len(fake.client.v1.billing_portal.configurations.list().data)
    whole = fake.raw("POST", "/v1/billing_portal/configurations", data=body,
                     headers={"Idempotency-Key": "cut-off-1",
                              "Content-Type": "application/x-www-form-urlencoded"})
    assert whole.status_code == 200 and whole.json()["name"] == "Half"
    assert len(fake.client.v1.billing_portal.configurations.list().data) == before + 1
