"""The fleet the benchmark deploys: N portal configurations, or N no-op resources for the engine floor.

The Pulumi program (bench/fleet_program/__main__.py) reads the `bench:` config the harness writes:
  bench:kind       portal | floor (plugin: bench/plugin_program/, the same fleet through the plugin)
  bench:shape      configurations: N portal configurations on the platform account;
                   branded: N connected accounts, each with a portal configuration and its
                   AccountBranding (colours, business profile and a logo, one platform File for all)
  bench:n          how many configurations, or connected accounts
  bench:changed    how many of them carry the changed headline (the "10% change" step)
  bench:providers  0: the default provider (one process); K > 0: K explicit provider instances,
                   each its own provider process, resources dealt round-robin
  bench:first      the first resource's index (default 0): with `--stacks K` each of K stacks
                   deploys its own slice, bench:first to bench:first + bench:n
The engine-floor provider lives here, in an importable module, so it is pickled by reference like
portal-infra's own (the harness puts the repository on PYTHONPATH).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import time
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

from portal_infra.resources import AccountBranding, PortalConfiguration
from portal_infra.resources.provider_pool import DynamicProviderPool

from .fleet_data import LOGO, account_id, branding_spec, mark, portal_spec, resource_name

__all__ = ["LOGO", "NoopProvider", "NoopResource", "account_id", "branding_spec", "portal_spec", "program",
           "resource_name"]


def _pause() -> None:
    # BENCH_NOOP_SLEEP (seconds): a request's latency without any request, to see how many
    # operations the engine and the provider host keep in flight.
    time.sleep(float(os.environ.get("BENCH_NOOP_SLEEP") or 0))


class NoopProvider(ResourceProvider):
    """The engine floor: every operation answers at once, without any request."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        _pause()
        return CreateResult(uuid.uuid4().hex, {k: v for k, v in props.items() if k != "__provider"})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = (set(olds) | set(news)) - {"__provider"}
        return DiffResult(changes=any(olds.get(k) != news.get(k) for k in keys))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({k: v for k, v in news.items() if k != "__provider"})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        _pause()
        outs = {k: v for k, v in props.items() if k != "__provider"}
        return ReadResult(id_, outs, outs)


    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        _pause()


class NoopResource(Resource, module="bench", name="Noop"):
    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NoopProvider(), name, props, opts)


def program() -> None:
    """Builds the fleet from Pulumi's async entrypoint, handing the event loop back after each
    account, the way portal-infra's ConnectFleet.deploy does (and any large program should): the
    engine then works on the first resources while the program builds the rest. The engine floor is
    built the same way, so the ratio between them compares like with like."""
    mark("program_start")
    atexit.register(mark, "program_exit")  # once every registration's answer is in and the program ends
    pulumi.run(_build)


async def _build() -> None:
    config = pulumi.Config("bench")
    kind = config.get("kind") or "portal"
    n = config.require_int("n")
    first = config.get_int("first") or 0
    changed = config.get_int("changed") or 0
    pool = DynamicProviderPool(config.get_int("providers") or 0)
    branded = str(config.get("shape")).startswith("branded")  # branded, or branded-v2 (Accounts v2)
    for i in range(first, first + n):
        opts = pool.options(i)
        spec = portal_spec(i, changed=i < changed)
        name = resource_name(i)
        if not branded:
            if kind == "floor":
                NoopResource(name, spec, opts)
            else:
                PortalConfiguration(name, spec, opts=opts)
        else:
            look = branding_spec(i, changed=i < changed)
            if kind == "floor":
                NoopResource(f"{name}-portal", {**spec, "stripe_account": account_id(i)}, opts)
                NoopResource(f"{name}-branding", look, opts)
            else:
                PortalConfiguration(f"{name}-portal", spec, stripe_account=account_id(i), opts=opts)
                AccountBranding(f"{name}-branding", **look, opts=opts)
        await asyncio.sleep(0)
    mark("program_built")
