"""Every request AccountBranding and PlatformSettings send passes Stripe's own spec validation
(stripe-mock): the account update with every field, the multipart File upload on the files
address, the restore on delete, and the platform read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal_infra.resources import AccountBrandingProvider, PlatformSettingsProvider
from portal_infra.testing import RecordingProxy, StripeMock
from tests.images import jpeg, png

pytestmark = pytest.mark.integration
KEY = "sk_test_integrationKey"
ACCOUNT = "acct_1IntegrationTest0000"


@pytest.fixture
def recorder(stripe_mock: StripeMock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    with RecordingProxy(stripe_mock.url) as proxy:
        monkeypatch.setenv("STRIPE_API_KEY", KEY)
        monkeypatch.setenv("STRIPE_API_BASE", proxy.url)
        monkeypatch.chdir(tmp_path)
        yield proxy


def _props(tmp_path: Path) -> dict[str, Any]:
    png(tmp_path / "icon.png")
    jpeg(tmp_path / "logo.jpg")
    return {"account": ACCOUNT, "icon": "icon.png", "logo": "logo.jpg", "primary_color": "#0A7D5E",
            "secondary_color": "#f6f9fc", "business_name": "Bakery", "support_email": "help@bakery.example",
            "support_phone": "+1 415 555 0100", "support_url": "https://bakery.example/help",
            "url": "https://bakery.example", "owner": "p/s/bakery", "on_delete": "restore"}


def test_create_update_and_restore_are_accepted_by_stripe(recorder: RecordingProxy, tmp_path: Path) -> None:
    provider = AccountBrandingProvider()
    checked = provider.check({}, _props(tmp_path))
    assert checked.failures == []
    assert checked.inputs["primary_color"] == "#0a7d5e"  # normalised, so case is never drift

    created = provider.create(checked.inputs)
    uploads = recorder.matching("POST", "/v1/files")
    assert len(uploads) == 2
    assert all(r.headers.get("content-type", "").startswith("multipart/form-data") for r in uploads)
    # Branding Files are the platform's (STRIPE.md section 4): no Stripe-Account on the upload.
    assert all("stripe-account" not in r.headers for r in uploads)
    (write,) = recorder.matching("POST", f"/v1/accounts/{ACCOUNT}")
    assert write.params["settings[branding][primary_color]"] == "#0a7d5e"
    assert write.params["business_profile[support_phone]"] == "+1 415 555 0100"
    assert write.params["metadata[portal_infra_owner]"] == "p/s/bakery"
    assert "stripe-account" not in write.headers  # account settings use the platform key and the path

    recorder.clear()
    news = provider.check(created.outs, {**_props(tmp_path), "business_name": "Bakery & Co",
                                         "support_url": None}).inputs
    provider.update(ACCOUNT, created.outs, news)
    (update,) = recorder.matching("POST", f"/v1/accounts/{ACCOUNT}")
    assert update.params["business_profile[name]"] == "Bakery & Co"
    assert "business_profile[support_url]" in update.params  # dropped: back to what it was before
    assert recorder.matching("POST", "/v1/files") == []  # same bytes, no upload

    recorder.clear()
    provider.delete(ACCOUNT, {**created.outs, "on_delete": "restore"})
    (restore,) = recorder.matching("POST", f"/v1/accounts/{ACCOUNT}")
    assert restore.params["metadata[portal_infra_owner]"] == ""


def test_platform_settings_only_read(recorder: RecordingProxy) -> None:
    provider = PlatformSettingsProvider()
    checked = provider.check({}, {"business_name": "Acme", "primary_color": "#0a7d5e"})
    assert checked.failures == []
    provider.create(checked.inputs)
    assert {(r.method, r.path) for r in recorder.requests} == {("GET", "/v1/account")}
