"""The API floor: the requests each step needs, issued straight with stripe-python (portal-infra's
StripeGateway) at the concurrency the provider reaches, with no Pulumi in between.

  up         one list page per 100 existing configurations, then one create per resource
  preview    nothing
  refresh    one GET per resource
  up_change  one update per changed resource, with only the changed fields
  destroy    one deactivation per resource
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from portal_infra.resources.portal_configuration import OWNER_METADATA_KEY, PATH
from portal_infra.specs import parse_portal_configuration
from portal_infra.specs.wire import create_params, declared, update_params
from portal_infra.stripe_api import StripeGateway, resolve

from .fleet import portal_spec, resource_name
from .scenarios import KEY, STEPS, changed_count
from .stripe_fake import FakeProcess, diff_counters

# What one dynamic-provider process serves at once (pulumi/dynamic/__main__.py).
PROVIDER_CONCURRENCY = 4


def run(n: int, latency_ms: int, fake: FakeProcess, providers: int = 0) -> dict[str, Any]:
    gateway = StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": fake.url}))
    workers = PROVIDER_CONCURRENCY * max(1, providers)
    fake.emulate(latency_ms)
    ids: list[str] = []
    changed = changed_count(n)

    def create(i: int) -> str:
        params = create_params(parse_portal_configuration(portal_spec(i, changed=False)))
        owner = f"portal-infra/bench/{resource_name(i)}"
        params["metadata"] = {**params.get("metadata", {}), OWNER_METADATA_KEY: owner}
        return str(gateway.post(PATH, params, idempotency_key=uuid.uuid4().hex)["id"])

    def update(i: int) -> None:
        old = declared(parse_portal_configuration(portal_spec(i, changed=False)))
        new = declared(parse_portal_configuration(portal_spec(i, changed=True)))
        gateway.post(f"{PATH}/{ids[i]}", update_params(old, new), idempotency_key=uuid.uuid4().hex)

    def up() -> None:
        gateway.list_all(PATH)
        with ThreadPoolExecutor(workers) as pool:
            ids.extend(pool.map(create, range(n)))

    def each(fn: Callable[[int], Any], count: int) -> Callable[[], None]:
        def go() -> None:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(fn, range(count)))
        return go

    work: dict[str, Callable[[], None]] = {
        "up": up,
        "preview": lambda: None,
        "refresh": each(lambda i: gateway.get(f"{PATH}/{ids[i]}"), n),
        "up_change": each(update, changed),
        "destroy": each(lambda i: gateway.post(f"{PATH}/{ids[i]}", {"active": False},
                                               idempotency_key=uuid.uuid4().hex), n),
    }
    steps: dict[str, Any] = {}
    for step in STEPS:
        before = fake.control.counters()
        start = time.perf_counter()
        error = None
        try:
            work[step]()
        except Exception as err:  # recorded, so one failure does not lose the sweep
            error = str(err)[-500:]
        seconds = time.perf_counter() - start
        routes = diff_counters(before, fake.control.counters())
        steps[step] = {"ok": error is None, "seconds": round(seconds, 3), "requests": routes,
                       "requests_total": sum(routes.values())}
        if error:
            steps[step]["error_tail"] = error
    return {"kind": "api_floor", "n": n, "latency_ms": latency_ms, "providers": providers,
            "skip_checkpoints": False, "concurrency": workers, "steps": steps}
