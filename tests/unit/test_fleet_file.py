"""Fleets from a file (specs/fleet_file.py): every problem names the file, the row and the column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal_infra.specs import SpecError
from portal_infra.specs.fleet import parse_fleet


def _problems(tmp_path: Path, name: str, text: str, **fleet: object) -> list[str]:
    (tmp_path / name).write_text(text)
    with pytest.raises(SpecError) as err:
        parse_fleet({"accounts_file": name, **fleet}, base_dir=tmp_path)
    return [f"{p.path}: {p.problem}" for p in err.value.problems]


def test_csv_rows_become_accounts_with_defaults_still_in_the_stack(tmp_path: Path) -> None:
    (tmp_path / "fleet.csv").write_text("name,account,primary_color,business_name\n"
                                        "shop-a,acct_1FileUnitA00000000000,#0A7D5E,Shop A\n"
                                        "\n"
                                        "shop-b,acct_1FileUnitB00000000000,,\n")
    spec = parse_fleet({"defaults": {"branding": {"secondary_color": "#ffffff"}}, "accounts_file": "fleet.csv",
                        "accounts": [{"name": "inline", "account": "acct_1FileUnitC00000000000"}]},
                       base_dir=tmp_path)
    assert [(a.name, a.branding) for a in spec.accounts] == [
        ("inline", None), ("shop-a", {"primary_color": "#0A7D5E", "business_name": "Shop A"}), ("shop-b", None)]
    assert spec.defaults.branding == {"secondary_color": "#ffffff"}


def test_csv_header_and_cells_are_named(tmp_path: Path) -> None:
    found = _problems(tmp_path, "fleet.csv", "name,acount,primary_colour\n"
                                            "Shop A,acct_1FileUnitA00000000000,#000000,extra\n")
    assert "fleet.accounts_file: fleet.csv row 1, column acount: unknown column 'acount'" in found
    assert "fleet.accounts_file: fleet.csv row 1, column account: the header has no 'account' column" in found
    assert any(p.startswith("fleet.accounts_file: fleet.csv row 2, column name: 'Shop A' is not a usable account name")
               for p in found)
    assert "fleet.accounts_file: fleet.csv row 2, column (row): has 1 more cell(s) than the header has columns" \
        in found


def test_jsonl_rows_name_their_line_and_field(tmp_path: Path) -> None:
    lines = [
        {"name": "shop-a", "account": "acct_1FileUnitA00000000000", "branding": {"primary_color": "red"}},
        "not json",
        {"name": "shop-c", "account": "acct_1FileUnitC00000000000", "branding": {"colour": "#000000"}},
        {"name": "shop-d", "account": "acct_1FileUnitD00000000000", "branding": {"icon": "missing.png"}},
        {"name": "shop-e", "account": "acct_1FileUnitE00000000000",
         "portal": {"features": {"invoice_history": {"enabled": "maybe"}}}},
        {"name": "shop-a", "account": "acct_1FileUnitF00000000000"},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    found = "\n".join(_problems(tmp_path, "fleet.jsonl", text))
    assert "fleet.jsonl row 1, column branding.primary_color: 'red' is not a colour" in found
    assert "fleet.jsonl row 2, column (row): is not JSON" in found
    assert "fleet.jsonl row 3, column branding.colour: unknown field 'colour'" in found
    assert "fleet.jsonl row 4, column branding.icon:" in found and "missing.png" in found
    assert "fleet.jsonl row 5, column portal.features.invoice_history.enabled:" in found
    assert "fleet.jsonl row 6, column name: 'shop-a' is also at fleet.jsonl row 1" in found


@pytest.mark.parametrize(("name", "says"), [("fleet.xlsx", "a fleet file is .csv or .jsonl"),
                                            ("absent.csv", "No such file")])
def test_a_file_that_cannot_be_read_says_so(tmp_path: Path, name: str, says: str) -> None:
    if name.endswith(".xlsx"):
        (tmp_path / name).write_text("")
    with pytest.raises(SpecError) as err:
        parse_fleet({"accounts_file": name}, base_dir=tmp_path)
    assert says in str(err.value)
