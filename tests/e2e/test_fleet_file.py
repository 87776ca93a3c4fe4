"""A fleet's accounts from a CSV or JSON Lines file beside the stack (issue 25, item 1), through the real
pulumi CLI against the fake: the same requests as the same fleet written in YAML, and a bad row named
by file, row and column at preview, before any request."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import FakeDeployment
from tests.images import png

pytestmark = pytest.mark.e2e

ACCOUNTS = 20
DEFAULTS = {"branding": {"icon": "assets/shared-icon.png", "secondary_color": "#f6f9fc"}}


def _account(i: int) -> str:
    return f"acct_1FileFleet{i:03d}".ljust(24, "0")


def _entries() -> list[dict[str, Any]]:
    return [{"name": f"shop{i:03d}", "account": _account(i),
             "branding": {"primary_color": f"#10{i:02x}ab", "business_name": f"Shop {i} Ltd",
                          **({"support_url": f"https://shop{i}.example/help"} if i % 3 == 0 else {})}}
            for i in range(ACCOUNTS)]


def _write_csv(path: Path, entries: list[dict[str, Any]]) -> None:
    columns = ["name", "account", "primary_color", "business_name", "support_url"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for e in entries:
            writer.writerow([e["name"], e["account"], *(e["branding"].get(c, "") for c in columns[2:])])


def _requests(d: FakeDeployment, start: int) -> list[tuple[str, str, str]]:
    """What was sent, in an order-free form: method, path and body, File IDs (new on each platform) folded."""
    out = []
    for r in d.fake.control.requests()[start:]:
        body = re.sub(r"file_[A-Za-z0-9]+", "file_…", json.dumps(r.get("params") or {}, sort_keys=True))
        out.append((r["method"], r["path"], body))
    return sorted(out)


def _fresh_platform(d: FakeDeployment) -> None:
    d.fake.control.reset()
    d.fake.control.seed(accounts=[{"id": _account(i)} for i in range(ACCOUNTS)])


def test_a_fleet_from_a_file_sends_what_the_same_fleet_in_yaml_sends(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    png(d.project_dir / "assets" / "shared-icon.png", colour=(10, 125, 94))
    _write_csv(d.project_dir / "accounts.csv", _entries())
    (d.project_dir / "accounts.jsonl").write_text("".join(json.dumps(e) + "\n" for e in _entries()))
    d.cli.select_stack(d.stack)
    sent = {}
    for source in ("yaml", "accounts.csv", "accounts.jsonl"):
        _fresh_platform(d)
        if source == "yaml":
            d.write_stack({"fleet": {"defaults": DEFAULTS, "accounts": _entries()}})
        else:
            d.write_stack({"fleet": {"defaults": DEFAULTS, "accounts_file": source}})
        start = len(d.fake.control.requests())
        d.cli.up()
        sent[source] = _requests(d, start)
        assert d.cli.preview("--expect-no-changes").returncode == 0
        d.cli.destroy()
    assert sent["accounts.csv"] == sent["yaml"] and sent["accounts.jsonl"] == sent["yaml"]
    accounts_written = [b for m, p, b in sent["accounts.csv"] if m == "POST" and p.startswith("/v1/accounts/")]
    assert len(accounts_written) == ACCOUNTS


def test_a_bad_row_is_named_by_file_row_and_column_at_preview_with_no_request(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    png(d.project_dir / "assets" / "shared-icon.png", colour=(10, 125, 94))
    entries = _entries()
    entries[11]["branding"]["primary_color"] = "#12"
    entries[17]["account"] = _account(2)
    _write_csv(d.project_dir / "accounts.csv", entries)
    _fresh_platform(d)
    d.write_stack({"fleet": {"defaults": DEFAULTS, "accounts_file": "accounts.csv"}})
    d.cli.select_stack(d.stack)
    start = len(d.fake.control.requests())
    preview = d.cli.preview()
    assert preview.returncode != 0
    assert "accounts.csv row 13, column primary_color: '#12' is not a colour" in preview.output
    assert f"accounts.csv row 19, column account: '{_account(2)}' is also at accounts.csv row 4" in preview.output
    assert d.fake.control.requests()[start:] == []
