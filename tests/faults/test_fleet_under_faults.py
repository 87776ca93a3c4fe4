"""A fleet `pulumi up` meets Stripe's failures, its rate limit and slow answers (issue 11, items 1-3)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.conftest import Fleet, branded_accounts, branding_problems

pytestmark = pytest.mark.e2e
CONFIGS = "/v1/billing_portal/configurations"
# Pacing is not under test here: a high limit keeps these runs short.
FAST = {"test": 500}


def test_up_of_100_configurations_and_20_branded_accounts_succeeds_through_a_fifth_of_requests_failing(
        fleet: Fleet) -> None:
    # 20% of API requests fail before Stripe acts (502, 503, 429 with and without Stripe-Should-Retry)
    # or after it acted (500): 1 - (1 - 0.044)^5 = 0.20. Another 5% lose the connection after Stripe
    # acted. Seeds make the draws repeatable; which request draws what depends on the engine's order.
    kinds: dict[int, str] = {}
    for seed, (kind, rule) in enumerate({
        "500 after Stripe acted": {"status": 500, "when": "after"},
        "502": {"status": 502},
        "503": {"status": 503},
        "429 Stripe-Should-Retry: true": {"status": 429, "should_retry": True},
        "429 without a hint": {"status": 429},
    }.items()):
        kinds[fleet.control.add_fault(path="/v1/", rate=0.044, seed=seed, **rule)["id"]] = kind
    drop = fleet.control.add_fault(path="/v1/", rate=0.05, drop=True, when="after", seed=99)
    kinds[drop["id"]] = "connection dropped after Stripe acted"
    branded = branded_accounts(fleet, 20)
    # Ten attempts: the chance that one request fails every time is 0.25^10, about 1e-6.
    fleet.configure(100, rateLimits={**FAST, "files": 500}, retries={"maxAttempts": 10}, fleet=branded.config)
    fleet.select()

    fleet.cli.up()

    owned = fleet.owned()
    assert len(owned) == 100
    assert len({c["metadata"]["portal_infra_owner"] for c in owned}) == 100
    assert branding_problems(fleet, branded) == []  # and one uploaded File per image, no more
    assert any(r["route"] == "POST /v1/files" and r.get("fault") for r in fleet.api_requests())
    met = Counter(kinds[r["fault"]] for r in fleet.api_requests() if r.get("fault"))
    assert set(met) == set(kinds.values()), met  # every kind of failure was met
    assert fleet.cli.preview("--expect-no-changes").returncode == 0


def test_a_create_answered_after_the_read_timeout_is_retried_without_a_duplicate(fleet: Fleet) -> None:
    # Stripe creates the configuration, then its answer takes 4 s; the client gives up after 1 s.
    fleet.control.add_fault(method="POST", path=f"re:{CONFIGS}", when="after", latency_ms=4000, nth=1)
    fleet.configure(1, timeouts={"read": 1})
    fleet.select()

    fleet.cli.up()

    (configuration,) = fleet.owned()
    posts = [r for r in fleet.api_requests() if r["route"] == f"POST {CONFIGS}"]
    assert len(posts) == 2
    assert posts[0]["headers"]["idempotency-key"] == posts[1]["headers"]["idempotency-key"]
    assert posts[1].get("replayed") is True  # Stripe's first answer, not a second create
    assert fleet.cli.outputs() == {"configuration_ids": [configuration["id"]]}


def test_paced_up_of_200_meets_no_429_from_a_fake_limited_to_25_per_second(fleet: Fleet) -> None:
    fleet.control.rate_limit(25)
    fleet.configure(200)  # the default pacing: 20 requests/s in test mode
    fleet.select()

    run = fleet.cli.up()

    assert len(fleet.owned()) == 200
    statuses = Counter(r.get("status") for r in fleet.api_requests())
    assert statuses[429] == 0, statuses
    assert set(statuses) == {200}, statuses
    assert "failed" not in run.stdout


def test_a_provider_pool_paces_as_one_client_and_every_process_starts_at_once(fleet: Fleet) -> None:
    # Three provider processes each pacing at 9/s would send 27/s; one shared budget meets no 429.
    # The pool also passes the stack's rateLimits on: the default 20/s would trip this 10/s limit.
    fleet.control.rate_limit(10)
    fleet.configure(60, providers=3, rateLimits={"test": 9})
    fleet.select()

    run = fleet.cli.up()

    assert len(fleet.owned()) == 60
    statuses = Counter(r.get("status") for r in fleet.api_requests())
    assert set(statuses) == {200}, statuses
    state = fleet.state_resources()
    providers = {r["provider"].rsplit("::", 1)[0] for r in state if r["type"].endswith("PortalConfiguration")}
    assert len(providers) == 3
    # The hold adds no dependency to state.
    assert [r["dependencies"] for r in state if r.get("dependencies")] == []
    # Resource i is served by process i mod 3. Held back until all three processes exist, the first
    # creates already come from every one of them, not all of process 0's twenty first.
    posts = [r for r in fleet.api_requests() if r["route"] == f"POST {CONFIGS}"]
    order = [int(r["params"]["metadata"]["portal_infra_owner"].rsplit("-", 1)[1]) for r in posts]
    assert {i % 3 for i in order[:15]} == {0, 1, 2}, order
    assert "failed" not in run.stdout


def test_stacks_deployed_side_by_side_share_one_budget(fleet: Fleet) -> None:
    # A fleet split over two stacks, both `pulumi up` at once on one machine: two engines and two
    # provider processes, each paced at 9/s, meet no 429 from a fake limited to 10/s.
    fleet.control.rate_limit(10)
    for stack in ("shard-a", "shard-b"):
        fleet.select(stack)
        fleet.configure(30, rateLimits={"test": 9})

    def up(stack: str) -> int:
        return fleet.cli.run("up", "--yes", "--skip-preview", "--stack", stack).returncode

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(up, ["shard-a", "shard-b"])) == [0, 0]

    assert len(fleet.owned("shard-a")) == len(fleet.owned("shard-b")) == 30
    statuses = Counter(r.get("status") for r in fleet.api_requests())
    assert set(statuses) == {200}, statuses
