"""The gateway's pacing, retries, timeouts and messages, over real HTTP to the fake (no stripe-mock).

Time is injected: `sleep` records what the gateway would wait instead of waiting, so nothing here
depends on the machine's speed.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal_infra.stripe_api import (
    ClientSettings,
    NetworkFailure,
    RateLimits,
    RetryPolicy,
    SettingsError,
    StripeCallError,
    StripeGateway,
    StripeUnreachable,
    Timeouts,
    client_settings,
    resolve,
)
from portal_infra.stripe_api.ratelimit import Budget, Lane, Pacer, budget, budget_scope, endpoint, lane, pacer
from portal_infra.testing.fake import FakeStripe, FakeStripeControl
from portal_infra.testing.stripe_mock import free_port

KEY = "sk_test_UnitGatewayKey123abc"
CONFIGS = "/v1/billing_portal/configurations"
MINIMAL = {"features": {"invoice_history": {"enabled": True}}}


class Clock:
    """A clock that moves only when the gateway sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _gateway(base: str, clock: Clock, **settings: Any) -> StripeGateway:
    config = {f"portal-infra:{k}": v for k, v in settings.items()}
    own = Pacer(1000, clock=clock, sleep=clock.sleep)  # on the test's clock, not the process-wide one
    return StripeGateway(resolve(config, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": base}),
                         settings=client_settings(config), subject='PortalConfiguration "unit"',
                         sleep=clock.sleep, clock=clock, jitter=lambda: 1.0, pacers=lambda *_: own)


def _api(fake: FakeStripe) -> list[dict[str, Any]]:
    return [r for r in fake.requests() if r["path"].startswith("/v1/")]


# Pacing


def test_pacer_spaces_callers_evenly_at_its_rate() -> None:
    clock = Clock()
    turns = Pacer(20, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        turns.acquire()
    assert clock.sleeps == pytest.approx([0.05] * 4)


def test_no_second_holds_more_than_rate_plus_one_requests() -> None:
    clock = Clock()
    turns = Pacer(25, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(200):
        turns.acquire()
        sent.append(clock.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 1) for start in sent)
    assert busiest <= 26


def test_retry_after_holds_off_every_caller_of_the_pacer() -> None:
    clock = Clock()
    turns = Pacer(10, clock=clock, sleep=clock.sleep)
    turns.acquire()
    turns.hold_off(3.0)
    assert turns.acquire() == pytest.approx(3.0)


def test_one_budget_per_mode_and_name_shared_across_gateways() -> None:
    assert budget("test", "global", 20) is budget("test", "global", 20)
    assert budget("test", "global", 20) is not budget("live", "global", 80)
    assert budget("test", "files-write", 15) is not budget("test", "global", 20)
    assert budget("test", "global", 7).per_second == 7  # the stack's current setting wins
    # Two endpoints' pacers: their own lanes, one global budget.
    configs = pacer("test", lane("POST", CONFIGS), RateLimits())
    accounts = pacer("test", lane("POST", "/v1/accounts/acct_1"), RateLimits())
    assert configs.overall is accounts.overall and configs.lane is not accounts.lane


def test_pacers_sharing_a_file_take_turns_as_one(tmp_path: Path) -> None:
    # Two pacers on one file stand for two provider processes pacing one account's budget.
    clock = Clock()
    one = Pacer(10, clock=clock, sleep=clock.sleep, shared=tmp_path / "slot")
    other = Pacer(10, clock=clock, sleep=clock.sleep, shared=tmp_path / "slot")
    waits = [turns.acquire() for turns in (one, other, one, other)]
    assert waits == pytest.approx([0.0, 0.1, 0.1, 0.1])


def test_a_hold_off_reaches_every_pacer_of_the_file(tmp_path: Path) -> None:
    clock = Clock()
    one = Pacer(10, clock=clock, sleep=clock.sleep, shared=tmp_path / "slot")
    other = Pacer(10, clock=clock, sleep=clock.sleep, shared=tmp_path / "slot")
    one.hold_off(3.0)
    assert other.acquire() == pytest.approx(3.0)


def test_a_slot_written_before_a_restart_is_not_waited_for(tmp_path: Path) -> None:
    clock = Clock()
    Pacer(10, clock=lambda: clock.now + 10_000, sleep=clock.sleep, shared=tmp_path / "slot").acquire()
    assert Pacer(10, clock=clock, sleep=clock.sleep, shared=tmp_path / "slot").acquire() == 0.0


def test_one_budget_per_key_and_address_named_without_the_key() -> None:
    scope = budget_scope("https://api.stripe.com", KEY)
    assert KEY not in scope and KEY.removeprefix("sk_test_") not in scope
    assert scope == budget_scope("https://api.stripe.com", KEY)
    assert scope != budget_scope("http://127.0.0.1:12111", KEY)
    assert scope != budget_scope("https://api.stripe.com", KEY + "x")
    assert budget("test", "global", 20, scope) is not budget("test", "global", 20)


@pytest.mark.parametrize(("method", "path", "folded"), [
    ("POST", CONFIGS, "POST /v1/billing_portal/configurations"),
    ("POST", f"{CONFIGS}/bpc_1Abc", "POST /v1/billing_portal/configurations/{id}"),
    ("GET", f"{CONFIGS}?limit=100", "GET /v1/billing_portal/configurations"),
    ("GET", "/v1/accounts/acct_1Shop", "GET /v1/accounts/{id}"),
    ("POST", "/v1/accounts/acct_1Shop", "POST /v1/accounts/{id}"),
    ("GET", "/v1/account", "GET /v1/account"),
    ("POST", "/v1/billing/feedback_options/fo_1/deactivate", "POST /v1/billing/feedback_options/{id}/deactivate"),
    ("GET", "/v1/files/file_1/contents", "GET /v1/files/{id}/contents"),
    ("GET", "/v1/accounts/acct_1/persons/person_1", "GET /v1/accounts/{id}/persons/{id}"),
    ("POST", "/v1/test_helpers/test_clocks/clock_1/advance", "POST /v1/test_helpers/test_clocks/{id}/advance"),
    # IDs are folded by where they stand, not by how they look: user-chosen coupon codes too.
    ("GET", "/v1/coupons/SUMMER-25", "GET /v1/coupons/{id}"),
    ("GET", "/v1/coupons/billing_portal", "GET /v1/coupons/{id}"),
    ("GET", "/v1/coupons/configurations", "GET /v1/coupons/{id}"),
    # v2 paths name their namespace first: every account shares one lane, as on v1.
    ("POST", "/v2/core/accounts/acct_1Shop", "POST /v2/core/accounts/{id}"),
    ("GET", "/v2/core/accounts/acct_1Shop?include[0]=defaults", "GET /v2/core/accounts/{id}"),
    ("GET", "/v2/core/accounts?page=abc", "GET /v2/core/accounts"),
    ("POST", "/v2/core/accounts/acct_1Shop/close", "POST /v2/core/accounts/{id}/close"),
])
def test_endpoints_fold_ids_by_position(method: str, path: str, folded: str) -> None:
    assert endpoint(method, path) == folded


def test_files_requests_pace_as_the_files_api_reads_or_writes() -> None:
    limits = RateLimits()
    upload, read = lane("POST", "/v1/files", "files"), lane("GET", "/v1/files/file_1")
    listing = lane("GET", "/v1/files")
    assert (upload.name, read.name, listing.name) == ("files-write", "files-read", "files-read")
    assert limits.lane_per_second(upload) == limits.lane_per_second(read) == 19
    assert limits.lane_per_second(lane("POST", CONFIGS)) == 24
    assert (limits.global_per_second("test"), limits.global_per_second("live")) == (24, 95)


def test_a_request_waits_for_its_endpoint_and_for_the_account() -> None:
    clock = Clock()
    overall = Budget(4)
    configs = Pacer(overall, lane=Budget(1), clock=clock, sleep=clock.sleep)
    accounts = Pacer(overall, lane=Budget(10), clock=clock, sleep=clock.sleep)
    configs.acquire()
    assert configs.acquire() == pytest.approx(1.0)  # its endpoint's 1/s, though the account allows 4/s
    accounts.acquire()
    accounts.acquire()
    assert clock.sleeps[1:] == pytest.approx([0.25, 0.25])  # the account's 4/s, though the endpoint allows 10/s


def test_other_endpoints_fill_the_global_slots_one_endpoint_left() -> None:
    # A frozen clock: each acquire returns the send time it was given. Endpoints of 2/s, an account of 4/s.
    sleeps: list[float] = []
    overall = Budget(4)
    a = Pacer(overall, lane=Budget(2), clock=lambda: 0.0, sleep=sleeps.append)
    b = Pacer(overall, lane=Budget(2), clock=lambda: 0.0, sleep=sleeps.append)
    waits = [a.acquire(), a.acquire(), b.acquire(), b.acquire()]
    # A's second request is held to 0.5 s by A's own limit; B takes the global slot at 0.25 s that a
    # single "next global slot" would have left idle, and its second one the slot at 0.75 s.
    assert waits == pytest.approx([0.0, 0.5, 0.25, 0.75])


def _simulate(limits: RateLimits, requests: list[tuple[str, str]], workers: int) -> list[tuple[str, float]]:
    """`workers` callers (the engine's parallel steps) sending `requests` in order, each taking the next
    one when its turn comes; a request takes no time. Returns (endpoint, send time) of each."""
    clock = Clock()
    pacers: dict[str, Pacer] = {}
    overall = Budget(limits.global_per_second("live"))
    free = [0.0] * workers  # when each worker is next free
    sent: list[tuple[str, float]] = []
    for method, path in requests:
        worker = min(range(workers), key=lambda w: free[w])
        clock.now = free[worker]
        which = lane(method, path)
        turn = pacers.setdefault(which.name, Pacer(overall, lane=Budget(limits.lane_per_second(which)),
                                                   clock=clock, sleep=lambda _: None))
        at = clock.now + turn.acquire()
        sent.append((which.name, at))
        free[worker] = at
    return sent


def _busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + 1) for i, start in enumerate(times))


def test_a_live_fleet_over_several_endpoints_approaches_the_global_rate() -> None:
    # 200 branded accounts as the provider reaches Stripe: each account read, its configuration
    # created, its logo uploaded and the account updated, 32 requests in flight.
    requests = [req for i in range(200) for req in (("GET", f"/v1/accounts/acct_{i}"), ("POST", CONFIGS),
                                                     ("POST", "/v1/files"), ("POST", f"/v1/accounts/acct_{i}"))]
    limits = RateLimits()
    sent = _simulate(limits, requests, workers=32)
    by_lane: dict[str, list[float]] = {}
    for name, at in sent:
        by_lane.setdefault(name, []).append(at)
    # Each endpoint within its 24/s (and 19/s for uploads), the account within 95/s ...
    assert all(_busiest_second(times) <= limits.lane_per_second(lane("POST", "/v1/files")) + 1
               if name == "files-write" else _busiest_second(times) <= 25 for name, times in by_lane.items())
    assert _busiest_second([at for _, at in sent]) <= 96
    # ... and the whole as fast as its busiest lane allows: 200 uploads at 19/s.
    floor = max(max(len(t) / limits.lane_per_second(lane("GET", "/v1/files")) for t in by_lane.values()),
                len(sent) / limits.live)
    assert max(at for _, at in sent) <= floor * 1.05


def test_requests_in_no_tidy_order_still_fill_the_accounts_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    # Four endpoints, 200 requests each, in a shuffled order, as the engine releases them. A budget
    # that kept only its next free time (a list of none) would leave the account's slots before an
    # endpoint's far-ahead request idle.
    requests = [req for i in range(200) for req in (("GET", f"/v1/accounts/acct_{i}"), ("POST", CONFIGS),
                                                     ("GET", CONFIGS), ("POST", f"/v1/accounts/acct_{i}"))]
    random.Random(0).shuffle(requests)
    filled = max(at for _, at in _simulate(RateLimits(), requests, workers=16))
    monkeypatch.setattr(Budget, "CAPACITY", 0)
    next_only = max(at for _, at in _simulate(RateLimits(), requests, workers=16))
    assert filled < 0.7 * next_only


def test_a_budget_keeps_a_bounded_list_and_never_promises_a_time_twice() -> None:
    sleeps: list[float] = []
    overall = Budget(1000)
    one = Pacer(overall, lane=Budget(1), clock=lambda: 0.0, sleep=sleeps.append)
    waits = [one.acquire() for _ in range(Budget.CAPACITY + 10)]
    assert len(overall.slots) <= Budget.CAPACITY
    assert waits == pytest.approx([float(i) for i in range(Budget.CAPACITY + 10)])
    # Past the list, the earliest promises became the floor: nothing new lands among them.
    other = Pacer(overall, lane=Budget(1000), clock=lambda: 0.0, sleep=sleeps.append)
    floor = overall.floor
    assert floor == pytest.approx(9.001)  # ten promises folded: the tenth (9 s) and a gap
    assert other.acquire() == pytest.approx(floor)


def test_budgets_in_files_hold_the_promised_list_for_every_process(tmp_path: Path) -> None:
    # Two processes' budgets on the same files (global and one endpoint), on a frozen clock.
    sleeps: list[float] = []
    one = Pacer(Budget(4, shared=tmp_path / "global"), lane=Budget(2, shared=tmp_path / "ep"),
                clock=lambda: 0.0, sleep=sleeps.append)
    other = Pacer(Budget(4, shared=tmp_path / "global"), lane=Budget(2, shared=tmp_path / "ep"),
                  clock=lambda: 0.0, sleep=sleeps.append)
    third = Pacer(Budget(4, shared=tmp_path / "global"), lane=Budget(10, shared=tmp_path / "other-ep"),
                  clock=lambda: 0.0, sleep=sleeps.append)
    assert [one.acquire(), other.acquire(), third.acquire()] == pytest.approx([0.0, 0.5, 0.25])


def test_threads_share_one_pacer() -> None:
    waits: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    shared = Pacer(10, clock=lambda: 0.0, sleep=sleep)  # a frozen clock: each turn queues behind the last
    threads = [threading.Thread(target=shared.acquire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([0.1 * i for i in range(1, 8)])


# Settings


def test_settings_default_below_stripes_limits() -> None:
    settings = client_settings({})
    assert settings == ClientSettings(RateLimits(test=24, live=95, endpoint=24, files_read=19, files_write=19),
                                      Timeouts(10, 60), RetryPolicy(8, 60))


def test_the_older_files_key_sets_both_files_budgets_and_the_newer_keys_win() -> None:
    older = client_settings({"portal-infra:rateLimits": {"files": 15}}).rate_limits
    assert (older.files_read, older.files_write) == (15, 15)
    both = client_settings({"portal-infra:rateLimits": {"files": 15, "filesRead": 5}}).rate_limits
    assert (both.files_read, both.files_write) == (5, 15)
    sized = client_settings({"portal-infra:rateLimits": '{"live": 60, "endpoint": 10}'}).rate_limits
    assert sized == RateLimits(live=60, endpoint=10)


def test_settings_read_from_stack_config_as_mapping_or_json() -> None:
    settings = client_settings({"portal-infra:rateLimits": {"test": 5}, "portal-infra:timeouts": '{"read": 2.5}',
                                "portal-infra:retries": {"maxAttempts": 3}})
    assert settings.rate_limits == RateLimits(test=5)
    assert settings.timeouts == Timeouts(read=2.5)
    assert settings.retries.max_attempts == 3


@pytest.mark.parametrize(("config", "path"), [
    ({"portal-infra:rateLimits": {"test": 0}}, "portal-infra:rateLimits.test"),
    ({"portal-infra:rateLimits": {"test": True}}, "portal-infra:rateLimits.test"),
    ({"portal-infra:rateLimits": {"endpoint": -1}}, "portal-infra:rateLimits.endpoint"),
    ({"portal-infra:rateLimits": {"filesWrite": "fast"}}, "portal-infra:rateLimits.filesWrite"),
    ({"portal-infra:rateLimits": {"files_read": 5}}, "portal-infra:rateLimits.files_read"),
    ({"portal-infra:timeouts": {"read": "slow"}}, "portal-infra:timeouts.read"),
    ({"portal-infra:timeouts": "[1, 2]"}, "portal-infra:timeouts"),
    ({"portal-infra:retries": {"maxAttempts": 1.5}}, "portal-infra:retries.maxAttempts"),
    ({"portal-infra:retries": {"max_attempts": 3}}, "portal-infra:retries.max_attempts"),
])
def test_bad_settings_name_their_key(config: dict[str, Any], path: str) -> None:
    with pytest.raises(SettingsError) as caught:
        client_settings(config)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")


def test_a_bad_endpoint_rate_says_what_to_set() -> None:
    with pytest.raises(SettingsError) as caught:
        client_settings({"portal-infra:rateLimits": {"endpoint": 0}})
    assert str(caught.value) == ("portal-infra:rateLimits.endpoint: is 0; set a positive number of requests per "
                                 "second (default 24)")


# Retries


def test_a_post_is_retried_with_the_same_idempotency_key_after_a_5xx(fake: FakeStripe) -> None:
    clock = Clock()
    FakeStripeControl(fake.url).add_fault(method="POST", path=CONFIGS, status=503, times=2, rate=1.0)
    created = _gateway(fake.url, clock).post(CONFIGS, MINIMAL, idempotency_key="unit-retry")
    posts = [r for r in _api(fake) if r["method"] == "POST"]
    assert [r["status"] for r in posts] == [503, 503, 200]
    assert {r["headers"]["idempotency-key"] for r in posts} == {"unit-retry"}
    assert created["id"].startswith("bpc_")
    assert clock.sleeps == [0.5, 1.0]  # doubling backoff (jitter pinned to its top)


def test_stripe_should_retry_false_is_final_even_for_a_5xx(fake: FakeStripe) -> None:
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=500, should_retry=False, rate=1.0)
    with pytest.raises(StripeCallError) as caught:
        _gateway(fake.url, Clock()).get(CONFIGS)
    assert caught.value.status == 500
    assert len(_api(fake)) == 1


def test_a_429_is_retried_with_or_without_the_hint(fake: FakeStripe) -> None:
    control = FakeStripeControl(fake.url)
    control.add_fault(path=CONFIGS, status=429, should_retry=True, nth=1)
    control.add_fault(path=CONFIGS, status=429, nth=1)  # the first request this rule is asked about
    _gateway(fake.url, Clock()).get(CONFIGS)
    assert [r["status"] for r in _api(fake)] == [429, 429, 200]


def test_retry_after_sets_the_wait(fake: FakeStripe) -> None:
    clock = Clock()
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=429, retry_after=7, nth=1)
    _gateway(fake.url, clock).get(CONFIGS)
    assert clock.sleeps == [7.0]  # not the 0.5 s backoff


def test_retries_stop_at_the_time_budget(fake: FakeStripe) -> None:
    clock = Clock()
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=503, rate=1.0)
    with pytest.raises(StripeCallError) as caught:
        _gateway(fake.url, clock, retries={"maxAttempts": 100, "maxSeconds": 10}).get(CONFIGS)
    assert sum(clock.sleeps) <= 10
    assert "after 5 attempts over 7.5 s" in str(caught.value)  # waits 0.5 + 1 + 2 + 4; 8 more would pass 10


def test_a_retry_after_past_the_budget_is_not_waited_for(fake: FakeStripe) -> None:
    clock = Clock()
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=429, retry_after=600, rate=1.0)
    with pytest.raises(StripeCallError):
        _gateway(fake.url, clock).get(CONFIGS)
    assert clock.sleeps == []


class Budgets:
    """The gateway's pacers on a test's clock: one global budget, one budget per lane, by name."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.overall = Budget(1000)
        self.lanes: dict[str, Budget] = {}

    def __call__(self, mode: str, which: Lane, limits: RateLimits, scope: str) -> Pacer:
        return Pacer(self.overall, lane=self.lanes.setdefault(which.name, Budget(1000)), clock=self.clock,
                     sleep=self.clock.sleep)


def _paced_gateway(base: str, clock: Clock, budgets: Budgets) -> StripeGateway:
    return StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": base}), subject="unit",
                         sleep=clock.sleep, clock=clock, jitter=lambda: 1.0, pacers=budgets)


@pytest.mark.parametrize("reason", ["endpoint-rate", "endpoint-concurrency", "resource-specific"])
def test_an_endpoints_limit_holds_that_endpoint_not_the_others(fake: FakeStripe, reason: str) -> None:
    clock = Clock()
    budgets = Budgets(clock)
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=429, reason=reason, nth=1)
    gateway = _paced_gateway(fake.url, clock, budgets)
    refused_at = clock.now
    gateway.get(CONFIGS)
    assert [r["status"] for r in _api(fake)] == [429, 200]
    assert budgets.lanes[f"GET {CONFIGS}"].floor == pytest.approx(refused_at + 0.5)  # held for the retry's wait
    assert budgets.overall.floor == 0.0  # the account's other endpoints go on
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize("reason", ["global-rate", "global-concurrency"])
def test_the_accounts_limit_holds_every_request(fake: FakeStripe, reason: str) -> None:
    clock = Clock()
    budgets = Budgets(clock)
    FakeStripeControl(fake.url).add_fault(path=CONFIGS, status=429, reason=reason, retry_after=2, nth=1)
    refused_at = clock.now
    _paced_gateway(fake.url, clock, budgets).get(CONFIGS)
    assert budgets.overall.floor == pytest.approx(refused_at + 2.0)
    assert clock.sleeps == [2.0]


def test_a_lock_timeout_is_retried_and_slows_no_budget(fake: FakeStripe) -> None:
    clock = Clock()
    budgets = Budgets(clock)
    FakeStripeControl(fake.url).add_fault(method="POST", path=CONFIGS, code="lock_timeout", times=2)
    created = _paced_gateway(fake.url, clock, budgets).post(CONFIGS, MINIMAL, idempotency_key="unit-lock")
    posts = [r for r in _api(fake) if r["method"] == "POST"]
    assert [r["status"] for r in posts] == [429, 429, 200]
    assert {r["headers"]["idempotency-key"] for r in posts} == {"unit-lock"}
    assert created["id"].startswith("bpc_")
    assert clock.sleeps == [0.5, 1.0]  # the request's own backoff, one try after the other
    assert budgets.overall.floor == 0.0 and budgets.lanes[f"POST {CONFIGS}"].floor == 0.0


def test_the_fakes_endpoint_limit_is_met_retried_and_held_for_that_endpoint(fake: FakeStripe) -> None:
    # No fault rule: the fake's own limiter, on the test's clock (its bucket refills only as the gateway waits).
    clock = Clock()
    budgets = Budgets(clock)
    fake.faults.clock = clock
    FakeStripeControl(fake.url).rate_limit(endpoint_per_second=1)
    gateway = _paced_gateway(fake.url, clock, budgets)
    gateway.get(CONFIGS)
    gateway.get(CONFIGS)
    with pytest.raises(StripeCallError):  # another endpoint, with a bucket of its own: answered at once
        gateway.get("/v1/accounts/acct_1Other")
    seen = _api(fake)
    assert [r["status"] for r in seen] == [200, 429, 429, 200, 404]
    assert budgets.lanes[f"GET {CONFIGS}"].floor > 1000 and budgets.overall.floor == 0.0


def test_a_4xx_is_an_answer_not_retried(fake: FakeStripe) -> None:
    with pytest.raises(StripeCallError) as caught:
        _gateway(fake.url, Clock()).get(f"{CONFIGS}/bpc_missing")
    assert caught.value.is_missing
    assert len(_api(fake)) == 1


def test_a_create_whose_answer_is_late_is_replayed_not_repeated(fake: FakeStripe) -> None:
    FakeStripeControl(fake.url).add_fault(method="POST", path=CONFIGS, when="after", latency_ms=1500, nth=1)
    gateway = _gateway(fake.url, Clock(), timeouts={"read": 0.5})
    created = gateway.post(CONFIGS, MINIMAL, idempotency_key="unit-late")
    posts = [r for r in _api(fake) if r["method"] == "POST"]
    assert len(posts) == 2 and posts[1].get("replayed") is True
    made = [c for c in fake.backend.store("test", None).configurations.items.values() if not c.get("is_default")]
    assert [c["id"] for c in made] == [created["id"]]


# What the person reads


def test_a_refusal_names_subject_field_message_and_request_id(fake: FakeStripe) -> None:
    with pytest.raises(StripeCallError) as caught:
        _gateway(fake.url, Clock()).post(CONFIGS, {**MINIMAL, "business_profile": {"headline": "x" * 61}},
                                         idempotency_key="unit-refused")
    err = caught.value
    text = str(err)
    assert text.startswith(f'PortalConfiguration "unit": Stripe answered 400 to POST {CONFIGS}: ')
    assert err.param == "business_profile[headline]" and f"field: {err.param}" in text
    assert err.request_id and f"request id: {err.request_id}" in text
    assert KEY not in text


def test_an_unreachable_stripe_says_where_and_that_nothing_changed() -> None:
    clock = Clock()
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(StripeUnreachable) as caught:
        _gateway(base, clock, retries={"maxAttempts": 3}).post(CONFIGS, MINIMAL, idempotency_key="unit-down")
    err = caught.value
    assert err.failure is NetworkFailure.CONNECT
    assert str(err).startswith(f'PortalConfiguration "unit": could not reach Stripe at {base} '
                               f"(connection refused; 3 attempts over 1.5 s) for POST {CONFIGS}.")
    assert "Nothing was sent, so Stripe and the Pulumi state are unchanged" in str(err)
    assert "Traceback" not in str(err) and KEY not in str(err)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests, never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def test_no_answer_within_the_read_timeout_says_stripe_may_have_acted(silent_server: str) -> None:
    gateway = _gateway(silent_server, Clock(), timeouts={"read": 0.2}, retries={"maxAttempts": 2})
    with pytest.raises(StripeUnreachable) as caught:
        gateway.post(CONFIGS, MINIMAL, idempotency_key="unit-silent")
    assert caught.value.failure is NetworkFailure.READ_TIMEOUT
    assert "got no answer (no answer within the read timeout; 2 attempts" in str(caught.value)
    assert "Stripe may have applied it" in str(caught.value)
    assert "same idempotency key" in str(caught.value)


def test_a_dropped_connection_after_stripe_acted_is_retried_and_replayed(fake: FakeStripe) -> None:
    FakeStripeControl(fake.url).add_fault(method="POST", path=CONFIGS, when="after", drop=True, nth=1)
    created = _gateway(fake.url, Clock()).post(CONFIGS, MINIMAL, idempotency_key="unit-dropped")
    posts = [r for r in _api(fake) if r["method"] == "POST"]
    assert len(posts) == 2 and posts[1].get("replayed") is True
    assert json.dumps(created)  # a whole object came back
