"""Several dynamic-provider processes for one stack: past the 4-requests-at-a-time cap.

Pulumi's Python dynamic-provider host serves at most 4 requests at once (a gRPC server with
`ThreadPoolExecutor(max_workers=4)`), and every dynamic resource of a stack shares one default
provider process. Each *explicit* provider instance of package `pulumi-python` is its own process
with its own 4 slots, so K instances give 4·K Stripe requests in flight. Deal the resources across
them with `ResourceOptions(provider=...)`.

An explicit provider is configured from its own inputs, not from the stack's config, so the pool
passes on the stack's non-secret `portal-infra:` settings (mode, API base). The Stripe key is not
passed: provider inputs are stored in state, and the key must never be. With a pool, give the key
as `STRIPE_API_KEY` in the environment of `pulumi up`.
"""

from __future__ import annotations

import pulumi

from ..stripe_api.keys import BASE_CONFIG, CONFIG_NAMESPACE, MODE_CONFIG

PACKAGE = "pulumi-python"


def dynamic_provider_pool(size: int, *, name: str = "portal-infra-provider") -> list[pulumi.ProviderResource]:
    """`size` explicit dynamic-provider instances (an empty list for 0: use the default provider).

    Moving resources between providers is a provider change, which Pulumi treats as a replacement,
    so choose the pool size when a fleet is first deployed (a resource's slot is its index mod size).
    """
    if size < 0:
        raise ValueError(f"a provider pool size cannot be negative ({size}); use 0 for the default provider")
    config = pulumi.Config(CONFIG_NAMESPACE)
    settings = {key: config.get(key.split(":", 1)[1]) for key in (MODE_CONFIG, BASE_CONFIG)}
    inputs = {k: v for k, v in settings.items() if v is not None}
    return [pulumi.ProviderResource(PACKAGE, f"{name}-{i}", inputs) for i in range(size)]
