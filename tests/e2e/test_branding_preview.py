"""Contrast warnings at `pulumi preview` and before/after pictures, through the real pulumi CLI against
the fake and a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal_infra.branding_preview import LAYOUT
from portal_infra.cli import main
from tests.browser import colour, require_chromium, share_of, width_of
from tests.e2e.conftest import FakeDeployment
from tests.images import png

pytestmark = pytest.mark.e2e

READABLE = "acct_1TestReadable00000000"
PALE = "acct_1TestPale000000000000"


def _fleet(d: FakeDeployment, readable_colour: str = "#1e6091") -> dict[str, Any]:
    png(d.project_dir / "assets" / "readable-icon.png", colour=(12, 200, 40))
    return {
        "defaults": {"portal": {"features": {"invoice_history": {"enabled": True}}},
                     "branding": {"secondary_color": "#f6f9fc"}},
        "accounts": [
            {"name": "readable", "account": READABLE,
             "branding": {"icon": "assets/readable-icon.png", "primary_color": readable_colour,
                          "business_name": "Readable Co"}},
            # White text on #ffcc00 is 1.51:1, dark text on #333333 1.28:1: both below AA.
            {"name": "pale", "account": PALE,
             "branding": {"primary_color": "#ffcc00", "secondary_color": "#333333", "business_name": "Pale Co"}},
        ],
    }


def test_preview_warns_of_unreadable_colours_naming_account_colours_and_ratio(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": READABLE}, {"id": PALE}])
    d.write_stack({"fleet": _fleet(d)})
    d.cli.select_stack(d.stack)
    preview = d.cli.preview()
    assert preview.returncode == 0, preview.output  # a warning, not a failure: Stripe accepts any colour
    out = preview.output
    assert (f"account pale-branding ({PALE}) (brand colour #ffcc00, accent colour #333333): white text (#ffffff) "
            "on the brand colour primary_color #ffcc00 has a contrast ratio of 1.51:1, below WCAG 2.2 AA's 4.5:1"
            in out), out
    assert "dark text (#1a1f36) on the accent colour secondary_color #333333 has a contrast ratio of 1.28:1" in out
    assert "account readable-branding" not in out
    assert [r for r in d.fake.control.requests() if r["method"] != "GET"] == []


def test_an_account_changed_since_the_last_up_shows_before_and_after(
        fake_deployment: FakeDeployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    require_chromium()
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": READABLE}, {"id": PALE}])
    d.write_stack({"fleet": _fleet(d)})
    d.cli.select_stack(d.stack)
    d.cli.up()

    # Changed since the up: readable's brand colour and its icon's bytes (the old bytes are gone: no git here).
    fleet = _fleet(d, readable_colour="#6e3078")
    png(d.project_dir / "assets" / "readable-icon.png", colour=(200, 40, 12))
    d.write_stack({"fleet": fleet})
    for key in ("PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_CONFIG_PASSPHRASE", "PATH"):
        monkeypatch.setenv(key, d.cli.env[key])
    out = tmp_path / "preview"
    assert main(["preview-branding", "--stack", d.stack, "--project-dir", str(d.project_dir),
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "2 account(s): 1 changed since the last deploy, 0 new, 1 unchanged" in said
    assert "state of stack dev in file://" in said

    changed = out / "readable.png"
    assert width_of(changed) == LAYOUT.width(2)
    assert share_of(changed, LAYOUT.header_box(0), colour("#1e6091")) > 0.6  # before: what was deployed
    assert share_of(changed, LAYOUT.header_box(1), colour("#6e3078")) > 0.6  # after: the stack now
    assert share_of(changed, LAYOUT.icon_box(1), (200, 40, 12)) > 0.9
    assert share_of(changed, LAYOUT.icon_box(0), (12, 200, 40)) == 0  # the earlier bytes are not to be had
    page = (out / "readable.html").read_text()
    assert "Before" in page and "After" in page and "earlier icon: its bytes are no longer at" in page

    assert width_of(out / "pale.png") == LAYOUT.width(1)
    assert "Unchanged" in (out / "pale.html").read_text()
