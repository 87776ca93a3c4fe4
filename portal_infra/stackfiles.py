"""The project's stack files read from disk, the way Pulumi layers them: `portal-infra:base` from
Pulumi.yaml under each stack's own `portal-infra:*` keys. Used by `portal-infra validate`, `promote`
and the dev tooling; the stack program gets the same values from Pulumi itself (program.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .specs.layers import merge
from .specs.stack import NAMESPACE

BASE_CONFIG = f"{NAMESPACE}:base"
SECRET_PLACEHOLDER = "[secret]"


class StackFileError(ValueError):
    """A project or stack file is missing or not shaped like one."""


@dataclass(frozen=True)
class Project:
    root: Path
    stack_dir: Path
    base: dict[str, Any]
    main: str = "."  # Pulumi.yaml's `main:`, where the program runs: stack files' image paths start there

    @property
    def program_dir(self) -> Path:
        return self.root / self.main

    def stack_file(self, stack: str) -> Path:
        return self.stack_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in self.stack_dir.glob("Pulumi.*.yaml"))

    def own(self, stack: str) -> dict[str, Any]:
        """The stack file's own `portal-infra:*` keys, without the prefix; secrets are placeholders."""
        path = self.stack_file(stack)
        if not path.exists():
            known = ", ".join(self.stacks()) or "none"
            raise StackFileError(f"no stack file {path} (stacks here: {known})")
        return own_config(_load(path), path)

    def effective(self, stack: str) -> dict[str, Any]:
        own = self.own(stack)
        base = own.pop("base", None) or self.base
        merged: dict[str, Any] = merge(base, own)
        return merged


def own_config(data: Any, where: Path | str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise StackFileError(f"{where}: not a stack file (expected a mapping with a config: section)")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{where}: config: must be a mapping")
    out: dict[str, Any] = {}
    for full_key, value in config.items():
        namespace, _, key = str(full_key).partition(":")
        if namespace != NAMESPACE or not key:
            continue
        out[key] = SECRET_PLACEHOLDER if isinstance(value, dict) and set(value) == {"secure"} else value
    return out


def find_project(start: Path) -> Project:
    """The Pulumi project holding `start` (a stack file or a directory), found upwards like pulumi does."""
    here = start.resolve()
    for candidate in [here, *here.parents]:
        path = candidate / "Pulumi.yaml"
        if candidate.is_dir() and path.exists():
            data = _load(path)
            if not isinstance(data, dict):
                raise StackFileError(f"{path}: not a Pulumi project file")
            stack_dir = candidate / str(data.get("stackConfigDir") or ".")
            return Project(candidate, stack_dir, project_base(data, path), str(data.get("main") or "."))
    raise StackFileError(f"no Pulumi.yaml in {here} or above it; run this inside the project")


def project_base(data: dict[str, Any], where: Path | str) -> dict[str, Any]:
    """The default of `portal-infra:base` in Pulumi.yaml (`type: object`, `default: {...}`)."""
    entry = (data.get("config") or {}).get(BASE_CONFIG)
    if entry is None:
        return {}
    value = entry.get("default", entry.get("value")) if isinstance(entry, dict) else None
    if not isinstance(value, dict):
        raise StackFileError(f"{where}: config.{BASE_CONFIG} must be `type: object` with a `default:` mapping")
    return value


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise StackFileError(f"{path}: not valid YAML: {err}") from None
