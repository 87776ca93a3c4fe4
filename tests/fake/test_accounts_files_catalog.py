"""Connected-account branding, files with real bytes, and the catalog objects portal settings name."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import stripe

from tests.fake.conftest import Fake


def png(width: int = 128, height: int = 128) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _upload(fake: Fake, purpose: str, data: bytes) -> stripe.File:
    return fake.client.v1.files.create(params={"purpose": purpose, "file": io.BytesIO(data)})  # type: ignore[typeddict-item]


def test_file_upload_keeps_bytes_size_and_type(fake: Fake) -> None:
    data = png()
    uploaded = _upload(fake, "business_icon", data)
    assert (uploaded.size, uploaded.type, uploaded.purpose) == (len(data), "png", "business_icon")
    assert fake.client.v1.files.retrieve(uploaded.id).size == len(data)
    contents = fake.raw("GET", f"/v1/files/{uploaded.id}/contents")
    assert contents.content == data


def test_icon_must_be_an_image(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError):
        _upload(fake, "business_icon", b"not an image at all")


def test_connected_account_branding_and_business_profile(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "express"})
    icon = _upload(fake, "business_icon", png())
    logo = _upload(fake, "business_logo", png(256, 128))
    updated = fake.client.v1.accounts.update(account.id, params={
        "settings": {"branding": {"icon": icon.id, "logo": logo.id, "primary_color": "#112233",
                                  "secondary_color": "#abc"}},
        "business_profile": {"name": "Tenant Co", "support_email": "help@tenant.example",
                             "url": "https://tenant.example"}})
    branding = updated.settings.branding
    assert (branding.icon, branding.logo, branding.primary_color) == (icon.id, logo.id, "#112233")
    got = fake.client.v1.accounts.retrieve(account.id)
    assert got.business_profile.name == "Tenant Co"
    assert got.settings.branding.secondary_color == "#abc"


def test_branding_rules(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "express"})
    logo = _upload(fake, "business_logo", png())
    for branding, param in [({"primary_color": "red-ish"}, "settings[branding][primary_color]"),
                            ({"icon": logo.id}, "settings[branding][icon]"),
                            ({"icon": "file_missing"}, "settings[branding][icon]")]:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            fake.client.v1.accounts.update(account.id, params={"settings": {"branding": branding}})
        assert caught.value.param == param


def test_the_platform_may_set_only_files_the_platform_uploaded(fake: Fake) -> None:
    """stripe-node issue 2486: a File uploaded with Stripe-Account, then set by the platform, is
    `No such file upload` (400, resource_missing, naming the parameter)."""
    account = fake.client.v1.accounts.create(params={"type": "express"})
    on_account = fake.client_for(account=account.id).v1.files.create(
        params={"purpose": "business_logo", "file": io.BytesIO(png())})  # type: ignore[typeddict-item]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        fake.client.v1.accounts.update(account.id, params={"settings": {"branding": {"logo": on_account.id}}})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        400, "resource_missing", "settings[branding][logo]")
    assert f"No such file upload: '{on_account.id}'" in str(caught.value)
    assert fake.client.v1.accounts.retrieve(account.id).settings.branding.logo is None

    # The account itself, in its own Dashboard, may show a File it uploaded (dj-stripe issue 960).
    fake.control.dashboard_update(account.id, {"settings": {"branding": {"logo": on_account.id}}})
    assert fake.client.v1.accounts.retrieve(account.id).settings.branding.logo == on_account.id
    # One platform File serves any number of accounts.
    shared = _upload(fake, "business_logo", png())
    for target in (account.id, fake.client.v1.accounts.create(params={"type": "express"}).id):
        updated = fake.client.v1.accounts.update(target, params={"settings": {"branding": {"logo": shared.id}}})
        assert updated.settings.branding.logo == shared.id


def test_files_are_listed_by_purpose(fake: Fake) -> None:
    icon = _upload(fake, "business_icon", png())
    logo = _upload(fake, "business_logo", png())
    listed = fake.client.v1.files.list(params={"purpose": "business_icon", "limit": 100}).data
    assert [f.id for f in listed] == [icon.id]
    assert [f.id for f in fake.client.v1.files.list(params={"limit": 100}).data] == [logo.id, icon.id]


def test_own_account_is_readable(fake: Fake) -> None:
    assert fake.raw("GET", "/v1/account").json()["id"].startswith("acct_")


def test_prices_listed_by_lookup_key(fake: Fake) -> None:
    product = fake.client.v1.products.create(params={"name": "Pro"})
    for key in ("pro_monthly", "pro_yearly"):
        fake.client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 100,
                                             "lookup_key": key, "recurring": {"interval": "month"}})
    found = fake.client.v1.prices.list(params={"lookup_keys": ["pro_yearly"]}).data
    assert [p.lookup_key for p in found] == ["pro_yearly"]


def test_coupons_and_customers(fake: Fake) -> None:
    coupon = fake.client.v1.coupons.create(params={"percent_off": 20, "duration": "once"})
    assert fake.client.v1.coupons.retrieve(coupon.id).percent_off == 20
    assert fake.client.v1.customers.create(params={"email": "x@example.com"}).id.startswith("cus_")


def test_feedback_options_and_inactive_ones_are_refused(fake: Fake) -> None:
    option = fake.client.v1.billing.feedback_options.create(params={"description": "Too pricey"})
    params = {"features": {"subscription_cancel": {"enabled": True, "cancellation_reason": {
        "enabled": True, "options": ["other"], "feedback_options": [option.id]}}}}
    fake.client.v1.billing_portal.configurations.create(params=params)  # type: ignore[arg-type]
    deactivated = fake.raw("POST", f"/v1/billing/feedback_options/{option.id}/deactivate",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert deactivated.status_code == 200 and deactivated.json()["status"] == "inactive"
    with pytest.raises(stripe.InvalidRequestError, match="inactive"):
        fake.client.v1.billing_portal.configurations.create(params=params)  # type: ignore[arg-type]
