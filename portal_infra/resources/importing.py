"""`pulumi import` of a portal configuration (`bpc_…`) or a connected account's branding (`acct_…`).

Only the provider plugin can be imported into (dynamic resources cannot: pulumi#16175). The engine
imports by calling the provider's Read with the ID alone, no inputs and no outputs, and writes the
inputs Read returns out as the program's code (`pulumi import --out`), one property per schema input;
the state keeps those inputs and the outputs Read returns. So each function here returns:
- inputs: the declaration of the object as Stripe holds it now, made by the same rules `portal-infra
  pull` declares with (`specs.declare`: a configuration cut to the spec's shape, an account's look from
  `account_wire.live_values`, as AccountBranding reads), plus the control inputs an imported object should have.
  The inputs are already in the form the resource's check() gives them (the spec's defaults filled in,
  so a configuration says `active: true`): the state then holds what a program declaring the generated
  code checks to, and both `preview` and `refresh` (whose diff compares the state's inputs with what
  Read returns) find nothing to change;
- outputs: those inputs beside the read-back fields, as create and read return them.

Both only read from Stripe: nothing is written at import, and nothing at the first `up` unless the
program changes something (AccountBranding then records itself in the same request, see its update()).
What the declaration cannot express stays as it is in Stripe, and is warned with `base.warn` (through
the plugin, the engine's Log: shown under the resource, see plugin/engine_log.py).

Why these control inputs (the choices, written out in the generated code so none is a surprise):
- A configuration gets `adopt` ("default" for the account's default, else its ID, as pull writes):
  an import takes the object over as adoption does, so the same code in a new stack adopts instead of
  creating a second one, and the default keeps adoption's rule of never being deactivated. It gets
  `on_delete: retain`: it existed before this stack, so removing it from the stack leaves it in Stripe
  (portal sessions and links may name it), as an imported account's destroy puts back the look it had
  at import. Set `deactivate` to retire it instead. (`pulumi import` also marks resources protected.)
  No ownership marker is written; adoption writes none either (the marker recovers an interrupted create).
- An account's branding gets `on_delete: restore` with `previous` the look at import: destroy puts it
  back as it was when this stack took it over. Its metadata marker and restore record (what create
  writes) cannot be written by a Read; the first `up` that changes the account writes them in the same
  request.
- An object whose portal-infra marker names another resource is refused: two stacks would manage it.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import ReadResult

from ..specs import SpecError, parse_portal_configuration
from ..specs.account_wire import live_values
from ..specs.branding import parse_account_branding
from ..specs.declare import branding_block, configuration_block
from ..specs.notes import Notes
from ..specs.wire import declared
from ..stripe_api import StripeCallError
from . import account_branding as branding
from . import portal_configuration as configuration
from .base import ResourceError, warn


def import_configuration(provider: configuration.PortalConfigurationProvider, import_id: str,
                         owner: str) -> ReadResult:
    """`bpc_…` (the platform's) or `acct_…/bpc_…` (a connected account's). The state's ID is the `bpc_…`,
    with the account in `stripe_account`, as a created one has."""
    account, _, config_id = import_id.rpartition("/")
    if not config_id.startswith("bpc_") or (account and not account.startswith("acct_")):
        raise ResourceError(f"cannot import {import_id!r} as a portal configuration: give its ID, bpc_…, or for a "
                            "connected account's configuration acct_…/bpc_…")
    gateway = provider.gateway(account or None)
    where = f"{f'connected account {account}' if account else 'the platform account'} ({gateway.mode} mode)"
    try:
        live = gateway.get(f"{configuration.PATH}/{config_id}")
    except StripeCallError as err:
        # 403: Stripe's answer for a Stripe-Account this key cannot act as ("does not have access to account").
        if err.is_missing or err.status == 403:
            raise ResourceError(f"no portal configuration {config_id} in {where} that this key can see; check the "
                                "ID and the key's mode (a connected account's configuration is imported as "
                                "acct_…/bpc_…)") from None
        raise
    holder = (live.get("metadata") or {}).get(configuration.OWNER_METADATA_KEY)
    if holder and holder != owner:
        raise ResourceError(f"portal configuration {config_id} is managed by portal-infra resource {holder!r}; "
                            "remove it there first (with on_delete: retain), or keep managing it from there")
    notes = Notes()
    block = configuration_block(live, config_id, notes)
    if block is None:
        raise ResourceError(f"portal configuration {config_id} holds values portal-infra's spec cannot declare: "
                            + "; ".join(notes.lines()))
    _warn(import_id, notes)
    control: dict[str, Any] = {"adopt": configuration.ADOPT_DEFAULT if live.get("is_default") else config_id,
                               "on_delete": "retain"}
    if account:
        control["stripe_account"] = account
    checked = {**declared(parse_portal_configuration(block)), **control}
    return ReadResult(config_id, provider._outputs(checked, live, gateway.mode), checked)


def import_branding(provider: branding.AccountBrandingProvider, import_id: str, owner: str) -> ReadResult:
    """`acct_…`, a connected account of this key's platform; the state's ID is the account's, as a created
    one has."""
    if not import_id.startswith("acct_") or "/" in import_id:
        raise ResourceError(f"cannot import {import_id!r} as account branding: give the connected account's ID, "
                            "acct_…")
    gateway = provider.gateway()
    if str(gateway.get("/v1/account").get("id")) == import_id:
        raise ResourceError(f"account {import_id} is this key's own (platform) account, whose branding Stripe's API "
                            "cannot write; declare PlatformSettings to check it instead")
    account = provider._account(gateway, import_id)  # a clear error when no connected account has this ID
    metadata = account.get("metadata") or {}
    holder = metadata.get(branding.OWNER_METADATA_KEY)
    if holder and holder != owner:
        raise ResourceError(f"account {import_id}: its branding is already managed by portal-infra resource "
                            f"{holder!r}; remove it there first (destroy restores what it recorded), or manage it "
                            "from that stack")
    notes = Notes()
    api = gateway.settings.accounts_api
    look = branding_block(account, notes, api)
    _warn(import_id, notes)
    try:
        spec, _ = parse_account_branding({"account": import_id, **look})
    except SpecError as err:
        raise ResourceError(f"account {import_id} shows no branding or business profile portal-infra can declare "
                            f"({'; '.join(p.problem for p in err.problems)}); declare AccountBranding with the look "
                            "it should have instead of importing it") from None
    control = {"on_delete": "restore"}
    checked = {**spec.model_dump(exclude_none=True), **control}
    # What destroy puts back: the record a stack of this same resource left in the account, else the look now.
    previous = (branding._restore_from_metadata(metadata) if holder else None) or live_values(api, account)
    outputs = provider._outputs(checked, account, gateway, {}, previous)
    return ReadResult(import_id, outputs, checked)


def _warn(import_id: str, notes: Notes) -> None:
    for line in notes.lines():
        warn(f"import {import_id}: not expressed: {line}")
