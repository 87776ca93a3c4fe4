"""`portal-infra preview-branding` on the dev stack, in a real headless Chromium, from a copy of the
project: a picture per account whose header is the brand colour and whose icon is drawn, an index
linking every account, a contrast badge on the account failing WCAG AA, and a second run that renders
nothing. No Pulumi state is read here (`--no-state`); tests/e2e/test_branding_preview.py covers before/after."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from PIL import Image

from portal_infra.branding_preview import CONTRAST_BADGE, LAYOUT
from portal_infra.cli import main
from tests.browser import Links, colour, count_of, require_chromium, share_of, width_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    require_chromium()
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", copy / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", copy / "stacks", ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    return copy


def _preview(project: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["preview-branding", "--stack", "dev", "--project-dir", str(project), "--out", str(out),
                 "--no-state"]) == 0
    return capsys.readouterr().out


def _dev_accounts(project: Path) -> dict[str, dict[str, str]]:
    """Each account's declared colours and icon, as the dev stack file says (defaults laid under)."""
    config = yaml.safe_load((project / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    fleet = config["portal-infra:fleet"]
    out = {"platform": {**config["portal-infra:platform"]}}
    for entry in fleet["accounts"]:
        out[entry["name"]] = {**fleet["defaults"]["branding"], **entry["branding"]}
    return out


def _dominant(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as image:
        counts = image.convert("RGB").getcolors(1 << 16) or []
    return max(counts)[1]  # type: ignore[no-any-return]


def test_the_dev_stack_pictured_account_by_account(project: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "preview"
    said = _preview(project, out, capsys)
    accounts = _dev_accounts(project)
    assert set(accounts) == {"platform", "bakery", "bikes", "books"}
    assert "4 account(s): 0 changed since the last deploy, 4 new" in said
    assert "rendered 4 picture(s)" in said

    for name, declared in accounts.items():
        png = out / f"{name}.png"
        assert png.stat().st_size > 0, name
        # A new account: one panel, its header in the brand colour (text and icon take the rest).
        assert width_of(png) == LAYOUT.width(1)
        assert share_of(png, LAYOUT.header_box(0), colour(declared["primary_color"])) > 0.6, name
        page = (out / f"{name}.html").read_text()
        assert "Approximation: Stripe does not document the portal&#x27;s layout." in page
        if "icon" in declared:
            # The icon sits on a white tile: where it is drawn, the icon's own main colour shows.
            icon_colour = _dominant(project / "stacks" / declared["icon"])
            assert share_of(png, LAYOUT.icon_box(0), icon_colour) > 0.5, name

    index = Links((out / "index.html").read_text())
    pages = {f"{name}.html" for name in accounts}
    assert pages <= set(index.hrefs)
    assert {f"{name}.png" for name in accounts} <= set(index.srcs)
    assert all((out / page).is_file() for page in pages)

    # White text on bakery's brand colour #b5651d is 4.33:1, below AA's 4.5:1: its picture is marked.
    badge = colour(CONTRAST_BADGE)
    assert count_of(out / "bakery.png", badge) > 2000
    for name in ("platform", "bikes", "books"):
        assert count_of(out / f"{name}.png", badge) == 0, name
    assert "below WCAG AA contrast: bakery" in said


def test_a_second_run_with_nothing_changed_renders_nothing(project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "preview"
    _preview(project, out, capsys)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}

    said = _preview(project, out, capsys)
    assert "rendered nothing: all 4 picture(s) are unchanged since the last run" in said
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")} == before

    # One account's colour changes: only its picture is taken again.
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace('"#1e6091"', '"#123456"'))
    said = _preview(project, out, capsys)
    assert "rendered 1 picture(s)" in said
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    assert [name for name in before if after[name] != before[name]] == ["bikes.png"]
    assert share_of(out / "bikes.png", LAYOUT.header_box(0), (0x12, 0x34, 0x56)) > 0.6


def test_a_bad_stack_value_is_named_with_its_path(project: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace('"#1e6091"', '"blue"'))
    assert main(["preview-branding", "--project-dir", str(project), "--out", str(tmp_path / "o"), "--no-state"]) == 1
    err = capsys.readouterr().err
    assert "fleet.accounts[1].branding.primary_color" in err and "#rrggbb" in err, err
