"""The stack config: everything a stack declares under `portal-infra:` in stacks/Pulumi.<stack>.yaml,
laid over the project's base (layers.py). `program.py` validates it before building anything, so a
bad value fails `pulumi preview` with its YAML path (`portal-infra:portal.features…`).

`portals` holds more platform configurations by name, each shaped like `portal`; `declared_portals()`
lists them all, and one Stripe configuration may be adopted by one declaration only.

Field names are the config keys as written in the stack file (hence `allowLive`, not `allow_live`).
`platform` is PlatformSettingsSpec (branding.py), `domain` CustomDomainSpec (custom_domain.py) and
`fleet` FleetSpec (fleet.py); each fleet account's portal, branding and domain blocks are checked by
their own resources.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, ValidationError

from .branding import PlatformSettingsSpec
from .common import Spec, Url
from .custom_domain import CustomDomainSpec
from .fleet import FleetSpec, parse_fleet
from .portal_configuration import PortalConfigurationSpec, cross_field_problems
from .problems import SpecError, SpecProblem, problems_from_validation

NAMESPACE = "portal-infra"
COUPON_ID_MAX = 200

PORTAL_NAME_PATTERN = r"^[a-z0-9-]{1,40}$"
# The single `portal` is the resource named "portal"; a named one is "portal-<name>", never equal to it
# since a name is never empty. Fleet accounts' configurations are children of their ConnectFleet, so
# their URNs differ by parent type whatever their names.
SINGLE_PORTAL_RESOURCE = "portal"

# Never copied by `portal-infra promote`: they say where and as whom a stack talks to Stripe.
# Where and as whom a stack talks to Stripe: each stack's own. `accountsApi` too: a dev stack on a v2
# sandbox promotes to a production platform that may not be enrolled in Accounts v2.
NON_PORTABLE = ("mode", "allowLive", "stripeApiBase", "stripeApiKey", "accountsApi", "pinned", "base")


class Secure(Spec):
    """How a secret looks in a stack file (`pulumi config set --secret`)."""

    secure: str


class PortalOptions(Spec):
    """The `portal_infra:` entry of a portal: steers portal-infra, never sent to Stripe."""

    adopt: Annotated[str, Field(pattern=r"^(default|bpc_\w+)$")] | None = Field(
        None, description="'default' (the account's default configuration) or the ID (bpc_…) of one to manage")
    on_delete: Literal["deactivate", "retain"] = "deactivate"


class Retention(Spec):
    """A cancellation offer. Stripe applies it per portal session, not per configuration, so the stack
    exports it and `portal_infra.sessions.create_portal_session` sends it."""

    coupon: Annotated[str, Field(min_length=1, max_length=COUPON_ID_MAX)] = Field(
        description="the coupon's ID; coupon IDs are chosen when the coupon is made, so one ID can name "
                    "the same offer in test and live mode")


class Portal(PortalConfigurationSpec):
    """`portal-infra:portal`: Stripe's configuration fields, plus portal-infra's own entries."""

    portal_infra: PortalOptions | None = None
    retention: Retention | None = None

    def stripe_fields(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, exclude={"portal_infra", "retention"})


def _check_portal_name(value: str) -> str:
    if not re.match(PORTAL_NAME_PATTERN, value):
        raise ValueError(f"{value!r} is not a usable portal name; use 1 to 40 lowercase letters, digits and "
                         "dashes (it names the portal's resource, portal-<name>, and its stack outputs)")
    return value


PortalName = Annotated[str, AfterValidator(_check_portal_name)]


def portal_resource_name(name: str) -> str:
    """The PortalConfiguration resource of `portal-infra:portals.<name>`."""
    return f"{SINGLE_PORTAL_RESOURCE}-{name}"


class PortalDeclaration(NamedTuple):
    """One platform configuration a stack declares: `portal` (name None) or `portals.<name>`."""

    path: str  # in the stack config, for problems and `pinned`
    resource_name: str
    name: str | None
    portal: Portal


_PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class RateLimits(Spec):
    """Requests per second this stack sends, shared by all its resources (stripe_api/ratelimit.py).

    Stripe limits the account's requests (25/s in test mode, 100/s live) and, in both modes, each
    endpoint's (25/s; files 20 reads and 20 writes a second). Each request counts against both."""

    test: _PositiveNumber | None = Field(
        None, description="all of the account's requests in test mode (default 24; Stripe allows 25)")
    live: _PositiveNumber | None = Field(
        None, description="all of the account's requests in live mode (default 95; Stripe allows 100)")
    endpoint: _PositiveNumber | None = Field(
        None, description="each endpoint, like POST /v1/accounts/{id}, either mode (default 24; Stripe allows 25)")
    filesRead: _PositiveNumber | None = Field(
        None, description="reads of the files API, either mode (default 19; Stripe allows 20)")
    filesWrite: _PositiveNumber | None = Field(
        None, description="file uploads, either mode (default 19; Stripe allows 20)")
    files: _PositiveNumber | None = Field(
        None, description="both filesRead and filesWrite at once (the older key); either one given beside it wins")


class Timeouts(Spec):
    connect: _PositiveNumber | None = Field(None, description="seconds to open a connection (default 10)")
    read: _PositiveNumber | None = Field(None, description="seconds to wait for Stripe's answer (default 60)")


class Retries(Spec):
    maxAttempts: Annotated[int, Field(ge=1)] | None = Field(None, description="tries per request (default 8)")
    maxSeconds: _PositiveNumber | None = Field(None, description="seconds of retrying per request (default 60)")


class StackConfig(Spec):
    """Everything under `portal-infra:` for one stack, after its base is applied."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="portal-infra stack config")

    mode: Literal["test", "live"] = Field("test", description="the key mode this stack requires")
    allowLive: StrictBool = Field(False, description="live mode must also be allowed explicitly")
    stripeApiBase: Url | None = Field(None, description="API base; a live key only ever goes to Stripe")
    stripeApiKey: str | Secure | None = Field(
        None, description="set with `pulumi config set --secret`; else STRIPE_API_KEY")
    pinned: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="paths (like portal.name) that belong to this stack: `portal-infra promote` never changes them")
    portal: Portal | None = None
    portals: dict[PortalName, Portal] | None = Field(
        None, description="more of the platform's portal configurations, by name (lowercase letters, digits and "
                          "dashes, at most 40): each is shaped like `portal` and is its own resource, portal-<name>",
        json_schema_extra={"propertyNames": {"pattern": PORTAL_NAME_PATTERN}})
    platform: PlatformSettingsSpec | None = Field(
        None, description="the platform's own Dashboard-only settings, compared read-only")
    domain: CustomDomainSpec | None = Field(None, description="the platform's custom domain")
    fleet: FleetSpec | None = Field(None, description="connected accounts: shared defaults, then each account")
    rateLimits: RateLimits | None = Field(None, description="client-side pacing of requests to Stripe")
    timeouts: Timeouts | None = Field(None, description="connect and read timeouts for requests to Stripe")
    retries: Retries | None = Field(None, description="how long one request to Stripe keeps retrying")
    accountsApi: Literal["v1", "v2"] | None = Field(
        None, description="the Accounts API the Connect platform uses for connected accounts: v1 (default, "
                          "POST /v1/accounts/{id}) or v2 (POST /v2/core/accounts/{id}, for platforms on Accounts v2)")

    def declared_portals(self) -> Iterator[PortalDeclaration]:
        """Every platform configuration: `portal`, then `portals` in the order written."""
        if self.portal is not None:
            yield PortalDeclaration("portal", SINGLE_PORTAL_RESOURCE, None, self.portal)
        for name, portal in (self.portals or {}).items():
            yield PortalDeclaration(f"portals.{name}", portal_resource_name(name), name, portal)


def adoption_problems(config: StackConfig) -> list[SpecProblem]:
    """Two declarations managing one Stripe configuration would overwrite each other at every `up`
    (and both retire it on delete), so each adopted configuration is claimed once."""
    claimed: dict[str, str] = {}
    out: list[SpecProblem] = []
    for path, _, _, portal in config.declared_portals():
        adopt = portal.portal_infra.adopt if portal.portal_infra else None
        if adopt is None:
            continue
        first = claimed.setdefault(adopt, path)
        if first != path:
            what = "the account's default configuration" if adopt == "default" else adopt
            out.append(SpecProblem(f"{path}.portal_infra.adopt", f"adopts {what}, already adopted at "
                                   f"{first}.portal_infra.adopt", "a configuration is managed from one declaration "
                                   "only: remove one of the two adopts"))
    return out


def parse_stack_config(data: Any, base_dir: Path | None = None) -> StackConfig:
    """Validate a stack's effective config (keys without the `portal-infra:` prefix); a fleet's accounts
    file is read from `base_dir` (the program's directory; the working directory by default).

    Problem paths are relative to the namespace (`portal.business_profile.headline`).
    """
    try:
        config = StackConfig.model_validate(data)
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, StackConfig)) from None
    problems: list[SpecProblem] = []
    for path, _, _, portal in config.declared_portals():
        problems += [SpecProblem(f"{path}.{p.path}", p.problem, p.fix) for p in cross_field_problems(portal)]
    problems += adoption_problems(config)
    if config.fleet is not None:
        try:
            fleet = parse_fleet(data["fleet"], prefix="fleet", base_dir=base_dir)  # names, IDs twice; the file
            if fleet.accounts_file:
                config = config.model_copy(update={"fleet": fleet})
        except SpecError as err:
            problems += err.problems
    if problems:
        raise SpecError(problems)
    return config


def stack_file_schema() -> dict[str, Any]:
    """JSON Schema of a Pulumi.<stack>.yaml, for editors (yaml-language-server, VS Code, JetBrains).

    Made from StackConfig. A stack file holds only what differs from the base, so nothing in it is
    required and any value may be null (null removes the base's value); `pulumi preview` checks the
    merged result in full.
    """
    model = StackConfig.model_json_schema(by_alias=True)
    defs = {name: _partial(schema) for name, schema in model.pop("$defs", {}).items()}
    properties = {f"{NAMESPACE}:{key}": _nullable(_partial(value)) for key, value in model["properties"].items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "portal-infra stack file (stacks/Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "description": "Stack config. `portal-infra:*` keys are laid over `portal-infra:base` in Pulumi.yaml.",
                "properties": properties,
                # Other namespaces (a provider's own keys) are Pulumi's business; ours are all known.
                "patternProperties": {f"^{NAMESPACE}:(?!({'|'.join(model['properties'])}|base)$)": {
                    "not": {}, "description": "not a portal-infra key"}},
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {},
        },
        "additionalProperties": False,
        "$defs": defs,
    }


def _partial(schema: Any) -> Any:
    """The schema with `required` dropped and every property nullable, all the way down."""
    if isinstance(schema, list):
        return [_partial(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _partial(v) for k, v in schema.items() if k != "required"}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _nullable(v) for k, v in out["properties"].items()}
    if isinstance(out.get("additionalProperties"), dict):  # a mapping's values (`portals.<name>: null`)
        out["additionalProperties"] = _nullable(out["additionalProperties"])
    return out


def _nullable(schema: Any) -> Any:
    if not isinstance(schema, dict) or schema.get("type") == "null":
        return schema
    if any(s.get("type") == "null" for s in schema.get("anyOf", []) if isinstance(s, dict)):
        return schema
    return {"anyOf": [copy.deepcopy(schema), {"type": "null"}]}
