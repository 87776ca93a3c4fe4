"""What a Connect platform declares for its connected accounts: shared defaults, and per account
the overrides, its branding and its custom domain.

Defaults and overrides merge key by key (`merged`): an account restates only what differs, and
writing `null` for a key drops a default for that account. The portal, branding and domain blocks
themselves are validated by their resources' `check()`, which names the account's resource.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from .branding import BrandingLook
from .common import Spec, stripe_id
from .custom_domain import CustomDomainSpec
from .fleet_file import FleetFileError, header_problems, read_accounts, row_problems
from .images import ImageInfo
from .problems import SpecError, SpecProblem, problems_from_validation

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{value!r} is not a usable account name; use 1 to 40 lowercase letters, digits and "
                         "dashes, starting with a letter or digit (it names the account's resources)")
    return value


AccountName = Annotated[str, AfterValidator(_check_name)]
Block = dict[str, Any]


class FleetDefaults(Spec):
    portal: Block | None = None
    branding: Block | None = None


class FleetAccount(Spec):
    name: AccountName
    account: Annotated[str, stripe_id("acct_")]
    portal: Block | None = None
    branding: Block | None = None
    domain: Block | None = None


class FleetSpec(Spec):
    defaults: FleetDefaults = FleetDefaults()
    accounts: list[FleetAccount] = Field(default_factory=list)
    accounts_file: str | None = Field(
        None, description="more accounts from a CSV or JSON Lines file, relative to the program directory (where "
                          "image paths start): one account a row; see docs/connect-fleets.md, 'Fleets from a file'")
    providers: int = Field(
        0, ge=0, le=32,
        description="provider processes to deal the accounts over (0: the stack's one default provider). Each "
                    "serves 4 Stripe requests at a time; see docs/performance.md, 'Past the 4-requests-at-a-time "
                    "cap'. Set it when the fleet is first deployed: a change moves resources between "
                    "providers, which Pulumi treats as replacing them.")


def merged(default: Any, override: Any) -> Any:
    """`override` laid over `default`: mappings merge key by key, a `None` drops the key, anything
    else (lists included) replaces."""
    if isinstance(default, Mapping) and isinstance(override, Mapping):
        out = dict(default)
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merged(default.get(key), value)
        return out
    return default if override is None else override


# The field names of each block a fleet account passes on to a resource as keyword arguments.
# on_delete: AccountBranding's restore/retain policy. A domain's account is the fleet account's own.
BRANDING_BLOCK_FIELDS = (*BrandingLook.model_fields, "on_delete")
DOMAIN_BLOCK_FIELDS = tuple(f for f in CustomDomainSpec.model_fields if f != "stripe_account")


def _unknown_fields(block: Block | None, known: tuple[str, ...], where: str) -> list[SpecProblem]:
    """A block's field names. The rest of the block is checked by its resource's check(), but a field the
    resource does not know never reaches it: it would be a keyword argument the resource does not take."""
    out = []
    for key in block or {}:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "remove it"
            out.append(SpecProblem(f"{where}.{key}", f"unknown field '{key}'", f"{hint} (known fields: "
                                                                              f"{', '.join(known)})"))
    return out


def parse_fleet(data: Any, prefix: str = "fleet", base_dir: Path | None = None) -> FleetSpec:
    """Validate a fleet declaration, its accounts file read from `base_dir` (the program's directory, the
    working directory by default); raise SpecError listing every problem."""
    try:
        spec = FleetSpec.model_validate(data or {})
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, FleetSpec, prefix)) from None
    problems: list[SpecProblem] = []
    names: set[str] = set()
    ids: set[str] = set()
    for i, entry in enumerate(spec.accounts):
        if entry.name in names:
            problems.append(SpecProblem(f"{prefix}.accounts[{i}].name", f"{entry.name!r} is used twice",
                                        "give each account its own name"))
        if entry.account in ids:
            problems.append(SpecProblem(f"{prefix}.accounts[{i}].account", f"{entry.account} is listed twice",
                                        "list each connected account once"))
        names.add(entry.name)
        ids.add(entry.account)
    for where, block in [("defaults.branding", spec.defaults.branding),
                         *((f"accounts[{i}].branding", e.branding) for i, e in enumerate(spec.accounts))]:
        problems += _unknown_fields(block, BRANDING_BLOCK_FIELDS, f"{prefix}.{where}")
    for i, entry in enumerate(spec.accounts):
        problems += _unknown_fields(entry.domain, DOMAIN_BLOCK_FIELDS, f"{prefix}.accounts[{i}].domain")
    if spec.accounts_file:
        # After the inline accounts, each row checked where it is read, naming its file, row and column.
        from_file = _file_accounts(spec, Path(base_dir or Path.cwd()), prefix, problems)
        spec = spec.model_copy(update={"accounts": [*spec.accounts, *from_file]})
    if problems:
        raise SpecError(problems)
    return spec


def _file_accounts(spec: FleetSpec, base_dir: Path, prefix: str, problems: list[SpecProblem]) -> list[FleetAccount]:
    assert spec.accounts_file is not None
    path = base_dir / spec.accounts_file
    names = {e.name: f"accounts[{i}]" for i, e in enumerate(spec.accounts)}
    ids = {e.account: f"accounts[{i}]" for i, e in enumerate(spec.accounts)}
    images: dict[str, ImageInfo | SpecProblem] = {}
    out: list[FleetAccount] = []
    try:
        problems += header_problems(path, prefix)
        for row, entry in read_accounts(path):
            found = row_problems(path, row, entry, base_dir, images, spec.defaults, prefix)
            for column, seen in (("name", names), ("account", ids)):
                value = entry.get(column) if isinstance(entry, dict) else None
                if not isinstance(value, str):
                    continue
                if value in seen:
                    found.append(SpecProblem(f"{prefix}.accounts_file", f"{path.name} row {row}, column {column}: "
                                             f"{value!r} is also at {seen[value]}", "list each account once, "
                                             "with a name of its own"))
                else:
                    seen[value] = f"{path.name} row {row}"
            if found:
                problems += found
                continue
            out.append(FleetAccount.model_validate({k: v for k, v in entry.items() if not k.startswith("__")}))
    except (FleetFileError, OSError, UnicodeDecodeError) as err:
        problems.append(SpecProblem(f"{prefix}.accounts_file", str(err), "give the path of a .csv or .jsonl file, "
                                    "relative to the program directory"))
    return out
