"""Pacing as Stripe limits (issue 15, point 2), through the real pulumi CLI: a fleet spread over
several endpoints, paced per endpoint and per account under the fake's emulation of Stripe's
limits, meets no 429; a lock_timeout is retried and the up succeeds."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.faults.conftest import MINIMAL_PORTAL, Fleet
from tests.images import jpeg, png

pytestmark = pytest.mark.e2e
CONFIGS = "/v1/billing_portal/configurations"


def shared_look_fleet(fleet: Fleet, count: int) -> dict[str, Any]:
    """`portal-infra:fleet` of `count` seeded connected accounts, each with a configuration and the same
    icon, logo and colour (from the fleet's defaults)."""
    png(fleet.project_dir / "assets" / "icon.png")
    jpeg(fleet.project_dir / "assets" / "logo.jpg")
    accounts = [{"name": f"shop{i:02d}", "account": f"acct_1Paced{i:02d}".ljust(24, "0")} for i in range(count)]
    fleet.control.seed(accounts=[{"id": a["account"]} for a in accounts])
    look = {"icon": "assets/icon.png", "logo": "assets/logo.jpg", "primary_color": "#0a7d5e"}
    return {"defaults": {"portal": MINIMAL_PORTAL, "branding": look}, "accounts": accounts}


def test_a_branded_fleet_paced_to_stripes_limits_meets_no_429(fleet: Fleet) -> None:
    # Stripe's shape, scaled down so the run is short: 5/s per endpoint (and for the files API's
    # reads and its writes), 12/s for the whole account; the stack paces one under each.
    fleet.control.rate_limit(12, endpoint_per_second=5, files_per_second=5)
    fleet.configure(20, rateLimits={"test": 11, "endpoint": 4, "files": 4}, fleet=shared_look_fleet(fleet, 40))
    fleet.select()

    run = fleet.cli.up()

    requests = fleet.api_requests()
    statuses = Counter(r.get("status") for r in requests)
    assert statuses[429] == 0, statuses
    assert set(statuses) == {200}, statuses
    assert len(fleet.owned()) == 20
    routes = Counter(r["route"] for r in requests)
    # Spread over several endpoints, each of which alone would have been within the account's limit.
    assert routes[f"POST {CONFIGS}"] == 60
    assert routes["GET /v1/accounts/{id}"] >= 40 and routes["POST /v1/accounts/{id}"] >= 40
    assert routes["POST /v1/files"] >= 2
    assert "failed" not in run.stdout


def test_the_same_fleet_paced_only_per_account_meets_the_endpoint_limit(fleet: Fleet) -> None:
    # The control: without an endpoint budget under the fake's (the endpoint's rate left at the
    # account's), configurations go out at 11/s to one endpoint limited to 5/s, and Stripe refuses them.
    fleet.control.rate_limit(12, endpoint_per_second=5)
    fleet.configure(30, rateLimits={"test": 11, "endpoint": 11}, retries={"maxAttempts": 20, "maxSeconds": 120})
    fleet.select()

    fleet.cli.up()

    refused = [r for r in fleet.api_requests() if r.get("status") == 429]
    assert refused and {r["route"] for r in refused} == {f"POST {CONFIGS}"}
    assert len(fleet.owned()) == 30  # retried, held per endpoint, and done


def test_a_lock_timeout_is_retried_and_the_up_succeeds(fleet: Fleet) -> None:
    # Two requests on one object at once: Stripe's 429 without Stripe-Rate-Limited-Reason.
    fleet.control.add_fault(method="POST", path="re:/v1/accounts/[^/]+", code="lock_timeout", nth=2)
    fleet.control.add_fault(method="POST", path=CONFIGS, code="lock_timeout", nth=3)
    fleet.configure(5, rateLimits={"test": 500, "endpoint": 500, "files": 500}, fleet=shared_look_fleet(fleet, 5))
    fleet.select()

    fleet.cli.up()

    requests = fleet.api_requests()
    locked = [r for r in requests if r.get("status") == 429]
    assert len(locked) == 2
    for refused in locked:
        key = refused["headers"]["idempotency-key"]
        again = [r for r in requests if r["headers"].get("idempotency-key") == key and r is not refused]
        assert [r["status"] for r in again] == [200]  # the same request, once more, done
    assert len(fleet.owned()) == 5
    assert fleet.cli.preview("--expect-no-changes").returncode == 0
