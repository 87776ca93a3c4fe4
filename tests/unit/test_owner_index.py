"""Create's ownership scan runs once per provider process, stays current, and keeps create exactly-once.

The provider runs in this process against the in-process fake (no stripe-mock), 4 creates at a time as
the dynamic-provider host serves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import stripe

from portal_infra.resources import PortalConfigurationProvider
from portal_infra.resources.portal_configuration import OWNER_METADATA_KEY, OWNERS
from portal_infra.testing.fake import FakeStripe

KEY = "sk_test_ownerIndexKey4242"
LIST = "GET /v1/billing_portal/configurations"
CREATE = "POST /v1/billing_portal/configurations"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    monkeypatch.setenv("STRIPE_API_KEY", KEY)
    monkeypatch.setenv("STRIPE_API_BASE", server.url)
    OWNERS.forget()  # a fresh provider process
    try:
        yield server
    finally:
        OWNERS.forget()
        server.stop()


def _inputs(provider: PortalConfigurationProvider, name: str) -> dict[str, Any]:
    news = {"owner": f"portal-infra/dev/{name}", "name": name, "business_profile": {"headline": name},
            "features": {"invoice_history": {"enabled": True}}}
    checked = provider.check({}, news)
    assert not checked.failures
    return dict(checked.inputs or {})


def _owned(server: FakeStripe) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for config in server.backend.store("test", None).configurations.items.values():
        owner = (config.get("metadata") or {}).get(OWNER_METADATA_KEY)
        if owner:
            out.setdefault(owner, []).append(dict(config))
    return out


def test_concurrent_creates_share_one_scan(fake: FakeStripe) -> None:
    provider = PortalConfigurationProvider()
    names = [f"tenant-{i}" for i in range(12)]
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda name: provider.create(_inputs(provider, name)).id, names))
    assert len(set(ids)) == 12
    assert fake.counters() == {LIST: 1, CREATE: 12}
    assert sorted(_owned(fake)) == sorted(f"portal-infra/dev/{n}" for n in names)


def test_a_configuration_left_by_a_killed_run_is_taken_over(fake: FakeStripe) -> None:
    # What a killed `pulumi up` leaves: Stripe holds the marked configuration, the state does not.
    client = stripe.StripeClient(KEY, base_addresses={"api": fake.url})
    orphan = client.v1.billing_portal.configurations.create(params={
        "features": {"invoice_history": {"enabled": True}},
        "metadata": {OWNER_METADATA_KEY: "portal-infra/dev/tenant-0"}})
    provider = PortalConfigurationProvider()
    created = provider.create(_inputs(provider, "tenant-0"))
    other = provider.create(_inputs(provider, "tenant-1"))
    assert created.id == orphan.id and other.id != orphan.id
    assert fake.counters()[LIST] == 1
    assert fake.counters()[CREATE] == 2  # the orphan, made above, and tenant-1's
    assert [len(v) for v in _owned(fake).values()] == [1, 1]


def test_a_configuration_retired_in_this_process_is_not_taken_over(fake: FakeStripe) -> None:
    # Delete then create in one run (delete-before-replace): the new create must not revive the old one.
    provider = PortalConfigurationProvider()
    first = provider.create(_inputs(provider, "tenant-0"))
    provider.delete(first.id, {**_inputs(provider, "tenant-0"), **(first.outs or {})})
    second = provider.create(_inputs(provider, "tenant-0"))
    assert second.id != first.id
    assert fake.counters()[LIST] == 1
    configs = {c["id"]: c["active"] for c in _owned(fake)["portal-infra/dev/tenant-0"]}
    assert configs == {first.id: False, second.id: True}
