"""Several dynamic-provider processes for one stack: past the 4-requests-at-a-time cap.

Pulumi's Python dynamic-provider host serves at most 4 requests at once (a gRPC server with
`ThreadPoolExecutor(max_workers=4)`), and every dynamic resource of a stack shares one default
provider process. Each *explicit* provider instance of package `pulumi-python` is its own process
with its own 4 slots, so K instances give 4·K Stripe requests in flight. `DynamicProviderPool.options(i)`
deals resource i to instance i mod K.

Why the start gate: the program sends its RegisterResource calls through one FIFO thread pool, in
the order the resources became ready to register. A resource is ready once its provider exists,
and the K providers come up one after another (each starts a Python process), so without a gate
every resource of instance 0 is queued before any resource of instance 1: measured at 200 no-op
resources with 250 ms each and K=2, instance 1 got its first create only after instance 0 had
done all 100 of its own (14.6 s, the same as one provider). The gate holds every resource until
all K providers exist, so they are queued in program order, alternating between instances.

An explicit provider is configured from its own inputs, not from the stack's config, so the pool
passes on the stack's non-secret `portal-infra:` settings (mode, API base, allowLive, rate limits,
timeouts, retries). The Stripe key is not passed: provider inputs are stored in state, and the key
must never be. With a pool, give the key as `STRIPE_API_KEY` in the environment of `pulumi up`.
The K processes pace against one budget: the pacer is machine-wide per account (ratelimit.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi

from ..stripe_api.keys import ALLOW_LIVE_CONFIG, BASE_CONFIG, CONFIG_NAMESPACE, MODE_CONFIG
from ..stripe_api.settings import SETTINGS_KEYS

PACKAGE = "pulumi-python"


class DynamicProviderPool:
    """`size` explicit dynamic-provider instances (none for 0: resources use the default provider).

    Moving resources between providers is a provider change, which Pulumi treats as a replacement,
    so choose the size when a fleet is first deployed and keep each resource's index stable.
    """

    def __init__(self, size: int, *, name: str = "portal-infra-provider") -> None:
        if size < 0:
            raise ValueError(f"a provider pool size cannot be negative ({size}); use 0 for the default provider")
        config = pulumi.Config(CONFIG_NAMESPACE)
        passed = (MODE_CONFIG, BASE_CONFIG, ALLOW_LIVE_CONFIG, *SETTINGS_KEYS)
        # Structured values (rateLimits: {...}) come as JSON text, the form providers read them in.
        settings = {key: config.get(key.split(":", 1)[1]) for key in passed}
        inputs = {k: v for k, v in settings.items() if v is not None}
        self.providers = [pulumi.ProviderResource(PACKAGE, f"{name}-{i}", inputs) for i in range(size)]
        self._gate: pulumi.Output[list[pulumi.Resource]] | None = _all_created(self.providers) if size else None

    def __len__(self) -> int:
        return len(self.providers)

    def options(self, index: int, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions | None:
        """`opts` for resource `index`: its instance, and the start gate (which adds no dependency)."""
        if not self.providers:
            return opts
        provider = self.providers[index % len(self.providers)]
        own = pulumi.ResourceOptions(provider=provider, depends_on=self._gate)
        return pulumi.ResourceOptions.merge(opts, own) if opts else own


def _all_created(providers: list[pulumi.ProviderResource]) -> pulumi.Output[list[pulumi.Resource]]:
    """An Output that resolves to no resources once every provider has been created.

    Used as `depends_on`, it delays registration without recording a dependency in state:
    its value is empty and it carries no resources of its own.
    """

    async def ready() -> list[pulumi.Resource]:
        for provider in providers:
            await provider.id.future()
        return []

    async def known() -> bool:
        return True

    value: Any = asyncio.ensure_future(ready())
    return pulumi.Output(set(), value, asyncio.ensure_future(known()))
