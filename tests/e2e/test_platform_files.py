"""Branding Files belong to the platform (STRIPE.md section 4), through the real pulumi CLI against
the fake, which refuses a platform account update naming a File the platform did not upload: a fleet
sharing one icon uploads it once, every File an account points at is the platform's, destroy puts
back each account's earlier look, and a stack deployed when Files were uploaded on the connected
accounts moves over in one `up`."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.e2e.conftest import FakeDeployment
from tests.images import png

pytestmark = pytest.mark.e2e

ACCOUNTS = [f"acct_1SharedIcon{i}".ljust(24, "0") for i in range(4)]
UPLOAD = "POST /v1/files"
EARLIER_COLOR = "#222222"


def _fleet(d: FakeDeployment) -> dict[str, Any]:
    png(d.project_dir / "assets" / "shared-icon.png", colour=(12, 120, 90))
    return {
        "defaults": {"branding": {"icon": "assets/shared-icon.png", "secondary_color": "#f6f9fc"}},
        "accounts": [{"name": f"shop{i}", "account": a, "branding": {"primary_color": f"#0a7d5{i}"}}
                     for i, a in enumerate(ACCOUNTS)],
    }


def _deploy(d: FakeDeployment) -> None:
    d.write_stack({"fleet": _fleet(d)})
    d.cli.select_stack(d.stack)
    d.cli.up()


def _platform_files(d: FakeDeployment) -> dict[str, bytes]:
    backend = d.fake.fake.backend
    with backend.lock:
        store = backend.store("test", None)
        return {file_id: store.file_contents[file_id] for file_id in store.files.items}


def _icons(d: FakeDeployment) -> dict[str, str]:
    return {a: d.stripe.v1.accounts.retrieve(a).settings.branding.icon for a in ACCOUNTS}


@pytest.fixture
def seeded(fake_deployment: FakeDeployment) -> FakeDeployment:
    d = fake_deployment
    d.fake.control.seed(accounts=[{"id": a, "settings": {"branding": {"primary_color": EARLIER_COLOR}}}
                                  for a in ACCOUNTS])
    return d


def test_a_fleet_sharing_one_icon_uploads_it_once_on_the_platform(seeded: FakeDeployment) -> None:
    d = seeded
    # The account's earlier icon is one it uploaded itself in its own Dashboard.
    earlier = png(d.project_dir.parent / "earlier.png", colour=(5, 5, 5))
    with earlier.open("rb") as fh:
        own = d.stripe.v1.files.create(params={"purpose": "business_icon", "file": fh},
                                       options={"stripe_account": ACCOUNTS[0]})
    d.fake.control.dashboard_update(ACCOUNTS[0], {"settings": {"branding": {"icon": own.id}}})

    earlier_requests = len(d.fake.control.requests())
    _deploy(d)
    uploads = [r for r in d.fake.control.requests()[earlier_requests:] if r["route"] == UPLOAD]
    assert len(uploads) == 1 and not uploads[0]["account"]  # once, with no Stripe-Account header
    icons = _icons(d)
    assert len(set(icons.values())) == 1
    shared = icons[ACCOUNTS[0]]
    assert _platform_files(d)[shared] == (d.project_dir / "assets" / "shared-icon.png").read_bytes()
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # A second stack of the same platform (or a later run) finds the File instead of uploading again.
    d.stack = "second"
    second = {"accounts": [{"name": "late", "account": "acct_1LateAccount00000000",
                            "branding": {"icon": "assets/shared-icon.png"}}]}
    d.fake.control.seed(accounts=[{"id": "acct_1LateAccount00000000"}])
    d.write_stack({"fleet": second})
    d.cli.select_stack("second")
    d.cli.up()
    assert d.fake.control.count(UPLOAD) == 2  # the account's own upload, and the platform's one
    assert d.stripe.v1.accounts.retrieve("acct_1LateAccount00000000").settings.branding.icon == shared
    d.cli.destroy()

    d.stack = "dev"
    d.cli.select_stack("dev")
    destroyed = d.cli.destroy()
    for account, icon in _icons(d).items():
        assert d.stripe.v1.accounts.retrieve(account).settings.branding.primary_color == EARLIER_COLOR
        if account == ACCOUNTS[0]:
            # Its own upload cannot be set by the platform: the same bytes go back as a platform File.
            assert _platform_files(d)[icon] == earlier.read_bytes()
        else:
            assert icon == shared  # no icon before, and Stripe cannot unset one: kept, and said
    assert "icon had no value before portal-infra set it" in destroyed.output
    assert "was the account's own upload" in destroyed.output


def _as_before_platform_files(d: FakeDeployment) -> None:
    """Rewrite the stack as portal-infra wrote it when branding Files were uploaded on each connected
    account: each account shows its own copy of the icon, the state knows those Files by
    `icon:<sha256>`, and no resource says where its Files live. The platform has no File yet, and
    Stripe has forgotten the idempotency keys of the first deploy (they are pruned after 24 hours)."""
    state = json.loads(d.cli.export())
    data = (d.project_dir / "assets" / "shared-icon.png").read_bytes()
    backend = d.fake.fake.backend
    with backend.lock:
        platform = backend.store("test", None)
        platform.files.items.clear()
        platform.file_contents.clear()
    d.fake.fake.forget_idempotency_keys()
    for resource in state["deployment"]["resources"]:
        if not resource["type"].endswith(":AccountBranding"):
            continue
        account = resource["inputs"]["account"]
        own = d.stripe.v1.files.create(params={"purpose": "business_icon", "file": io.BytesIO(data)},
                                       options={"stripe_account": account})
        d.fake.control.dashboard_update(account, {"settings": {"branding": {"icon": own.id}}})
        for props in (resource["inputs"], resource["outputs"]):
            props.pop("files_owner", None)
        outputs = resource["outputs"]
        outputs["files"] = {f"icon:{outputs['icon_sha256']}": own.id}
        outputs["icon_file"] = own.id
    state_file = d.project_dir.parent / "old-state.json"
    state_file.write_text(json.dumps(state))
    d.cli.run("stack", "import", "--file", str(state_file), check=True)


def test_a_stack_with_account_owned_files_moves_to_platform_files_in_one_up(seeded: FakeDeployment) -> None:
    d = seeded
    _deploy(d)
    _as_before_platform_files(d)
    preview = d.cli.preview("--diff")
    assert preview.returncode == 0
    assert preview.stdout.count("files_owner") >= len(ACCOUNTS), preview.stdout

    before = d.fake.control.count(UPLOAD)
    d.cli.up()
    assert d.fake.control.count(UPLOAD) - before == 1  # one platform File for every account
    icons = _icons(d)
    platform = _platform_files(d)
    assert len(set(icons.values())) == 1 and all(icon in platform for icon in icons.values())
    assert d.cli.preview("--expect-no-changes").returncode == 0
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0
