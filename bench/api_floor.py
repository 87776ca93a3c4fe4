"""The API floor: the requests each step needs, issued straight with stripe-python (portal-infra's
StripeGateway) at the concurrency the provider reaches, with no Pulumi in between.

  up         one list page per 100 existing configurations, then one create per resource
  preview    nothing
  refresh    one GET per resource
  up_change  one update per changed resource, with only the changed fields
  destroy    one deactivation per resource
With shape "branded", per connected account also: AccountBranding's GET of the account and one account
update (create, change and destroy alike); refresh reads the account too. The logo, the same bytes for
every account, is one File on the platform: one listing of the platform's logos and one upload.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from portal_infra.resources.portal_configuration import OWNER_METADATA_KEY, PATH
from portal_infra.specs import parse_portal_configuration
from portal_infra.specs.wire import create_params, declared, update_params
from portal_infra.stripe_api import StripeGateway, client_settings, resolve

from .fleet import account_id, branding_spec, portal_spec, resource_name
from .scenarios import KEY, STEPS, changed_count, draw_logo
from .stripe_fake import FakeProcess, diff_counters, rate_limits_for

# What one dynamic-provider process serves at once (pulumi/dynamic/__main__.py).
PROVIDER_CONCURRENCY = 4


def run(n: int, latency_ms: int, fake: FakeProcess, providers: int = 0, shape: str = "configurations",
        work: Path | None = None, steps_wanted: tuple[str, ...] = STEPS, *, stacks: int = 1,
        limits: str = "test", pacing: str = "under") -> dict[str, Any]:
    connection = resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": fake.url})
    branded = shape.startswith("branded")
    # Paced as the stack is (scenarios.write_fleet_stack).
    settings = client_settings({"portal-infra:rateLimits": rate_limits_for(latency_ms, limits, pacing)})
    platform = StripeGateway(connection, settings=settings)
    accounts = [StripeGateway(connection, stripe_account=account_id(i), settings=settings) if branded else platform
                for i in range(n)]
    # Every stack deployed side by side has its own provider processes.
    workers = PROVIDER_CONCURRENCY * max(1, providers) * stacks
    logo = b""
    if branded:
        assert work is not None
        draw_logo(work / "logo.png")
        logo = (work / "logo.png").read_bytes()
        fake.control.seed(accounts=[{"id": account_id(i)} for i in range(n)])
    fake.emulate(latency_ms, limits)
    ids: list[str] = [""] * n
    changed = changed_count(n)
    shared_logo: dict[str, str] = {}

    def create(i: int) -> None:
        gateway = accounts[i]
        if branded:
            gateway.list_all(PATH)  # each account's own ownership scan
        params = create_params(parse_portal_configuration(portal_spec(i, changed=False)))
        owner = f"portal-infra/bench/{resource_name(i)}"
        params["metadata"] = {**params.get("metadata", {}), OWNER_METADATA_KEY: owner}
        ids[i] = str(gateway.post(PATH, params, idempotency_key=uuid.uuid4().hex)["id"])

    def brand(i: int) -> None:
        look = branding_spec(i, changed=False)
        platform.get(f"/v1/accounts/{account_id(i)}")
        platform.post(f"/v1/accounts/{account_id(i)}", {
            "settings": {"branding": {"logo": shared_logo["id"], "primary_color": look["primary_color"],
                                      "secondary_color": look["secondary_color"]}},
            "business_profile": {"name": look["business_name"], "support_email": look["support_email"],
                                 "url": look["url"]},
            "metadata": {OWNER_METADATA_KEY: owner_of(i)}}, idempotency_key=uuid.uuid4().hex)

    def owner_of(i: int) -> str:
        return f"portal-infra/bench/{resource_name(i)}-branding"

    def update(i: int) -> None:
        old = declared(parse_portal_configuration(portal_spec(i, changed=False)))
        new = declared(parse_portal_configuration(portal_spec(i, changed=True)))
        accounts[i].post(f"{PATH}/{ids[i]}", update_params(old, new), idempotency_key=uuid.uuid4().hex)
        if branded:
            platform.post(f"/v1/accounts/{account_id(i)}",
                          {"business_profile": {"name": branding_spec(i, changed=True)["business_name"]}},
                          idempotency_key=uuid.uuid4().hex)

    def refresh(i: int) -> None:
        accounts[i].get(f"{PATH}/{ids[i]}")
        if branded:
            platform.get(f"/v1/accounts/{account_id(i)}")

    def destroy(i: int) -> None:
        accounts[i].post(f"{PATH}/{ids[i]}", {"active": False}, idempotency_key=uuid.uuid4().hex)
        if branded:
            # Nothing was set before portal-infra, and Stripe cannot unset these fields: only the release.
            platform.post(f"/v1/accounts/{account_id(i)}", {"metadata": {OWNER_METADATA_KEY: ""}},
                          idempotency_key=uuid.uuid4().hex)

    def up() -> None:
        if not branded:
            platform.list_all(PATH)
        tasks: list[Callable[[], None]] = [(lambda i=i: create(i)) for i in range(n)]
        if branded:
            platform.list_all("/v1/files", {"purpose": "business_logo"})
            shared_logo.update(platform.upload_file("business_logo", "logo.png", logo,
                                                    idempotency_key=uuid.uuid4().hex))
            tasks += [(lambda i=i: brand(i)) for i in range(n)]
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda task: task(), tasks))

    def each(fn: Callable[[int], Any], count: int) -> Callable[[], None]:
        def go() -> None:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(fn, range(count)))
        return go

    work: dict[str, Callable[[], None]] = {
        "up": up,
        "preview": lambda: None,
        "refresh": each(refresh, n),
        "up_change": each(update, changed),
        "destroy": each(destroy, n),
    }
    steps: dict[str, Any] = {}
    for step in (s for s in STEPS if s in steps_wanted):
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
    return {"kind": "api_floor", "shape": shape, "n": n, "latency_ms": latency_ms, "providers": providers,
            "skip_checkpoints": False, "stacks": stacks, "limits": limits, "pacing": pacing, "concurrency": workers,
            "steps": steps}
