"""The gateway's pacing, retries, timeouts and messages, over real HTTP to the fake (no stripe-mock).

Time is injected: `sleep` records what the gateway would wait instead of waiting, so nothing here
depends on the machine's speed.
"""

from __future__ import annotations

import json
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
from portal_infra.stripe_api.ratelimit import Pacer, budget_scope, pacer
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


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    running = FakeStripe().start()
    try:
        yield running
    finally:
        running.stop()


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


def test_one_pacer_per_mode_and_api_shared_across_gateways() -> None:
    assert pacer("test", "api", 20) is pacer("test", "api", 20)
    assert pacer("test", "api", 20) is not pacer("live", "api", 80)
    assert pacer("test", "files", 15) is not pacer("test", "api", 20)
    assert pacer("test", "api", 7).per_second == 7  # the stack's current setting wins


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
    assert pacer("test", "api", 20, scope) is not pacer("test", "api", 20)


def test_rate_limits_pick_the_files_budget_for_uploads() -> None:
    limits = RateLimits()
    assert (limits.per_second("test", "api"), limits.per_second("live", "api")) == (20, 80)
    assert limits.per_second("test", "files") == limits.per_second("live", "files") == 15


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
    assert settings == ClientSettings(RateLimits(20, 80, 15), Timeouts(10, 60), RetryPolicy(8, 60))


def test_settings_read_from_stack_config_as_mapping_or_json() -> None:
    settings = client_settings({"portal-infra:rateLimits": {"test": 5}, "portal-infra:timeouts": '{"read": 2.5}',
                                "portal-infra:retries": {"maxAttempts": 3}})
    assert settings.rate_limits == RateLimits(test=5)
    assert settings.timeouts == Timeouts(read=2.5)
    assert settings.retries.max_attempts == 3


@pytest.mark.parametrize(("config", "path"), [
    ({"portal-infra:rateLimits": {"test": 0}}, "portal-infra:rateLimits.test"),
    ({"portal-infra:rateLimits": {"test": True}}, "portal-infra:rateLimits.test"),
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
