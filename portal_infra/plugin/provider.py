"""The plugin's `Provider`: each gRPC operation translated onto the resource providers' own methods.

Nothing here talks to Stripe or decides anything about a resource. Check, diff, create, read, update
and delete are the `...Provider` classes of `portal_infra.resources`, called on plain dicts exactly as
the dynamic-provider host calls them; this module turns the engine's requests into those calls and
their results (CheckFailure, DiffResult, CreateResult, ReadResult, UpdateResult) back into responses.

The resource providers are synchronous (requests, with their own rate limiter and retries), so each
call runs on a worker thread; the gRPC server is asyncio, so the engine's `--parallel` operations run
at once instead of the dynamic host's four.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pulumi.dynamic import CheckResult, ConfigureRequest, CreateResult, DiffResult, ReadResult, UpdateResult
from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue

from ..resources import (
    AccountBrandingProvider,
    CustomDomainProvider,
    PlatformSettingsProvider,
    PortalConfigurationProvider,
)
from ..resources.base import ResourceError, StripeResourceProvider, warning_sink
from ..resources.importing import import_branding, import_configuration
from ..stripe_api.keys import CONFIG_NAMESPACE
from .components import construct as construct_component
from .engine_log import EngineLog
from .schema import CONFIG_PROPERTIES, SECRET_CONFIG, schema_json
from .secrets import keep_secrets
from .values import plain_map, property_map

PACKAGE = CONFIG_NAMESPACE  # "portal-infra": the package name is also the provider config's namespace
RESOURCES: dict[str, type[StripeResourceProvider]] = {
    f"{PACKAGE}:index:PortalConfiguration": PortalConfigurationProvider,
    f"{PACKAGE}:index:AccountBranding": AccountBrandingProvider,
    f"{PACKAGE}:index:CustomDomain": CustomDomainProvider,
    f"{PACKAGE}:index:PlatformSettings": PlatformSettingsProvider,
}
# `pulumi import` per resource (the others have no Stripe object to take over by ID).
IMPORTERS: dict[type[StripeResourceProvider], Callable[..., ReadResult]] = {
    PortalConfigurationProvider: import_configuration,
    AccountBrandingProvider: import_branding,
}
# Enough threads that the engine's parallelism, not the plugin, bounds how many requests are in flight;
# the Stripe client's rate limiter keeps them under Stripe's limits.
WORKERS = 64

_T = TypeVar("_T")


class _Config:
    """What `StripeResourceProvider.configure` reads: `config.get("portal-infra:<key>")`."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def get(self, key: str) -> Any:
        return self._values.get(key)


class PortalInfraProvider(p.Provider):
    def __init__(self) -> None:
        self._providers = {token: cls() for token, cls in RESOURCES.items()}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="portal-infra")

    def attach_engine(self, address: str) -> None:
        """The engine's address (the plugin's first argument): warnings go to its Log."""
        self._engine = EngineLog(address)

    async def _run(self, urn: str, fn: Callable[..., _T], *args: Any) -> _T:
        """`fn` on a worker thread, its warnings logged under the resource `urn`."""
        context = contextvars.copy_context()
        engine = getattr(self, "_engine", None)
        if engine is not None:
            context.run(warning_sink.set, functools.partial(engine.warning, urn))
        return await asyncio.get_running_loop().run_in_executor(self._pool, context.run, fn, *args)

    def _provider(self, token: str) -> StripeResourceProvider:
        # The SDK's server takes the type from the URN, which qualifies a component's child with its
        # parents' types (`…:BillingPortal$portal-infra:index:PortalConfiguration`): the last is its own.
        token = token.rsplit("$", 1)[-1]
        try:
            return self._providers[token]
        except KeyError:
            raise ValueError(f"portal-infra has no resource type {token}; it has {', '.join(RESOURCES)}") from None

    async def get_schema(self, request: p.GetSchemaRequest) -> p.GetSchemaResponse:
        return p.GetSchemaResponse(schema=schema_json())

    async def check_config(self, request: p.CheckRequest) -> p.CheckResponse:
        # The engine sends every `portal-infra:` stack config key, the program's own (portal, fleet, …)
        # among them; the provider keeps only its settings. The key stays a secret whatever it came as.
        inputs: dict[str, PropertyValue] = {}
        for name, value in request.new_inputs.items():
            if name in CONFIG_PROPERTIES:
                inputs[name] = value.with_secret(True) if name in SECRET_CONFIG else value
        return p.CheckResponse(inputs=inputs, failures=[])

    async def diff_config(self, request: p.DiffRequest) -> p.DiffResponse:
        olds = {k: v for k, v in plain_map(request.old_state).items() if k in CONFIG_PROPERTIES}
        news = {k: v for k, v in plain_map(request.new_inputs).items() if k in CONFIG_PROPERTIES}
        # The Accounts API is how the same account is reached, not what it holds: switching a stack to
        # the API its platform moved to changes nothing in Stripe, so it is no change (specs/account_wire.py).
        changed = sorted(k for k in olds.keys() | news.keys() if olds.get(k) != news.get(k) and k != "accountsApi")
        return p.DiffResponse(changes=bool(changed), diffs=changed,
                              detailed_diff={k: p.PropertyDiff(p.PropertyDiffKind.UPDATE, True) for k in changed})

    async def configure(self, request: p.ConfigureRequest) -> p.ConfigureResponse:
        settings = {f"{PACKAGE}:{name}": value for name, value in plain_map(request.args).items()
                    if name in CONFIG_PROPERTIES and value is not None}
        for provider in self._providers.values():
            provider.configure(ConfigureRequest(_Config(settings)))  # type: ignore[arg-type]
        # No preview of create/update: as with the dynamic resources, preview runs check and diff only.
        return p.ConfigureResponse(accept_secrets=True, supports_preview=False, accept_resources=False,
                                   accept_outputs=False)

    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        news = plain_map(request.new_inputs)
        # The dynamic resource's constructor sets `owner` to project/stack/name; the URN says the same.
        news.setdefault("owner", _owner(request.urn))
        result: CheckResult = await self._run(request.urn, self._provider(request.type).check,
                                              plain_map(request.old_inputs), news)
        return p.CheckResponse(
            inputs=keep_secrets(property_map(result.inputs or {}), request.new_inputs),
            failures=[p.CheckFailure(f.property, f.reason) for f in result.failures or []],
        )

    async def diff(self, request: p.DiffRequest) -> p.DiffResponse:
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        result: DiffResult = await self._run(request.urn, self._provider(request.type).diff, request.resource_id,
                                             olds, news)
        replaces = list(result.replaces or [])
        # Which fields to show: the declared ones whose value moved (outputs are not in `news`).
        shown = sorted({k for k in news if olds.get(k) != news.get(k)} | set(replaces)) if result.changes else []
        detailed = {
            k: p.PropertyDiff(p.PropertyDiffKind.UPDATE_REPLACE if k in replaces else p.PropertyDiffKind.UPDATE, True)
            for k in shown
        }
        return p.DiffResponse(changes=result.changes, replaces=replaces, stables=list(result.stables or []),
                              delete_before_replace=bool(result.delete_before_replace), diffs=shown,
                              detailed_diff=detailed)

    async def create(self, request: p.CreateRequest) -> p.CreateResponse:
        result: CreateResult = await self._run(request.urn, self._provider(request.type).create,
                                               plain_map(request.properties))
        return p.CreateResponse(resource_id=result.id,
                                 properties=keep_secrets(property_map(result.outs or {}), request.properties))

    async def read(self, request: p.ReadRequest) -> p.ReadResponse:
        # On refresh the engine sends the last outputs; on an import by resource option (`import_`) the
        # program's inputs; on `pulumi import` nothing but the ID: the resource's import reads the object
        # and returns its declaration (resources/importing.py).
        props = plain_map(request.properties) or plain_map(request.inputs)
        if not props:
            return await self._import(request)
        result: ReadResult = await self._run(request.urn, self._provider(request.type).read, request.resource_id, props)
        if not result.id:
            return p.ReadResponse(resource_id="")  # gone in Stripe: the engine drops it from state
        return p.ReadResponse(resource_id=result.id,
                              properties=keep_secrets(property_map(result.outs or {}), request.properties),
                              inputs=keep_secrets(property_map(result.inputs), request.inputs)
                              if result.inputs is not None else None)

    async def _import(self, request: p.ReadRequest) -> p.ReadResponse:
        provider = self._provider(request.type)
        importer = IMPORTERS.get(type(provider))
        if importer is None:
            raise ResourceError(f"{request.type} cannot be imported with `pulumi import`; declare it instead "
                                f"(importable: {', '.join(t for t, c in RESOURCES.items() if c in IMPORTERS)})")
        result: ReadResult = await self._run(request.urn, importer, provider, request.resource_id, _owner(request.urn))
        return p.ReadResponse(resource_id=result.id, properties=property_map(result.outs or {}),
                              inputs=property_map(result.inputs or {}))

    async def update(self, request: p.UpdateRequest) -> p.UpdateResponse:
        result: UpdateResult = await self._run(request.urn, self._provider(request.type).update, request.resource_id,
                                               plain_map(request.olds), plain_map(request.news))
        return p.UpdateResponse(properties=keep_secrets(property_map(result.outs or {}), request.news))

    async def delete(self, request: p.DeleteRequest) -> None:
        await self._run(request.urn, self._provider(request.type).delete, request.resource_id,
                        plain_map(request.properties))

    async def construct(self, request: p.ConstructRequest) -> p.ConstructResponse:
        return await construct_component(request)


def _owner(urn: str) -> str:
    """`project/stack/name` from `urn:pulumi:stack::project::type::name`."""
    parts = urn.split("::")
    stack = parts[0].rsplit(":", 1)[-1] if parts else ""
    project = parts[1] if len(parts) > 1 else ""
    return f"{project}/{stack}/{parts[-1]}"
