"""`portal-infra promote <from> <to> [--dry-run]`: carry one stack's definition into the next.

The effective definitions (the base with each stack laid over it) are compared on their portable
part only. Never promoted: keys, API bases, the mode, `allowLive` and `accountsApi` (where and as whom
a stack talks to Stripe), Connect account IDs, the IDs of configurations the platform's portals adopt (`adopt: bpc_…`
names an object of one account; `adopt: default` means the same everywhere), and the paths either
stack lists in `portal-infra:pinned` (values that belong to one stack, like its name or return URL).
Prices named by lookup key are portable as they are; each stack resolves them in its own account at
preview.

Without --dry-run the target's stack file is rewritten to hold the smallest override of the base
that gives the promoted definition; its comments, secrets and other keys stay as they were.
"""

from __future__ import annotations

import copy
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from ruamel.yaml import YAML

from .specs.layers import difference
from .specs.stack import NAMESPACE, NON_PORTABLE
from .stackfiles import Project, StackFileError, find_project

Tree = dict[str, Any]


def portable(config: Mapping[str, Any], pinned: set[str]) -> Tree:
    """The part of an effective config that may move between stacks."""
    out: Tree = {k: copy.deepcopy(v) for k, v in config.items() if k not in NON_PORTABLE}
    for path in pinned:
        _remove(out, path.split("."))
    for account in ((out.get("fleet") or {}).get("accounts") or []):
        if isinstance(account, dict):
            account.pop("account", None)
    for _, portal in _platform_portals(out):
        options = portal.get("portal_infra")
        if isinstance(options, dict) and str(options.get("adopt", "")).startswith("bpc_"):
            del options["adopt"]
            if not options:
                del portal["portal_infra"]
    return out


def _platform_portals(config: Mapping[str, Any]) -> Iterator[tuple[list[str], Any]]:
    """(path, portal mapping) of `portal` and each `portals.<name>`."""
    if isinstance(config.get("portal"), Mapping):
        yield ["portal"], config["portal"]
    portals = config.get("portals")
    for name, portal in (portals.items() if isinstance(portals, Mapping) else []):
        if isinstance(portal, Mapping):
            yield ["portals", str(name)], portal


def changes(old: Any, new: Any, path: str = "") -> list[str]:
    """What moving from `old` to `new` changes, one line per path (lists compare whole)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        lines: list[str] = []
        for key in [*new, *(k for k in old if k not in new)]:
            here = f"{path}.{key}" if path else str(key)
            if key not in old:
                lines.append(f"  + {here}: {_show(new[key])}")
            elif key not in new:
                lines.append(f"  - {here}: {_show(old[key])}")
            else:
                lines += changes(old[key], new[key], here)
        return lines
    return [] if old == new else [f"  ~ {path}: {_show(old)} -> {_show(new)}"]


def promote(source: str, target: str, *, dry_run: bool, project_dir: Path,
            out: TextIO | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    out = sys.stdout if out is None else out
    try:
        project = find_project(project_dir)
        src, dst = project.effective(source), project.effective(target)
    except StackFileError as err:
        print(f"promote: {err}", file=sys.stderr)
        return 2
    if source == target:
        print("promote: the source and target stacks are the same", file=sys.stderr)
        return 2
    pinned = {str(p) for p in [*(src.get("pinned") or []), *(dst.get("pinned") or [])]}
    wanted, held = portable(src, pinned), portable(dst, pinned)
    lines = changes(held, wanted)
    print(f"promote {source} -> {target}: {len(lines)} change(s) to {target}'s portable definition", file=out)
    for line in lines:
        print(line, file=out)
    kept = ", ".join([*(k for k in NON_PORTABLE if k != "base"), "fleet account ids", "adopted bpc_ ids",
                      *sorted(pinned)])
    print(f"kept as {target} has them: {kept}", file=out)
    new_accounts = _accounts_new_to(dst, wanted)
    if new_accounts:
        print(f"promote: fleet account(s) {', '.join(new_accounts)} of {source} are not in {target}; account IDs "
              f"are never promoted, so add each to {target}'s portal-infra:fleet.accounts with its own "
              f"account: acct_… first (or list fleet in portal-infra:pinned to keep fleets per stack)",
              file=sys.stderr)
        return 1
    missing = _unresolved_lookup_keys(target, dst, wanted, env, out)
    if missing:
        print(f"promote: {len(missing)} lookup key(s) of {source} have no active price in {target}'s account: "
              f"{', '.join(missing)}; create those prices in {target} first", file=sys.stderr)
        return 1
    if not lines:
        print("nothing to promote", file=out)
        return 0
    if dry_run:
        print("dry run: nothing written", file=out)
        return 0
    path = _write(project, target, _target_definition(wanted, dst, pinned))
    print(f"wrote {path}; next: `pulumi preview -s {target}` shows what Stripe will get", file=out)
    return 0


def _accounts_new_to(dst: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    have = {a.get("name") for a in ((dst.get("fleet") or {}).get("accounts") or []) if isinstance(a, dict)}
    return [str(a.get("name")) for a in ((wanted.get("fleet") or {}).get("accounts") or [])
            if isinstance(a, dict) and a.get("name") not in have]


def _target_definition(wanted: Tree, dst: Mapping[str, Any], pinned: set[str]) -> Tree:
    """The promoted definition with what stays the target's own put back (pinned values, account ids,
    adopted configuration ids of the portals it still declares)."""
    out = copy.deepcopy(wanted)
    for where, portal in _platform_portals(dst):
        adopt = (portal.get("portal_infra") or {}).get("adopt")
        found, promoted = _get(out, where)
        if found and isinstance(promoted, dict) and str(adopt).startswith("bpc_"):
            promoted.setdefault("portal_infra", {})["adopt"] = adopt
    for path in pinned:
        parts = path.split(".")
        found, value = _get(dst, parts)
        if found:
            _set(out, parts, copy.deepcopy(value))
    accounts = {a.get("name"): a.get("account") for a in ((dst.get("fleet") or {}).get("accounts") or [])
                if isinstance(a, dict)}
    for account in ((out.get("fleet") or {}).get("accounts") or []):
        if isinstance(account, dict) and accounts.get(account.get("name")):
            account["account"] = accounts[account.get("name")]
    return out


def _write(project: Project, target: str, definition: Tree) -> Path:
    path = project.stack_file(target)
    yaml = YAML()  # round-trip: comments, order and the secure: values survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    data = yaml.load(path.read_text())
    config = data.setdefault("config", {})
    base = config.get(f"{NAMESPACE}:base") or project.base
    own_portable = {k.partition(":")[2] for k in config if str(k).startswith(f"{NAMESPACE}:")} - set(NON_PORTABLE)
    for key in sorted(set(definition) | own_portable):
        full = f"{NAMESPACE}:{key}"
        if key in definition:
            override = difference(base[key], definition[key]) if key in base else definition[key]
            if override is None:
                config.pop(full, None)  # the base already says it
            else:
                config[full] = _in_order_of(override, config.get(full))
        elif key in base:
            config[full] = None  # promoted without this key: null removes the base's
        else:
            config.pop(full, None)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    # Whole or not at all: a promote killed mid-write must not leave half a stack file.
    partial = path.with_name(f".{path.name}.promote")
    partial.write_text(buffer.getvalue())
    os.replace(partial, path)
    return path


def _unresolved_lookup_keys(target: str, dst: Mapping[str, Any], wanted: Tree, env: Mapping[str, str],
                            out: TextIO) -> list[str]:
    """Lookup keys of the promoted definition that the target's account lacks, when a key for the
    target is at hand (STRIPE_API_KEY); otherwise the target's `pulumi preview` checks them."""
    keys = list(dict.fromkeys(key for _, portal in _platform_portals(wanted) for key in _lookup_keys(portal)))
    if not keys:
        return []
    if not env.get("STRIPE_API_KEY"):
        print(f"lookup keys not checked in {target}'s account (no STRIPE_API_KEY here); "
              f"`pulumi preview -s {target}` checks them", file=out)
        return []
    from .stripe_api import StripeCallError, StripeGateway, StripeSetupError, resolve

    settings = {f"{NAMESPACE}:{k}": dst[k] for k in ("mode", "allowLive", "stripeApiBase") if k in dst}
    try:
        gateway = StripeGateway(resolve(settings, env))
        found: set[str] = set()
        for i in range(0, len(keys), 10):
            prices = gateway.list_all("/v1/prices", {"lookup_keys": keys[i:i + 10], "active": True})
            found |= {str(p.get("lookup_key")) for p in prices}
    except (StripeSetupError, StripeCallError) as err:
        print(f"lookup keys not checked in {target}'s account: {err}", file=out)
        return []
    print(f"lookup keys checked in {target}'s account ({gateway.mode} mode): "
          f"{len(keys) - len(set(keys) - found)} of {len(keys)} found", file=out)
    return [k for k in keys if k not in found]


def _lookup_keys(portal: Mapping[str, Any]) -> list[str]:
    update = (portal.get("features") or {}).get("subscription_update") or {}
    keys = [price["lookup_key"] for product in update.get("products") or []
            for price in product.get("prices") or [] if isinstance(price, dict) and "lookup_key" in price]
    return list(dict.fromkeys(str(k) for k in keys))


def _in_order_of(new: Any, old: Any) -> Any:
    """`new` with its keys in the order the file already had them, so a diff of the file stays small."""
    if not (isinstance(new, Mapping) and isinstance(old, Mapping)):
        return new
    keys = [k for k in old if k in new] + [k for k in new if k not in old]
    return {k: _in_order_of(new[k], old.get(k)) for k in keys}


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _get(tree: Any, parts: list[str]) -> tuple[bool, Any]:
    for part in parts:
        if not isinstance(tree, Mapping) or part not in tree:
            return False, None
        tree = tree[part]
    return True, tree


def _set(tree: Tree, parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = value


def _remove(tree: Tree, parts: list[str]) -> None:
    for part in parts[:-1]:
        child = tree.get(part)
        if not isinstance(child, dict):
            return
        tree = child
    tree.pop(parts[-1], None)
