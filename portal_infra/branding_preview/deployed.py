"""What the stack last deployed ("before"), from its Pulumi state (`pulumi stack export`).

The resources' outputs hold what was declared at the last `up`: AccountBranding's colours, business
name, icon path and the icon's sha256; PortalConfiguration's headline, features and return URL;
PlatformSettings' name and colours. Accounts are matched by their Stripe account ID (None for the
platform), which stays the same however the stack renames its resources.

An icon is drawn from its bytes. When the file at the recorded path no longer holds them, its
earlier version is looked for in the project's git history; failing that the page says "earlier icon".
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..specs.images import is_file_id, sha256_of
from ..stripe_api.keys import redact
from .look import PLATFORM_ICON_NOTE, Icon, Look, feature_labels, icon_from_stack

_DYNAMIC = "pulumi-python:dynamic/portal_infra:"
# How far back the git history is searched for an icon's earlier bytes.
_GIT_COMMITS = 200


@dataclass(frozen=True)
class Deployed:
    """The state's looks by account ID (None: the platform), and where they came from."""

    looks: dict[str | None, Look]
    source: str  # a sentence for the report: which state was read, or why there is none

    @property
    def exists(self) -> bool:
        return bool(self.looks)


def looks_from_export(export: Mapping[str, Any], program_dir: Path) -> dict[str | None, Look]:
    """Pure but for reading icon files: a `pulumi stack export` document's looks by account."""
    resources = (export.get("deployment") or {}).get("resources") or []
    branding: dict[str | None, Mapping[str, Any]] = {}
    portals: dict[str | None, Mapping[str, Any]] = {}
    for resource in resources:
        kind = str(resource.get("type") or "")
        outputs = resource.get("outputs") or {}
        if not kind.startswith(_DYNAMIC) or not isinstance(outputs, Mapping):
            continue
        kind = kind.removeprefix(_DYNAMIC)
        if kind == "AccountBranding":
            branding[outputs.get("account")] = outputs
        elif kind == "PlatformSettings":
            branding[None] = outputs
        elif kind == "PortalConfiguration":
            portals[outputs.get("stripe_account")] = outputs
    out: dict[str | None, Look] = {}
    for account in {*branding, *portals}:
        look_of = branding.get(account) or {}
        portal = portals.get(account) or {}
        profile = portal.get("business_profile") or {}
        out[account] = Look(
            business_name=look_of.get("business_name"),
            headline=profile.get("headline") if isinstance(profile, Mapping) else None,
            primary_color=look_of.get("primary_color"),
            secondary_color=look_of.get("secondary_color"),
            icon=(Icon(note=PLATFORM_ICON_NOTE) if account is None
                  else _earlier_icon(look_of.get("icon"), look_of.get("icon_sha256"), program_dir)),
            features=feature_labels(portal.get("features") or {}),
            return_url=portal.get("default_return_url"),
        )
    return out


def _earlier_icon(declared: Any, digest: Any, program_dir: Path) -> Icon:
    if not declared:
        return Icon(note="no icon declared")
    value = str(declared)
    if is_file_id(value):
        return icon_from_stack(value, program_dir)
    path = Path(value) if Path(value).is_absolute() else program_dir / value
    try:
        data: bytes | None = path.read_bytes()
    except OSError:
        data = None
    if data is not None and (not digest or sha256_of(data) == digest):
        return Icon(declared=value, data=data, sha256=sha256_of(data))
    earlier = _from_git(path, str(digest)) if digest else None
    if earlier is not None:
        return Icon(declared=value, data=earlier, sha256=str(digest), note="earlier icon, found in git history")
    return Icon(declared=value, sha256=str(digest) if digest else None,
                note=f"earlier icon: its bytes are no longer at {value}")


def _from_git(path: Path, digest: str) -> bytes | None:
    """The bytes `path` held in some commit whose sha256 is `digest`, if git still has them."""
    where = path.parent if path.parent.is_dir() else Path.cwd()
    try:
        top = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        relative = os.path.relpath(path.resolve(), Path(top).resolve())
        commits = subprocess.run(["git", "-C", top, "log", "--all", f"-n{_GIT_COMMITS}", "--format=%H", "--",
                                  relative], capture_output=True, text=True, check=True).stdout.split()
        for commit in commits:
            shown = subprocess.run(["git", "-C", top, "show", f"{commit}:{relative}"], capture_output=True,
                                   check=False)
            if shown.returncode == 0 and sha256_of(shown.stdout) == digest:
                return shown.stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return None


def read_deployed(project_root: Path, program_dir: Path, stack: str, *,
                  state_file: Path | None = None, pulumi: Path | None = None) -> Deployed:
    """The stack's last deployed looks: from `state_file` (a saved `pulumi stack export`) when given,
    else from `pulumi stack export` against PULUMI_BACKEND_URL, or the project's `.state/` backend
    that `make up` uses. No backend or no such stack: no state, and every account is new."""
    if state_file is not None:
        return Deployed(looks_from_export(json.loads(state_file.read_text()), program_dir),
                        f"state from {state_file}")
    env = dict(os.environ)
    local = project_root / ".state"
    if not env.get("PULUMI_BACKEND_URL"):
        if not (local / ".pulumi").is_dir():
            return Deployed({}, "no Pulumi backend (PULUMI_BACKEND_URL unset, no .state/): every account is new")
        env.update({"PULUMI_BACKEND_URL": f"file://{local}", "PULUMI_HOME": str(project_root / ".pulumi-home")})
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    backend = env["PULUMI_BACKEND_URL"]
    if pulumi is None:
        return Deployed({}, f"no pulumi CLI to read the state in {backend}: every account is new")
    try:
        proc = subprocess.run([str(pulumi), "stack", "export", "--stack", stack, "--non-interactive"],
                              cwd=project_root, env=env, capture_output=True, text=True, check=False)
    except OSError as err:
        return Deployed({}, f"could not run {pulumi}: {err}; every account is new")
    if proc.returncode != 0:
        # pulumi's own words, with anything key-shaped scrubbed: this sentence is printed.
        reason = redact((proc.stderr.strip().splitlines() or ["no reason given"])[-1])
        return Deployed({}, f"no deployed state for stack {stack} in {backend} ({reason}): every account is new")
    looks = looks_from_export(json.loads(proc.stdout), program_dir)
    return Deployed(looks, f"state of stack {stack} in {backend}")
