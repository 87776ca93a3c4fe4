"""Pulumi program for `make bench --faces plugin`: the bench fleet (bench/fleet_data.py) through the
provider plugin. Plain Pulumi, no portal_infra import: each configuration is a
`pulumi.CustomResource("portal-infra:index:PortalConfiguration", ...)`, and the engine serves every one
from one `pulumi-resource-portal-infra` process (the stack's default provider).

Registered from Pulumi's async entrypoint, handing the loop back after each resource, as the dynamic
program does (README: Performance, "Register while you build"), so the two compare like with like.
"""

import asyncio
import atexit

import pulumi

from bench.fleet_data import mark, portal_spec, resource_name

PORTAL_CONFIGURATION = "portal-infra:index:PortalConfiguration"


async def build() -> None:
    config = pulumi.Config("bench")
    n = config.require_int("n")
    first = config.get_int("first") or 0
    changed = config.get_int("changed") or 0
    if config.get("shape") not in (None, "configurations"):
        raise ValueError("the plugin bench deploys configurations only")
    for i in range(first, first + n):
        pulumi.CustomResource(PORTAL_CONFIGURATION, resource_name(i), portal_spec(i, changed=i < changed))
        await asyncio.sleep(0)
    mark("program_built")


mark("program_start")
atexit.register(mark, "program_exit")  # once every registration's answer is in and the program ends
pulumi.run(build)
