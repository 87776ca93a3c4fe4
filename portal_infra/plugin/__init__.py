"""`pulumi-resource-portal-infra`: portal-infra as a Pulumi resource-provider plugin (issue 16).

The second face of the same resources (DESIGN.md "One implementation, more than one face"): the
engine launches this plugin like any other provider, so any Pulumi language (YAML, TypeScript, Go,
Python without our package) can declare `portal-infra:index:PortalConfiguration`, `AccountBranding`,
`CustomDomain` and `PlatformSettings`. Every operation is the resource providers' own check, diff,
create, read, update or delete (`portal_infra.resources`), called on plain dicts; this package only
translates (`provider.py`), describes (`schema.py`, generated from `specs`) and serves (`main`).

Approach, chosen after reading pulumi==3.272.0's `pulumi/provider/`:
- `pulumi.provider.experimental.provider.Provider` (async methods over typed request/response
  classes and `PropertyValue` maps: secrets, unknowns and dependencies explicit) served by
  `pulumi.provider.experimental.server.main(args, version, provider)`, a `grpc.aio` server that
  prints its port and implements the whole ResourceProvider service (CheckConfig, DiffConfig,
  Configure, Check, Diff, Create, Read, Update, Delete, GetSchema, GetPluginInfo, Cancel).
- Not the stable `pulumi.provider.Provider` + `pulumi.provider.main`: that one is for component
  providers only (it serves Construct and Call; Check/Diff/Create/Read/... are not there), so a
  custom resource would need a hand-written gRPC servicer over raw protobuf Structs.
- Not `component_provider_host`: it exposes components only, and a Python plugin's
  `CustomResource`s are ignored there; dynamic resources inside it do not load (pulumi#5455).
- The experimental package gives no schema help for custom resources (its analyzer infers
  component schemas from type hints), so `schema.py` builds the schema from the pydantic specs.
- Operations are coroutines; the synchronous resource providers run on a thread pool, so the
  engine's `--parallel` is the bound rather than the dynamic host's 4 workers.

The plugin is found on PATH as `pulumi-resource-portal-infra` (the console script this package
installs into its venv); `plugins: providers: [{name: portal-infra, path: <dir>}]` in Pulumi.yaml
names the directory explicitly. Its version is the package's.

Provider config is the stack's own `portal-infra:` keys (mode, allowLive, stripeApiBase, rateLimits,
timeouts, retries, stripeApiKey), the same keys the dynamic resources read; the key comes from
STRIPE_API_KEY in the engine's environment or the secret `portal-infra:stripeApiKey`, which the
plugin always marks secret, so the state holds it only encrypted, as a provider input.
"""

from __future__ import annotations

import sys
from importlib.metadata import version


def main() -> None:
    """The console script `pulumi-resource-portal-infra`: serve the plugin to the engine."""
    from .provider import PortalInfraProvider
    from .server import serve

    serve(sys.argv[1:], version("portal-infra"), PortalInfraProvider())
