"""Connect fleets through the real pulumi CLI against the fake: branding for three connected
accounts, drift and repair, uploads only when image bytes change, restore on destroy, bad input
refused before any request, and the read-only platform settings check."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import KEY, FakeDeployment
from tests.images import big_png, jpeg, png, svg_named_png

pytestmark = pytest.mark.e2e

ACCOUNTS = {
    "bakery": "acct_1TestBakery0000000000",
    "bikes": "acct_1TestBikes00000000000",
    "books": "acct_1TestBooks00000000000",
}
UPLOAD = "POST /v1/files"
EARLIER = {"settings": {"branding": {"primary_color": "#111111"}}, "business_profile": {"name": "Earlier name"}}


def _fleet(d: FakeDeployment) -> dict[str, Any]:
    accounts = []
    for i, (name, account) in enumerate(ACCOUNTS.items()):
        png(d.project_dir / "assets" / f"{name}-icon.png", colour=(40 * i, 90, 120))
        jpeg(d.project_dir / "assets" / f"{name}-logo.jpg", width=256 + i)
        accounts.append({
            "name": name, "account": account,
            "branding": {"icon": f"assets/{name}-icon.png", "logo": f"assets/{name}-logo.jpg",
                         "primary_color": f"#0a7d5{i}", "business_name": f"{name.title()} Inc",
                         "support_email": f"help@{name}.example"},
        })
    return {
        "defaults": {"portal": {"features": {"invoice_history": {"enabled": True}}},
                     "branding": {"secondary_color": "#f6f9fc"}},
        "accounts": accounts,
    }


def _account(d: FakeDeployment, name: str) -> Any:
    return d.stripe.v1.accounts.retrieve(ACCOUNTS[name])


def _deploy(d: FakeDeployment, fleet: dict[str, Any] | None = None) -> dict[str, Any]:
    fleet = fleet or _fleet(d)
    d.write_stack({"fleet": fleet})
    d.cli.select_stack(d.stack)
    d.cli.up()
    return fleet


def _assert_no_stack_traces(state: list[dict[str, Any]], kinds: set[str]) -> None:
    """portal-infra's resources are registered without Pulumi's stack trace (resources/base.py):
    it named our own constructor and this machine's paths, and was 30% of a configuration's state."""
    ours = [r for r in state if r["type"].startswith("pulumi-python:dynamic/portal_infra:")]
    assert {r["type"].rsplit(":", 1)[1] for r in ours} == kinds
    for r in ours:
        assert "stackTrace" not in r and "sourcePosition" not in r, r["urn"]
    assert "/.venv/" not in json.dumps(ours) and "asyncio" not in json.dumps(ours)


@pytest.fixture
def seeded(fake_deployment: FakeDeployment) -> FakeDeployment:
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": a, **EARLIER} for a in ACCOUNTS.values()])
    # One account already has an icon it uploaded itself, in its own Dashboard: the File is the account's.
    earlier_icon = png(d.project_dir.parent / "earlier-icon.png", colour=(1, 2, 3))
    with earlier_icon.open("rb") as fh:
        upload = d.stripe.v1.files.create(params={"purpose": "business_icon", "file": fh},
                                          options={"stripe_account": ACCOUNTS["bakery"]})
    d.fake.control.dashboard_update(ACCOUNTS["bakery"], {"settings": {"branding": {"icon": upload.id}}})
    d.earlier_icon = upload.id  # type: ignore[attr-defined]
    d.earlier_icon_bytes = earlier_icon.read_bytes()  # type: ignore[attr-defined]
    return d


def _platform_files(d: FakeDeployment) -> dict[str, bytes]:
    """Every File the platform owns, by ID, with its bytes."""
    backend = d.fake.fake.backend
    store = backend.store("test", None)
    with backend.lock:
        return {file_id: store.file_contents[file_id] for file_id in store.files.items}


def test_fleet_branding_lifecycle(seeded: FakeDeployment) -> None:
    d = seeded
    before_uploads = d.fake.control.count(UPLOAD)
    fleet = _deploy(d)
    assert d.fake.control.count(UPLOAD) - before_uploads == 6  # an icon and a logo per account
    outputs = d.cli.outputs()["fleet"]
    for i, name in enumerate(ACCOUNTS):
        account = _account(d, name)
        assert account.settings.branding.primary_color == f"#0a7d5{i}"
        assert account.settings.branding.secondary_color == "#f6f9fc"
        assert account.settings.branding.icon == outputs[name]["icon_file"]
        assert account.business_profile.name == f"{name.title()} Inc"
        assert outputs[name]["configuration_id"].startswith("bpc_")
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0

    # Changed by hand in the Dashboard: refresh shows it, preview shows the repair, up repairs it.
    d.stripe.v1.accounts.update(ACCOUNTS["bikes"], params={
        "settings": {"branding": {"primary_color": "#ff0000"}}, "business_profile": {"name": "Hand edit"}})
    refresh = d.cli.run("refresh", "--yes", "--diff")
    assert refresh.returncode == 0 and "#ff0000" in refresh.stdout and "Hand edit" in refresh.stdout
    preview = d.cli.preview("--diff")
    assert "bikes-branding" in preview.stdout and "#ff0000" in preview.stdout
    assert "bakery-branding" not in preview.stdout.split("Resources:")[0].replace("bakery-branding-", "")
    d.recorder.clear()
    d.cli.up()
    (repair,) = d.recorder.matching("POST", f"/v1/accounts/{ACCOUNTS['bikes']}")
    assert repair.params == {"settings[branding][primary_color]": "#0a7d51", "business_profile[name]": "Bikes Inc"}
    assert _account(d, "bikes").settings.branding.primary_color == "#0a7d51"
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # New logo bytes: exactly one upload. Touching or renaming an image: none.
    before = d.fake.control.count(UPLOAD)
    jpeg(d.project_dir / "assets" / "bikes-logo.jpg", width=300)
    d.cli.up()
    assert d.fake.control.count(UPLOAD) - before == 1
    assert d.cli.outputs()["fleet"]["bikes"]["logo_file"] == _account(d, "bikes").settings.branding.logo

    before = d.fake.control.count(UPLOAD)
    os.utime(d.project_dir / "assets" / "books-icon.png")
    shutil.move(d.project_dir / "assets" / "books-logo.jpg", d.project_dir / "assets" / "renamed-logo.jpg")
    fleet["accounts"][2]["branding"]["logo"] = "assets/renamed-logo.jpg"
    d.write_stack({"fleet": fleet})
    assert d.cli.preview("--expect-no-changes").returncode == 0
    d.cli.up()
    assert d.fake.control.count(UPLOAD) == before

    # The key is nowhere in state, outputs or what pulumi printed.
    assert KEY not in d.cli.export() and KEY not in json.dumps(d.cli.outputs()) and KEY not in d.logs()

    # Destroy puts back what each account had before portal-infra.
    destroyed = d.cli.destroy()
    for name in ACCOUNTS:
        account = _account(d, name)
        assert account.settings.branding.primary_color == "#111111"
        assert account.business_profile.name == "Earlier name"
        # Stripe takes no "" for support_email (stripe-python's AccountUpdateParams): kept, and said.
        assert account.business_profile.support_email == f"help@{name}.example"
        assert not any(k.startswith("portal_infra_") for k in account.metadata.to_dict())
    # The earlier icon was the account's own upload, which the platform cannot set: the same image
    # is put back as a platform File.
    restored_icon = _account(d, "bakery").settings.branding.icon
    assert _platform_files(d)[restored_icon] == d.earlier_icon_bytes  # type: ignore[attr-defined]
    # A field that had no value before cannot be unset through Stripe's API: said, not hidden.
    assert "logo had no value before portal-infra set it" in destroyed.output
    assert "support_email had no value before portal-infra set it" in destroyed.output


def test_branding_deployed_again_after_a_destroy_is_applied_again(seeded: FakeDeployment) -> None:
    """Up, destroy, up again within Stripe's 24 hours of idempotency keys: the account comes back to the
    same look, so a key derived from the write would repeat and Stripe would replay the first answer
    without applying the second write; each account write has its own key (account_write_key)."""
    d = seeded
    # Only what destroy can put back (the accounts had a primary colour), so each destroy returns the
    # account to exactly the look it had before the first up.
    fleet = {"accounts": [{"name": name, "account": account, "branding": {"primary_color": f"#0a7d5{i}"}}
                          for i, (name, account) in enumerate(ACCOUNTS.items())]}
    _deploy(d, fleet)
    d.cli.destroy()
    assert _account(d, "bikes").settings.branding.primary_color == "#111111"
    _deploy(d, fleet)
    account = _account(d, "bikes")
    assert account.settings.branding.primary_color == "#0a7d51"
    assert account.metadata["portal_infra_owner"] == "portal-infra/dev/bikes-branding"
    d.cli.destroy()
    account = _account(d, "bikes")
    assert account.settings.branding.primary_color == "#111111"
    assert not any(k.startswith("portal_infra_") for k in account.metadata.to_dict())


def test_an_image_swapped_by_hand_is_put_back_without_uploading(seeded: FakeDeployment) -> None:
    d = seeded
    _deploy(d)
    ours = d.cli.outputs()["fleet"]["books"]["icon_file"]
    with png(d.project_dir.parent / "by-hand.png", colour=(9, 9, 9)).open("rb") as fh:
        by_hand = d.stripe.v1.files.create(params={"purpose": "business_icon", "file": fh},
                                           options={"stripe_account": ACCOUNTS["books"]})
    d.fake.control.dashboard_update(ACCOUNTS["books"], {"settings": {"branding": {"icon": by_hand.id}}})
    d.cli.refresh()
    before = d.fake.control.count(UPLOAD)
    d.cli.up()
    assert d.fake.control.count(UPLOAD) == before
    assert _account(d, "books").settings.branding.icon == ours


def test_a_crash_after_stripe_applied_branding_still_restores_the_earlier_look(seeded: FakeDeployment) -> None:
    d = seeded
    fleet = _fleet(d)
    fleet["accounts"] = fleet["accounts"][:1]
    d.write_stack({"fleet": fleet})
    d.cli.select_stack(d.stack)
    # Stripe applies the branding, then the answer is lost: the state never learns of it.
    d.fake.control.add_fault(method="POST", path=f"/v1/accounts/{ACCOUNTS['bakery']}", when="after", drop=True,
                             nth=1)
    d.cli.up(check=False)
    d.fake.control.clear_faults()
    assert _account(d, "bakery").settings.branding.primary_color == "#0a7d50"
    d.cli.up()
    d.cli.destroy()
    account = _account(d, "bakery")
    assert account.settings.branding.primary_color == "#111111"
    assert account.business_profile.name == "Earlier name"


BAD_INPUTS = [
    ("bad colour", {"primary_color": "#12345g"}, "primary_color"),
    ("colour without #", {"secondary_color": "0a7d5e"}, "secondary_color"),
    ("svg named png", {"icon": "assets/svg.png"}, "icon"),
    ("600 KB image", {"logo": "assets/big.png"}, "logo"),
    ("64x64 image", {"icon": "assets/tiny.png"}, "icon"),
    ("non-square icon", {"icon": "assets/wide.png"}, "icon"),
    ("missing image", {"logo": "assets/nope.png"}, "logo"),
    ("bad support email", {"support_email": "help-at-example"}, "support_email"),
    ("bad support phone", {"support_phone": "call us"}, "support_phone"),
    ("bad support url", {"support_url": "help.example"}, "support_url"),
]


@pytest.mark.parametrize(("case", "branding", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_branding_fails_preview_naming_the_field_with_no_request(
        fake_deployment: FakeDeployment, case: str, branding: dict[str, Any], field: str) -> None:
    d = fake_deployment
    assets = d.project_dir / "assets"
    svg_named_png(assets / "svg.png")
    big_png(assets / "big.png")
    png(assets / "tiny.png", 64, 64)
    png(assets / "wide.png", 256, 128)
    d.write_stack({"fleet": {"accounts": [{"name": "bakery", "account": ACCOUNTS["bakery"], "branding": branding}]}})
    d.cli.select_stack(d.stack)
    d.fake.control.reset()
    preview = d.cli.preview()
    assert preview.returncode != 0
    assert "bakery-branding" in preview.output and f"property {field} " in preview.output, preview.output
    assert d.fake.control.requests() == []


def test_platform_settings_report_differences_and_never_write(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.fake.control.seed(platform={"business_profile": {"name": "Old Platform Name"},
                                  "settings": {"branding": {"primary_color": "#123456"}}})
    d.write_stack({"platform": {"business_name": "Acme Platform", "primary_color": "#0a7d5e"}})
    d.cli.select_stack(d.stack)
    preview = d.cli.preview()
    assert preview.returncode == 0
    assert "business_name is 'Old Platform Name', the stack declares 'Acme Platform'" in preview.output
    assert "primary_color is '#123456'" in preview.output
    d.cli.up()
    settings = d.cli.outputs()["platform_settings"]
    assert settings["in_sync"] is False
    assert {x["field"] for x in settings["differences"]} == {"business_name", "primary_color"}
    assert "Old Platform Name" in d.cli.refresh().output

    # Fixed in the Dashboard: the next refresh finds nothing to report.
    d.fake.control.seed(platform={"business_profile": {"name": "Acme Platform"},
                                  "settings": {"branding": {"primary_color": "#0A7D5E"}}})
    refreshed = d.cli.refresh()
    assert "Dashboard-only settings differ" not in refreshed.output
    state = json.loads(d.cli.export())["deployment"]["resources"]
    (check,) = [r for r in state if r["type"].endswith("PlatformSettings")]
    assert check["outputs"]["in_sync"] is True
    _assert_no_stack_traces(state, {"PlatformSettings"})
    d.cli.destroy()
    assert [r for r in d.fake.control.requests() if r["method"] != "GET"] == []


def test_platform_branding_in_a_portal_block_is_refused(fake_deployment: FakeDeployment) -> None:
    """Branding needs a connected account: the fleet spec requires one, so this is a config error."""
    d = fake_deployment
    d.write_stack({"fleet": {"accounts": [{"name": "x", "branding": {"primary_color": "#000000"}}]}})
    d.cli.select_stack(d.stack)
    preview = d.cli.preview()
    assert preview.returncode != 0 and "portal-infra:fleet.accounts[0].account" in preview.output
    assert d.fake.control.requests() == []


def test_images_resolve_relative_to_the_program_directory(fake_deployment: FakeDeployment, tmp_path: Path) -> None:
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": ACCOUNTS["bakery"]}])
    png(d.project_dir / "assets" / "icon.png")
    d.write_stack({"fleet": {"accounts": [{"name": "bakery", "account": ACCOUNTS["bakery"],
                                           "branding": {"icon": "assets/icon.png"}}]}})
    d.cli.select_stack(d.stack)
    d.cli.up()
    assert _account(d, "bakery").settings.branding.icon.startswith("file_")


def test_a_fleet_account_with_a_custom_domain_and_a_retention_offer(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": ACCOUNTS["books"]}])
    d.fake.control.seed(account=ACCOUNTS["books"], coupons=[{"id": "books-stay", "percent_off": 20,
                                                             "duration": "once"}])
    d.write_stack({"fleet": {"accounts": [{
        "name": "books", "account": ACCOUNTS["books"],
        "portal": {"features": {"invoice_history": {"enabled": True}}, "retention": {"coupon": "books-stay"}},
        "domain": {"domain": "billing.books.example", "verify": "none"},
    }]}})
    d.cli.select_stack(d.stack)
    d.cli.up()
    assert d.cli.outputs()["fleet"]["books"]["domain_status"] == "awaiting_dashboard"
    state = json.loads(d.cli.export())["deployment"]["resources"]
    (domain,) = [r for r in state if r["type"].endswith("CustomDomain")]
    assert domain["inputs"]["stripe_account"] == ACCOUNTS["books"]
    assert domain["inputs"]["configuration"] == d.cli.outputs()["fleet"]["books"]["configuration_id"]
    assert "books-domain" in domain["urn"]
    _assert_no_stack_traces(state, {"PortalConfiguration", "CustomDomain"})
    assert d.cli.outputs()["fleet"]["books"]["retention_coupon"] == "books-stay"


def test_a_fleet_dealt_over_two_provider_processes(seeded: FakeDeployment) -> None:
    d = seeded
    fleet = {**_fleet(d), "providers": 2}
    _deploy(d, fleet)

    state = json.loads(d.cli.export())["deployment"]["resources"]
    ours = [r for r in state if r["type"].startswith("pulumi-python:dynamic/portal_infra:")]
    by_provider: dict[str, set[str]] = {}
    for r in ours:
        by_provider.setdefault(r["provider"].rsplit("::", 1)[0], set()).add(r["urn"].rsplit("::", 1)[1])
    # Account i (with its configuration and branding) is served by process i mod 2.
    assert sorted(by_provider.values(), key=len) == [{"bikes-portal", "bikes-branding"},
                                                     {"bakery-portal", "bakery-branding", "books-portal",
                                                      "books-branding"}]
    assert all(not r.get("dependencies") for r in ours)  # the start hold is not a dependency
    _assert_no_stack_traces(state, {"PortalConfiguration", "AccountBranding"})
    for name in ACCOUNTS:
        assert _account(d, name).settings.branding.primary_color.startswith("#0a7d5")
    assert d.cli.preview("--expect-no-changes", check=True).returncode == 0


SYNC_FLEET_PROGRAM = '''
import pulumi

from portal_infra import ConnectFleet, ConnectFleetArgs

fleet = ConnectFleet("fleet", ConnectFleetArgs(**pulumi.Config("portal-infra").require_object("fleet")))
pulumi.export("fleet", fleet.summary())
'''


def test_a_fleet_built_synchronously_is_the_fleet_deploy_builds(seeded: FakeDeployment) -> None:
    """`ConnectFleet(...)` in a plain program and `await ConnectFleet.deploy(...)` (the stack program,
    through pulumi.run) make the same resources: after one, the other previews no change."""
    d = seeded
    stack_program = (d.project_dir / "__main__.py").read_text()
    (d.project_dir / "__main__.py").write_text(SYNC_FLEET_PROGRAM)
    _deploy(d)
    synchronous = d.cli.outputs()["fleet"]
    assert set(synchronous) == set(ACCOUNTS)
    (d.project_dir / "__main__.py").write_text(stack_program)
    assert d.cli.preview("--expect-no-changes", check=True).returncode == 0
    d.cli.up()
    assert d.cli.outputs()["fleet"] == synchronous
