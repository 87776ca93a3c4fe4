"""A fleet's accounts from a file beside the stack (`fleet.accounts_file`): CSV or JSON Lines.

A platform with thousands of connected accounts keeps their names and looks in its own database; a
file exported from it is what it can review and regenerate, where 20 lines of YAML an account is not.
`defaults` stay in the stack file, laid under every row as under YAML entries.

- **CSV** (`.csv`): a header row, then one account a row. Columns: `name` and `account` (required),
  and any of the branding fields (`icon`, `logo`, `primary_color`, `secondary_color`, `business_name`,
  `support_email`, `support_phone`, `support_url`, `url`, `on_delete`). An empty cell declares nothing.
  A per-account `portal` or `domain` block does not fit a row: use JSON Lines, or YAML entries.
- **JSON Lines** (`.jsonl`): one JSON object a line, shaped like a YAML entry (`name`, `account`,
  `portal`, `branding`, `domain`); blank lines are skipped.

Every problem names the file, the row (CSV: 1 is the header, so the first account is row 2; JSON
Lines: the line) and the column (the field), and all of them are found before any request, images
included (each distinct path is inspected once).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .branding import IMAGE_FIELDS, BrandingLook
from .images import ImageInfo, inspect_image, is_file_id
from .problems import SpecProblem, problems_from_validation

if TYPE_CHECKING:
    from .fleet import FleetDefaults as FleetDefaultsLike

FORMATS = (".csv", ".jsonl")
CSV_IDENTITY = ("name", "account")
CSV_BRANDING = (*BrandingLook.model_fields, "on_delete")
CSV_COLUMNS = (*CSV_IDENTITY, *CSV_BRANDING)

Entry = dict[str, Any]


class FleetFileError(ValueError):
    """The file cannot be read as a fleet at all (missing, unknown format, unreadable)."""


def read_accounts(path: Path) -> Iterator[tuple[int, Entry]]:
    """(row, entry) for each account of the file, entries shaped like YAML fleet entries; a row that is
    not an object at all is passed on as it is, for `row_problems` to name."""
    if path.suffix not in FORMATS:
        raise FleetFileError(f"{path.name}: a fleet file is .csv or .jsonl, not {path.suffix or 'without suffix'}")
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise FleetFileError(f"{path}: {err.strerror or err}") from None
    with handle:
        if path.suffix == ".csv":
            yield from _csv_rows(path, handle)
        else:
            for row, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield row, json.loads(line)
                    except ValueError as err:
                        yield row, {"__unreadable__": str(err)}


def _csv_rows(path: Path, handle: Any) -> Iterator[tuple[int, Entry]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise FleetFileError(f"{path.name}: the file is empty; its first row names the columns "
                             f"({', '.join(CSV_IDENTITY)}, then any of {', '.join(CSV_BRANDING)})")
    columns = [c.strip() for c in header]
    for row, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        entry: Entry = {"__columns__": columns}
        branding: Entry = {}
        for column, cell in zip(columns, cells, strict=False):
            value = cell.strip()
            if not value:
                continue
            if column in CSV_IDENTITY:
                entry[column] = value
            else:
                branding[column] = value
        if len(cells) > len(columns):
            entry["__extra_cells__"] = len(cells) - len(columns)
        if branding:
            entry["branding"] = branding
        yield row, entry


def header_problems(path: Path, prefix: str = "fleet") -> list[SpecProblem]:
    """A CSV header's unknown and missing columns (row 1)."""
    if path.suffix != ".csv":
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        header = [c.strip() for c in next(csv.reader(handle), [])]

    def problem(column: str, text: str, fix: str) -> SpecProblem:
        return SpecProblem(f"{prefix}.accounts_file", f"{path.name} row 1, column {column}: {text}", fix)

    out = [problem(column, f"unknown column {column!r}", f"the columns are {', '.join(CSV_COLUMNS)}")
           for column in header if column not in CSV_COLUMNS]
    out += [problem(column, f"the header has no {column!r} column", "add it: every account needs one")
            for column in CSV_IDENTITY if column not in header]
    return out


def row_problems(path: Path, row: int, entry: Any, base_dir: Path, images: dict[str, ImageInfo | SpecProblem],
                 defaults: FleetDefaultsLike, prefix: str = "fleet") -> list[SpecProblem]:
    """What is wrong with one row, each problem naming its column; images are inspected once per path,
    and a JSON Lines row's portal is checked laid over the defaults, as its resource will check it."""
    from .fleet import FleetAccount, _unknown_fields, merged  # fleet.py imports this module
    from .stack import Portal  # the stack's portal block: Stripe's fields and portal-infra's own entries

    def problem(column: str, text: str, fix: str) -> SpecProblem:
        return SpecProblem(f"{prefix}.accounts_file", f"{path.name} row {row}, column {column}: {text}", fix)

    if not isinstance(entry, dict):
        return [problem("(row)", "is not an account object", 'write {"name": …, "account": …}')]
    if "__unreadable__" in entry:
        return [problem("(row)", f"is not JSON ({entry['__unreadable__']})", "write one JSON object a line")]
    out: list[SpecProblem] = []
    if entry.get("__extra_cells__"):
        out.append(problem("(row)", f"has {entry['__extra_cells__']} more cell(s) than the header has columns",
                           "quote a value that holds a comma"))
    csv_row = "__columns__" in entry
    fields = {k: v for k, v in entry.items() if not k.startswith("__")}
    try:
        FleetAccount.model_validate(fields)
    except ValidationError as err:
        out += [problem(p.path, p.problem, p.fix) for p in problems_from_validation(err, FleetAccount)]
    at = "" if csv_row else "branding."  # a CSV column is the field's own name
    branding = fields.get("branding")
    if isinstance(branding, dict):
        if not csv_row:  # a CSV's unknown columns are its header's problems
            out += [problem(p.path, p.problem, p.fix) for p in _unknown_fields(branding, CSV_BRANDING, "branding")]
        look = {k: v for k, v in branding.items() if k in BrandingLook.model_fields}
        try:
            BrandingLook.model_validate(look)
        except ValidationError as err:
            out += [problem(f"{at}{p.path}", p.problem, p.fix) for p in problems_from_validation(err, BrandingLook)]
        for role in IMAGE_FIELDS:
            value = look.get(role)
            if isinstance(value, str) and value.strip() and not is_file_id(value):
                if value not in images:
                    images[value] = inspect_image(role, value, role, base_dir)
                found = images[value]
                if isinstance(found, SpecProblem):
                    out.append(problem(f"{at}{role}", found.problem, found.fix))
        if branding.get("on_delete") not in (None, "restore", "retain"):
            out.append(problem(f"{at}on_delete", f"{branding['on_delete']!r} is not a delete policy",
                               "use restore or retain"))
    portal = fields.get("portal")
    if isinstance(portal, dict):
        try:
            Portal.model_validate(merged(defaults.portal or {}, portal))
        except ValidationError as err:
            out += [problem(f"portal.{p.path}", p.problem, p.fix) for p in problems_from_validation(err, Portal)]
    return out


def write_accounts(path: Path, entries: list[Entry]) -> None:
    """The fleet's entries as `path`'s format (what `pull` writes). A CSV holds branding only: an entry
    with a portal or domain block of its own needs JSON Lines (ValueError says so)."""
    if path.suffix not in FORMATS:
        raise ValueError(f"{path.name}: a fleet file is .csv or .jsonl")
    partial = path.with_name(f".{path.name}.partial")
    if path.suffix == ".jsonl":
        partial.write_text("".join(json.dumps(e, sort_keys=False) + "\n" for e in entries), encoding="utf-8")
    else:
        blocks = [e["name"] for e in entries if e.get("portal") or e.get("domain")]
        if blocks:
            raise ValueError(f"{path.name}: accounts {', '.join(blocks[:3])}{' …' if len(blocks) > 3 else ''} have "
                             "a portal or domain block of their own, which a CSV row cannot hold; write .jsonl")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for e in entries:
                branding = e.get("branding") or {}
                writer.writerow([e["name"], e["account"], *(branding.get(c, "") for c in CSV_BRANDING)])
    partial.replace(path)  # a file half written is never the fleet
