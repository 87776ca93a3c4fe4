"""`portal-infra pull --stack S`: write a stack file that declares what a Stripe account holds now.

- The platform's configurations: the default one as `portal-infra:portal` with `adopt: default`, each
  other active one as `portal-infra:portals.<name>` with `adopt: bpc_…` (inactive ones are skipped).
- The platform's own Dashboard-only settings to check (`portal-infra:platform`).
- Connected accounts (all, or those `--accounts` / `--metadata` select): each one's look and
  customer-facing profile, and its default configuration adopted, with what every account shares in
  `fleet.defaults`.

Every resource adopts what pull declares: `pulumi preview` shows only creates of adopting resources,
and `pulumi up` writes nothing a customer sees (AccountBranding writes only its own metadata). What
pull cannot express is said on stderr and in comments at the top of the file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..specs.account_wire import AccountsApi
from ..specs.declare import branding_block, configuration_block, platform_block, unique_names
from ..specs.fleet_file import write_accounts
from ..specs.layers import merge
from ..specs.notes import Notes
from ..specs.stack import NAMESPACE, parse_stack_config
from ..stackfiles import Project, find_project
from ..stripe_api import StripeGateway, client_settings, resolve
from .assets import Assets
from .factor import shared, without
from .reader import ConnectedAccount, Selection, Snapshot, read_snapshot
from .stackfile import write_stack_file

__all__ = ["PullResult", "Selection", "pull"]

ADOPT_DEFAULT = {"adopt": "default"}
# Past this many accounts pull writes the fleet to a file (accounts-<stack>.jsonl) instead of YAML entries:
# 500 entries of about 20 lines is already a stack file nobody reviews.
FILE_FLEET_FROM = 500
# Stack config that says where and as whom to read (the key itself comes from STRIPE_API_KEY or the
# stack's secret, through stripe_api.resolve, with the same guardrails as every other command).
_CONNECTION_KEYS = ("mode", "allowLive", "stripeApiBase", "stripeApiKey", "rateLimits", "timeouts", "retries",
                    "accountsApi")
_ALWAYS = (
    "custom domains have no Stripe API (Dashboard only): not pulled; declare portal-infra:domain by hand",
    "retention coupons are applied per portal session, not held by a configuration: not pulled; add "
    "retention: {coupon: …} to a portal by hand",
)


@dataclass
class PullResult:
    path: Path
    definition: dict[str, Any]
    notes: Notes
    configurations: int = 0
    accounts: int = 0
    downloaded: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"wrote {self.path}: {self.configurations} platform configuration(s), {self.accounts} connected "
                f"account(s){f', {self.downloaded} image(s) saved' if self.downloaded else ''}; next: "
                "`pulumi preview` shows only adoptions")


def pull(stack: str, *, project_dir: Path, out: Path | None = None, assets_dir: Path | None = None,
         selection: Selection | None = None, env: Mapping[str, str] | None = None,
         err: TextIO | None = None, accounts_file: str | None = None) -> PullResult:
    """Read the account behind `stack`'s key and write its declaration (StripeSetupError, StripeCallError,
    StackFileError and SpecError say what to fix). The fleet's accounts go to `accounts_file` (relative to
    the program directory, .csv or .jsonl) when given, and past FILE_FLEET_FROM accounts to
    accounts-<stack>.jsonl: a fleet file, not YAML entries (specs/fleet_file.py)."""
    err = sys.stderr if err is None else err
    selection = selection or Selection()
    project = find_project(project_dir)
    path = out or project.stack_file(stack)
    own = project.own(stack) if project.stack_file(stack).exists() else {}
    config = {f"{NAMESPACE}:{k}": own[k] for k in _CONNECTION_KEYS if own.get(k) is not None}
    if config.get(f"{NAMESPACE}:stripeApiKey") == "[secret]":
        del config[f"{NAMESPACE}:stripeApiKey"]  # encrypted in the file: only Pulumi can read it
    connection = resolve(config, env)
    settings = client_settings(config)
    platform = StripeGateway(connection, settings=settings, subject=f"portal-infra pull --stack {stack}")
    gateways: dict[str, StripeGateway] = {}

    def as_account(account: str) -> StripeGateway:
        found = gateways.get(account)
        if found is None:
            found = gateways[account] = StripeGateway(connection, stripe_account=account, settings=settings,
                                                      subject=f"portal-infra pull --stack {stack}")
        return found

    snapshot = read_snapshot(platform, as_account, selection)
    notes = Notes()
    assets = Assets(assets_dir, project.program_dir, platform, as_account) if assets_dir else None
    definition = _declare(snapshot, stack, _project_name(project), notes, assets)
    definition["mode"] = connection.mode
    fleet = definition.get("fleet") or {}
    entries = list(fleet.get("accounts") or [])
    if accounts_file is None and len(entries) > FILE_FLEET_FROM:
        accounts_file = f"accounts-{stack}.jsonl"
    if accounts_file and fleet:
        write_accounts(project.program_dir / accounts_file, entries)
        definition["fleet"] = {**{k: v for k, v in fleet.items() if k != "accounts"}, "accounts_file": accounts_file}
    for missing in snapshot.missing_ids:
        notes.add("--accounts names an account this platform key cannot see (check the ID and the mode)", missing)
    # What preview will check first: the file as written, over the base, must validate.
    parse_stack_config(merge(own.get("base") or project.base,
                             {**{k: v for k, v in own.items() if k != "base"}, **definition}),
                       base_dir=project.program_dir)
    header = _header(stack, connection.mode, snapshot, definition, notes)
    write_stack_file(path, definition, own.get("base") or project.base, header)
    for line in [*notes.lines(), *_ALWAYS]:
        print(f"pull: not expressed: {line}", file=err)
    return PullResult(path, definition, notes, configurations=_count_portals(definition),
                      accounts=len(entries),
                      downloaded=assets.downloaded if assets else 0)


def _declare(snapshot: Snapshot, stack: str, project: str, notes: Notes, assets: Assets | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    portal, portals = _platform_portals(snapshot.configurations, notes)
    out["portal"], out["portals"] = portal, portals or None
    out["platform"] = platform_block(snapshot.platform, notes) or None
    out["fleet"] = _fleet(snapshot.accounts, stack, project, notes, assets, snapshot.api)
    return out


def _platform_portals(configurations: list[dict[str, Any]], notes: Notes
                      ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    portal: dict[str, Any] | None = None
    others: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for live in reversed(configurations):  # oldest first
        where = f"platform {live.get('id')}"
        if not live.get("active"):
            notes.add("inactive configuration skipped (Stripe cannot delete it; nothing to manage)", where)
            continue
        block = configuration_block(live, where, notes)
        if block is None:
            continue
        if live.get("is_default"):
            portal = {**block, "portal_infra": dict(ADOPT_DEFAULT)}
        else:
            others.append((live, {**block, "portal_infra": {"adopt": str(live["id"])}}))
    names = unique_names((live.get("name"), str(live["id"])) for live, _ in others)
    return portal, dict(zip(names, (block for _, block in others), strict=True))


def _fleet(accounts: list[ConnectedAccount], stack: str, project: str, notes: Notes,
           assets: Assets | None, api: AccountsApi) -> dict[str, Any] | None:
    entries: list[tuple[str | None, dict[str, Any]]] = []
    for found in accounts:
        account = found.account
        account_id = str(account["id"])
        holder = str((account.get("metadata") or {}).get("portal_infra_owner") or "")
        kept_name: str | None = None
        if holder:
            parts = holder.split("/")
            if parts[:2] != [project, stack] or len(parts) != 3 or not parts[2].endswith("-branding"):
                notes.add("connected account already managed by another portal-infra stack, skipped (pull it "
                          "from that stack)", f"{account_id} ({holder})")
                continue
            kept_name = parts[2].removesuffix("-branding")
        entry: dict[str, Any] = {"account": account_id}
        portal = _account_portal(found, notes)
        if portal is not None:
            entry["portal"] = portal
        branding = branding_block(account, notes, api)
        if assets is not None:
            _images_to_paths(branding, account_id, assets, notes)
        if branding:
            entry["branding"] = branding
        entries.append((kept_name, entry))
    if not entries:
        return None
    names = unique_names(((kept or (e.get("branding") or {}).get("business_name")), e["account"])
                         for kept, e in entries)
    portals = [e.get("portal") for _, e in entries]
    brandings = [e.get("branding") for _, e in entries]
    defaults = {"portal": shared(portals), "branding": shared(brandings)}
    listed = []
    for name, (_, entry) in zip(names, entries, strict=True):
        row: dict[str, Any] = {"name": name, "account": entry["account"]}
        for block in ("portal", "branding"):
            if entry.get(block) is not None:
                rest = without(entry[block], defaults[block])
                if rest:
                    row[block] = rest
        listed.append(row)
    fleet: dict[str, Any] = {}
    if any(defaults.values()):
        fleet["defaults"] = {k: v for k, v in defaults.items() if v}
    fleet["accounts"] = listed
    return fleet


def _account_portal(found: ConnectedAccount, notes: Notes) -> dict[str, Any] | None:
    account_id = str(found.account["id"])
    portal: dict[str, Any] | None = None
    for live in found.configurations:
        where = f"{account_id} {live.get('id')}"
        if not live.get("active"):
            notes.add("inactive configuration skipped (Stripe cannot delete it; nothing to manage)", where)
        elif not live.get("is_default"):
            notes.add("a connected account's other active configurations: a fleet account declares one portal "
                      "(its default, adopted); manage these in Python with PortalConfiguration(adopt=…)", where)
        else:
            block = configuration_block(live, where, notes)
            if block is not None:
                portal = {**block, "portal_infra": dict(ADOPT_DEFAULT)}
    if portal is None and not any(c.get("is_default") for c in found.configurations):
        notes.add("connected account with no default configuration yet: no portal declared", account_id)
    return portal


def _images_to_paths(branding: dict[str, Any], account: str, assets: Assets, notes: Notes) -> None:
    for role in ("icon", "logo"):
        file_id = branding.get(role)
        if not file_id:
            continue
        path = assets.path_for(str(file_id), account)
        if path is None:
            notes.add(f"{role} File that neither the platform nor the account can read, kept as its ID", account)
        else:
            branding[role] = path


def _count_portals(definition: Mapping[str, Any]) -> int:
    return (definition.get("portal") is not None) + len(definition.get("portals") or {})


def _project_name(project: Project) -> str:
    data = yaml.safe_load((project.root / "Pulumi.yaml").read_text()) or {}
    return str(data.get("name") or "")


def _header(stack: str, mode: str, snapshot: Snapshot, definition: Mapping[str, Any], notes: Notes) -> list[str]:
    account = snapshot.platform.get("id") or "the platform"
    fleet = definition.get("fleet") or {}
    lines = [
        f"written by `portal-infra pull --stack {stack}` from {account} ({mode} mode): "
        f"{_count_portals(definition)} configuration(s), {len(fleet.get('accounts') or [])} connected account(s).",
        "Everything here adopts what Stripe holds: `pulumi preview` shows only creates of adopting resources,",
        "and `pulumi up` changes nothing customers see (AccountBranding records itself in account metadata).",
    ]
    lines.append("Not expressed here (it stays as it is in Stripe):")
    lines += [f"  - {line}" for line in [*notes.lines(), *_ALWAYS]]
    return lines
