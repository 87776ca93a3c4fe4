"""Branding, fleet and platform-settings specs: every rule Stripe applies, checked with no request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from portal_infra.resources.platform_settings import differences
from portal_infra.specs import SpecError
from portal_infra.specs.branding import parse_account_branding, parse_platform_settings
from portal_infra.specs.fleet import merged, parse_fleet
from tests.images import big_png, jpeg, png, svg_named_png

ACCOUNT = "acct_1Unit000000000000000"


def _problems(data: dict[str, Any], base: Path | None = None) -> dict[str, str]:
    with pytest.raises(SpecError) as err:
        parse_account_branding({"account": ACCOUNT, **data}, base_dir=base)
    return {p.path: f"{p.problem}; {p.fix}" for p in err.value.problems}


def test_a_full_declaration_is_accepted_with_colours_normalised(tmp_path: Path) -> None:
    png(tmp_path / "icon.png")
    jpeg(tmp_path / "logo.jpg")
    Image.new("RGB", (300, 150)).save(tmp_path / "alt.gif", format="GIF")
    spec, images = parse_account_branding({
        "account": ACCOUNT, "icon": "icon.png", "logo": "logo.jpg", "primary_color": "#0A7D5E",
        "business_name": "Bakery", "support_email": "help@bakery.example", "support_phone": "+44 20 7946 0958",
        "support_url": "https://bakery.example/help", "url": "https://bakery.example",
    }, base_dir=tmp_path)
    assert spec.primary_color == "#0a7d5e"
    assert images["icon"].kind == "png" and images["logo"].kind == "jpg"
    assert images["icon"].sha256 != images["logo"].sha256
    _, gif = parse_account_branding({"account": ACCOUNT, "logo": "alt.gif"}, base_dir=tmp_path)
    assert gif["logo"].kind == "gif"


def test_the_content_hash_ignores_the_name_and_the_mtime(tmp_path: Path) -> None:
    png(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes((tmp_path / "a.png").read_bytes())
    _, a = parse_account_branding({"account": ACCOUNT, "icon": "a.png"}, base_dir=tmp_path)
    _, b = parse_account_branding({"account": ACCOUNT, "icon": "b.png"}, base_dir=tmp_path)
    assert a["icon"].sha256 == b["icon"].sha256


def test_a_file_id_is_taken_as_is_without_reading_anything() -> None:
    _, images = parse_account_branding({"account": ACCOUNT, "icon": "file_123abc"})
    assert images == {}


@pytest.mark.parametrize(("field", "value", "says"), [
    ("primary_color", "#12345g", "not a colour in #rrggbb form"),
    ("primary_color", "#fff", "not a colour in #rrggbb form"),
    ("secondary_color", "blue", "not a colour in #rrggbb form"),
    ("support_email", "help.example", "not an email address"),
    ("support_email", "a b@example.com", "not an email address"),
    ("support_phone", "call us", "not a phone number"),
    ("support_phone", "12", "not a phone number"),
    ("support_url", "bakery.example", "not an absolute http(s) URL"),
    ("url", "ftp://bakery.example", "not an absolute http(s) URL"),
    ("business_name", "", "is empty"),
    ("account", "cus_123", "not a Stripe ID of the right kind"),
    ("icon", " ", "is empty"),
])
def test_each_bad_field_is_named_with_its_fix(field: str, value: str, says: str) -> None:
    data = {"primary_color": "#000000", field: value}
    assert says in _problems(data)[field]


@pytest.mark.parametrize(("role", "make", "says"), [
    ("icon", lambda p: svg_named_png(p / "x.png"), "judged by its bytes, not its name"),
    ("logo", lambda p: big_png(p / "x.png"), "Stripe accepts at most 512 KB"),
    ("icon", lambda p: png(p / "x.png", 64, 64), "is 64x64 px; Stripe needs at least 128x128"),
    ("logo", lambda p: png(p / "x.png", 300, 100), "is 300x100 px; Stripe needs at least 128x128"),
    ("icon", lambda p: png(p / "x.png", 256, 128), "an icon must be square"),
    ("logo", lambda p: None, "no image file at"),
])
def test_each_bad_image_is_named_with_its_fix(tmp_path: Path, role: str, make: Any, says: str) -> None:
    make(tmp_path)
    assert says in _problems({role: "x.png"}, tmp_path)[role]


def test_a_wide_logo_is_fine(tmp_path: Path) -> None:
    png(tmp_path / "logo.png", 512, 128)
    parse_account_branding({"account": ACCOUNT, "logo": "logo.png"}, base_dir=tmp_path)


def test_an_empty_declaration_says_what_to_add() -> None:
    assert "declares no branding" in _problems({"primary_color": None})["(top level)"]


def test_fleet_defaults_merge_under_each_account() -> None:
    defaults = {"features": {"invoice_history": {"enabled": True}, "customer_update": {"enabled": True}},
                "name": "Shared"}
    override = {"features": {"customer_update": {"enabled": False}}, "name": None}
    assert merged(defaults, override) == {
        "features": {"invoice_history": {"enabled": True}, "customer_update": {"enabled": False}}}
    assert merged(defaults, None) == defaults
    assert merged({"list": [1, 2]}, {"list": [3]}) == {"list": [3]}


def test_fleet_names_and_accounts_are_unique_and_well_formed() -> None:
    with pytest.raises(SpecError) as err:
        parse_fleet({"accounts": [
            {"name": "bakery", "account": ACCOUNT},
            {"name": "bakery", "account": ACCOUNT},
            {"name": "Bad Name", "account": "acct_2"},
        ]}, prefix="portal-infra:fleet")
    paths = {p.path for p in err.value.problems}
    assert "portal-infra:fleet.accounts[2].name" in paths
    with pytest.raises(SpecError) as err:
        parse_fleet({"accounts": [{"name": "bakery", "account": ACCOUNT}, {"name": "bakery", "account": ACCOUNT}]})
    assert {p.path for p in err.value.problems} == {"fleet.accounts[1].name", "fleet.accounts[1].account"}


def test_platform_differences_ignore_colour_case_and_undeclared_fields() -> None:
    declared = parse_platform_settings({"business_name": "Acme", "primary_color": "#0A7D5E"}).model_dump(
        exclude_none=True)
    account = {"business_profile": {"name": "Acme Ltd"},
               "settings": {"branding": {"primary_color": "#0a7d5e", "secondary_color": "#ffffff"}}}
    (diff,) = differences(declared, account)
    assert diff == {"field": "business_name", "declared": "Acme", "actual": "Acme Ltd",
                    "dashboard": "Settings > Business > Public details"}
