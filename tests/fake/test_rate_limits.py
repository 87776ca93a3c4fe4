"""The fake limits requests as Stripe does (docs.stripe.com/rate-limits; STRIPE.md section 6): per
endpoint with IDs folded, per account, the files API's reads and writes apart, and names the
limiter in `Stripe-Rate-Limited-Reason`; a lock_timeout is a 429 without it.

The buckets run on an injected clock, so no test here depends on how fast the machine is."""

from __future__ import annotations

import pytest

from portal_infra.testing.fake.faults import Faults
from tests.fake.conftest import Fake

CONFIGS = "/v1/billing_portal/configurations"
CREATE = f"POST {CONFIGS}"
UPDATE = f"POST {CONFIGS}/{{id}}"
FORM = {"features[invoice_history][enabled]": "true"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def faults(clock: Clock) -> Faults:
    return Faults(clock=clock)


def test_each_endpoint_has_a_budget_of_its_own(faults: Faults) -> None:
    faults.set_rate_limit(endpoint_per_second=2)
    assert [faults.over_rate_limit(CREATE) for _ in range(3)] == [None, None, "endpoint-rate"]
    assert faults.over_rate_limit(UPDATE) is None  # another endpoint
    assert faults.over_rate_limit(f"GET {CONFIGS}") is None  # another method is another endpoint


def test_the_accounts_budget_spans_every_endpoint(faults: Faults) -> None:
    faults.set_rate_limit(3, endpoint_per_second=2)
    assert [faults.over_rate_limit(r) for r in (CREATE, CREATE, UPDATE)] == [None, None, None]
    assert faults.over_rate_limit(UPDATE) == "global-rate"  # its endpoint has room, the account has not
    assert faults.over_rate_limit(CREATE) == "endpoint-rate"  # both full: the endpoint's limiter answers


def test_per_second_alone_keeps_its_meaning_all_requests(faults: Faults) -> None:
    faults.set_rate_limit(2)
    assert [faults.over_rate_limit(r) for r in (CREATE, UPDATE, "GET /v1/accounts/{id}")] == [
        None, None, "global-rate"]


def test_the_files_api_limits_reads_and_writes_apart_and_counts_against_the_account(faults: Faults) -> None:
    faults.set_rate_limit(10, endpoint_per_second=5, files_per_second=1)
    assert faults.over_rate_limit("POST /v1/files") is None
    assert faults.over_rate_limit("POST /v1/files") == "resource-specific"
    assert faults.over_rate_limit("GET /v1/files/{id}") is None  # reads: their own bucket
    assert faults.over_rate_limit("GET /v1/files/{id}/contents") == "resource-specific"  # one for all reads
    # Files took from the account's budget too (an assumption: Stripe does not say).
    others = ["GET /v1/accounts/{id}"] * 4 + ["POST /v1/accounts/{id}"] * 4
    assert [faults.over_rate_limit(route) for route in others] == [None] * 8
    assert faults.over_rate_limit(f"GET {CONFIGS}") == "global-rate"


def test_a_bucket_refills_at_its_rate_and_holds_one_second_of_requests(faults: Faults, clock: Clock) -> None:
    faults.set_rate_limit(endpoint_per_second=4)
    assert [faults.over_rate_limit(CREATE) for _ in range(5)] == [None] * 4 + ["endpoint-rate"]
    clock.now += 0.25  # a quarter second: one request's worth
    assert [faults.over_rate_limit(CREATE) for _ in range(2)] == [None, "endpoint-rate"]
    clock.now += 60  # a long pause fills it to one second's worth, no more
    assert [faults.over_rate_limit(CREATE) for _ in range(5)] == [None] * 4 + ["endpoint-rate"]


def test_a_client_paced_at_the_limit_is_never_refused_and_one_faster_is(faults: Faults, clock: Clock) -> None:
    faults.set_rate_limit(25, endpoint_per_second=25)
    answers = []
    for _ in range(1000):
        answers.append(faults.over_rate_limit(CREATE))
        clock.now += 1 / 25
    assert set(answers) == {None}
    faster = []
    for _ in range(1000):
        faster.append(faults.over_rate_limit(CREATE))
        clock.now += 1 / 30
    assert faster.count("endpoint-rate") > 100


def test_each_key_mode_has_its_own_budgets(faults: Faults) -> None:
    faults.set_rate_limit(1)
    assert faults.over_rate_limit(CREATE, "test") is None
    assert faults.over_rate_limit(CREATE, "live") is None
    assert faults.over_rate_limit(CREATE, "test") == "global-rate"


def test_limits_are_checked_and_lifted(faults: Faults) -> None:
    with pytest.raises(ValueError, match="endpoint_per_second"):
        faults.set_rate_limit(endpoint_per_second=0)
    faults.set_rate_limit(1)
    faults.clear()
    assert faults.over_rate_limit(CREATE) is None and faults.over_rate_limit(CREATE) is None


# Over HTTP


def test_a_limited_request_is_a_429_naming_its_limiter(fake: Fake) -> None:
    fake.server.faults.clock = lambda: 0.0  # no refill during the test
    fake.control.rate_limit(3, endpoint_per_second=1)
    assert fake.raw("POST", CONFIGS, data=FORM).status_code == 200
    refused = fake.raw("POST", CONFIGS, data=FORM)
    assert refused.status_code == 429
    assert refused.headers["Stripe-Rate-Limited-Reason"] == "endpoint-rate"
    assert refused.json()["error"]["code"] == "rate_limit"
    # IDs are folded: retrieving two configurations is one endpoint.
    [made] = [c["id"] for c in fake.client.v1.billing_portal.configurations.list().data if not c["is_default"]]
    fake.server.faults.clock = lambda: 10.0
    assert fake.raw("GET", f"{CONFIGS}/{made}").status_code == 200
    refused = fake.raw("GET", f"{CONFIGS}/bpc_other")
    assert refused.status_code == 429 and refused.headers["Stripe-Rate-Limited-Reason"] == "endpoint-rate"
    assert [r["status"] for r in fake.control.requests()][-2:] == [200, 429]
    assert fake.control.counters()[f"GET {CONFIGS}/{{id}}"] == 2


def test_the_accounts_limit_answers_global_rate(fake: Fake) -> None:
    fake.server.faults.clock = lambda: 0.0
    fake.control.rate_limit(1, endpoint_per_second=25)
    assert fake.raw("GET", CONFIGS).status_code == 200
    refused = fake.raw("GET", "/v1/account")
    assert refused.status_code == 429 and refused.headers["Stripe-Rate-Limited-Reason"] == "global-rate"


def test_the_control_api_sets_reads_and_refuses_limits(fake: Fake) -> None:
    fake.control.rate_limit(100, endpoint_per_second=25, files_per_second=20)
    assert fake.control._call("GET", "rate_limit") == {"per_second": 100, "endpoint_per_second": 25,
                                                         "files_per_second": 20}
    refused = fake.raw("POST", "/_fake/rate_limit", json={"burst": 5})
    assert refused.status_code == 400 and "burst" in refused.text
    fake.control.rate_limit(None)
    assert fake.control._call("GET", "rate_limit") == dict.fromkeys(("per_second", "endpoint_per_second",
                                                                     "files_per_second"))


def test_a_lock_timeout_fault_is_a_429_that_no_limiter_sent(fake: Fake) -> None:
    rule = fake.control.add_fault(method="POST", path=CONFIGS, code="lock_timeout", nth=1)
    assert rule["status"] == 429
    refused = fake.raw("POST", CONFIGS, data=FORM)
    assert refused.status_code == 429
    assert "Stripe-Rate-Limited-Reason" not in refused.headers
    assert refused.json()["error"]["code"] == "lock_timeout"
    assert fake.raw("POST", CONFIGS, data=FORM).status_code == 200


def test_a_fault_can_answer_as_any_limiter(fake: Fake) -> None:
    fake.control.add_fault(path=CONFIGS, status=429, reason="global-concurrency", nth=1)
    refused = fake.raw("GET", CONFIGS)
    assert refused.status_code == 429 and refused.headers["Stripe-Rate-Limited-Reason"] == "global-concurrency"
    assert refused.json()["error"]["code"] == "rate_limit"
