"""Drift reports: what Stripe holds against what a stack declares, per account and field.

`pulumi refresh --preview-only` reads every resource and changes nothing. Its `--json` digest is not
enough on its own: the engine copies a refresh step's refreshed state into the digest only when the
provider answered a detailed diff (pkg/backend/display/json.go, `ShowPreviewDigest`), and Python
dynamic providers never send one, so every step shows the old state twice. The engine's event log
(`--event-log`, the stream the Automation API reads; the flag exists when PULUMI_DEBUG_COMMANDS is
set) carries each step's old and refreshed state, so drift is read from there and the digest's
change summary is kept as a cross-check of the totals.

Declared = the inputs in the state (what the last `up` made Stripe hold); live = the inputs `read()`
returns from what Stripe holds now. Resources inside a fleet's BillingPortal are named by their
fleet entry and `acct_` ID; the platform's own resources are grouped under "platform".
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .stripe_api.keys import redact

# Exit codes, as `terraform plan -detailed-exitcode` has them, so CI treats them the same way.
EXIT_CLEAN = 0
EXIT_FAILED = 1
EXIT_DRIFT = 2

PLATFORM = "platform"
# How Pulumi's JSON marks a secret value; shown as [secret], never decrypted.
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
_BILLING_PORTAL = "portal_infra:index:BillingPortal"
_ACCOUNT_INPUTS = ("account", "stripe_account")
# Inputs that are bookkeeping, not something a person set in the Dashboard.
_IGNORED_INPUTS = frozenset({"__provider", "owner", "files_owner", "on_delete"})
_KIND_LABELS = {"AccountBranding": "branding", "PortalConfiguration": "portal", "CustomDomain": "domain",
                "PlatformSettings": "settings"}
# Past this many accounts the Markdown table folds into <details>; past this many characters it
# stops (GitHub refuses comments over 65536 characters) and points at the JSON report.
MARKDOWN_FOLD_AFTER = 10
MARKDOWN_MAX_CHARS = 60_000
VALUE_WIDTH = 60
ERRORS_SHOWN = 5


@dataclass(frozen=True)
class FieldDrift:
    field: str
    declared: Any
    live: Any


@dataclass(frozen=True)
class ResourceDrift:
    """One resource whose Stripe object differs from its state: `gone` when Stripe no longer has it."""

    urn: str
    name: str
    kind: str
    owner: str  # the fleet entry's name, or "platform"
    account: str | None
    gone: bool = False
    fields: tuple[FieldDrift, ...] = ()

    @property
    def label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class AccountDrift:
    name: str
    account: str | None
    resources: tuple[ResourceDrift, ...]

    @property
    def field_count(self) -> int:
        return sum(len(r.fields) + r.gone for r in self.resources)


@dataclass
class DriftReport:
    stack: str
    checked: int = 0  # resources Stripe was asked about
    drifts: list[ResourceDrift] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)  # the engine's own change summary

    @property
    def drifted(self) -> bool:
        return bool(self.drifts)

    def accounts(self) -> list[AccountDrift]:
        """Drift grouped per account: the platform first, then accounts by fleet name."""
        groups: dict[tuple[str, str | None], list[ResourceDrift]] = {}
        for drift in self.drifts:
            groups.setdefault((drift.owner, drift.account), []).append(drift)
        ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] != PLATFORM, kv[0][0], kv[0][1] or ""))
        return [AccountDrift(name, account, tuple(sorted(items, key=lambda r: r.label)))
                for (name, account), items in ordered]

    def totals(self) -> dict[str, int]:
        accounts = self.accounts()
        return {"resources_checked": self.checked, "resources_drifted": len(self.drifts),
                "accounts_drifted": len(accounts), "fields_drifted": sum(len(d.fields) for d in self.drifts),
                "resources_gone": sum(d.gone for d in self.drifts)}


class DriftError(RuntimeError):
    """The refresh itself failed, so nothing is known about drift."""


# --- reading the engine's events --------------------------------------------------------------------


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _kind_of(type_token: str) -> str:
    """`pulumi-python:dynamic/portal_infra:AccountBranding` -> `AccountBranding`."""
    return type_token.rsplit(":", 1)[-1]


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and _SECRET_SIG not in value and value:
        for key in sorted(value):
            yield from _flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, "[secret]" if isinstance(value, Mapping) and _SECRET_SIG in value else value


def field_drifts(declared: Mapping[str, Any], live: Mapping[str, Any]) -> tuple[FieldDrift, ...]:
    """Leaf fields (dotted paths) whose value differs; lists compare whole, as Stripe replaces them whole."""
    olds = dict(_flatten({k: v for k, v in declared.items() if k not in _IGNORED_INPUTS}))
    news = dict(_flatten({k: v for k, v in live.items() if k not in _IGNORED_INPUTS}))
    return tuple(FieldDrift(k, olds.get(k), news.get(k)) for k in sorted(set(olds) | set(news))
                 if olds.get(k) != news.get(k))


def parse_events(lines: Iterable[str], stack: str) -> DriftReport:
    """A drift report from the engine's event log of `pulumi refresh --preview-only`."""
    report = DriftReport(stack)
    parents: dict[str, tuple[str, str | None]] = {}  # urn -> (type, parent urn)
    results: list[tuple[str, dict[str, Any]]] = []
    errors: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        event = json.loads(line)
        if "resourcePreEvent" in event:
            meta = event["resourcePreEvent"]["metadata"]
            old = meta.get("old") or {}
            parents[meta["urn"]] = (meta.get("type", ""), old.get("parent"))
        elif "resOutputsEvent" in event:
            meta = event["resOutputsEvent"]["metadata"]
            results.append((meta.get("op", ""), meta))
        elif "diagnosticEvent" in event:
            diag = event["diagnosticEvent"]
            if diag.get("severity") == "error":
                errors.append(str(diag.get("message", "")).strip())
        elif "summaryEvent" in event:
            report.summary = {k: int(v) for k, v in (event["summaryEvent"].get("resourceChanges") or {}).items()}
    if errors:
        # One per failing resource: for a fleet that cannot reach Stripe, a few say it all.
        unique = list(dict.fromkeys(redact(e) for e in errors if e))
        more = [f"…and {len(unique) - ERRORS_SHOWN} more errors"] if len(unique) > ERRORS_SHOWN else []
        raise DriftError("\n".join(unique[:ERRORS_SHOWN] + more))
    for op, meta in results:
        old = meta.get("old") or {}
        if not old.get("custom") or meta.get("type", "").startswith("pulumi:providers:"):
            continue
        report.checked += 1
        if op not in ("update", "delete"):
            continue
        inputs = old.get("inputs") or {}
        account = next((str(inputs[k]) for k in _ACCOUNT_INPUTS if inputs.get(k)), None)
        parent_type, _ = parents.get(old.get("parent") or "", ("", None))
        owner = _name_of(old["parent"]) if account and parent_type == _BILLING_PORTAL else PLATFORM
        kind = _kind_of(str(meta.get("type", "")))
        if op == "delete":
            report.drifts.append(ResourceDrift(meta["urn"], _name_of(meta["urn"]), kind, owner, account, gone=True))
            continue
        fields = field_drifts(inputs, (meta.get("new") or {}).get("inputs") or {})
        if fields:
            report.drifts.append(ResourceDrift(meta["urn"], _name_of(meta["urn"]), kind, owner, account,
                                               fields=fields))
    return report


# --- running the refresh preview --------------------------------------------------------------------


def refresh_env(base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    # PULUMI_SKIP_CONFIRMATIONS counts as --yes, which the CLI refuses beside --preview-only.
    env.pop("PULUMI_SKIP_CONFIRMATIONS", None)
    env["PULUMI_DEBUG_COMMANDS"] = "true"  # makes --event-log exist, as the Automation API does
    return env


def run_refresh_preview(stack: str, project_dir: Path, pulumi: str = "pulumi",
                        env: Mapping[str, str] | None = None, timeout: float = 3600) -> DriftReport:
    """Run `pulumi refresh --preview-only` for `stack` (nothing in Stripe or the state changes)."""
    with tempfile.TemporaryDirectory(prefix="portal-infra-drift-") as tmp:
        log = Path(tmp) / "events.jsonl"
        args = [pulumi, "refresh", "--preview-only", "--json", "--event-log", str(log), "--stack", stack,
                "--non-interactive"]
        try:
            proc = subprocess.run(args, cwd=project_dir, env=refresh_env(env if env is not None else os.environ),
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise DriftError(f"could not run pulumi refresh: {err}") from None
        lines = log.read_text().splitlines() if log.exists() else []
        report = parse_events(lines, stack)  # raises DriftError with the engine's own messages
        if proc.returncode != 0:
            said = redact((proc.stderr or proc.stdout).strip()) or f"exit code {proc.returncode}"
            raise DriftError(said)
        return report


# --- rendering ---------------------------------------------------------------------------------------


def _value(value: Any) -> str:
    text = "(unset)" if value is None else json.dumps(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _who(group: AccountDrift) -> str:
    return f"{group.name} ({group.account})" if group.account else group.name


def _changes(group: AccountDrift, arrow: str = "->") -> list[str]:
    out = []
    for res in group.resources:
        if res.gone:
            out.append(f"{res.label} {res.name}: gone from Stripe")
        out += [f"{res.label}.{f.field}: {_value(f.declared)} declared {arrow} {_value(f.live)} in Stripe"
                for f in res.fields]
    return out


def _headline(report: DriftReport) -> str:
    t = report.totals()
    if not report.drifted:
        return f"No drift in stack {report.stack}: {t['resources_checked']} resources match Stripe."
    gone = f", {t['resources_gone']} gone" if t["resources_gone"] else ""
    return (f"Drift in stack {report.stack}: {t['accounts_drifted']} account(s), {t['resources_drifted']} of "
            f"{t['resources_checked']} resources, {t['fields_drifted']} field(s){gone}.")


def render_text(report: DriftReport) -> str:
    lines = [_headline(report)]
    for group in report.accounts():
        lines.append(f"  {_who(group)}: " + "; ".join(_changes(group)))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def render_markdown(report: DriftReport, fold_after: int = MARKDOWN_FOLD_AFTER,
                    max_chars: int = MARKDOWN_MAX_CHARS) -> str:
    headline = _headline(report).replace(f"stack {report.stack}", f"stack `{report.stack}`")
    out = [f"### {'⚠️ ' if report.drifted else ''}{headline}", ""]
    groups = report.accounts()
    if not groups:
        return "\n".join(out)
    rows = ["| account | ID | what differs (declared → in Stripe) |", "|---|---|---|"]
    size = sum(len(x) for x in out + rows)
    shown = 0
    for group in groups:
        row = (f"| {_md(group.name)} | {group.account or ''} | "
               + "<br>".join(_md(c) for c in _changes(group, "→")) + " |")
        if size + len(row) > max_chars - 400:  # room left for the trailer and the <details> wrapper
            break
        rows.append(row)
        size += len(row) + 1
        shown += 1
    if shown < len(groups):
        rows += ["", f"…and {len(groups) - shown} more account(s): run `portal-infra drift --stack "
                     f"{report.stack} --format json` for the full list."]
    if len(groups) > fold_after:
        out += [f"<details><summary>{len(groups)} accounts drifted: show each</summary>", "", *rows, "",
                "</details>"]
    else:
        out += rows
    return "\n".join(out) + "\n"


def render_json(report: DriftReport) -> str:
    accounts = [{
        "name": g.name, "account": g.account,
        "resources": [{"resource": r.name, "type": r.kind, "urn": r.urn, "gone": r.gone,
                       "fields": [{"field": f.field, "declared": f.declared, "live": f.live} for f in r.fields]}
                      for r in g.resources],
    } for g in report.accounts()]
    body = {"stack": report.stack, "drifted": report.drifted, "totals": report.totals(), "accounts": accounts}
    return json.dumps(body, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
