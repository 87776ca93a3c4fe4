"""A platform seeded as a real one would be, for pull's tests: a default configuration edited in the
Dashboard, more configurations (one of them retired), connected accounts branded in every way an
account can be (through the platform's API, with the platform's Files, with Files an account
uploaded in its own Dashboard, or not at all), each with its own default configuration."""

from __future__ import annotations

import copy
import io
from typing import Any

from PIL import Image

CONFIGS = "/v1/billing_portal/configurations"
SHARED_ACCENT = "#f6f9fc"
PRO_PRICE = "price_1PullProMonthly"
PRO_PRODUCT = "prod_1PullPro"


def account_id(i: int) -> str:
    return f"acct_1Pull{i:04d}".ljust(24, "0")


def png_bytes(colour: tuple[int, int, int], size: int = 128) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


def seed_platform(fake: Any, stripe: Any) -> dict[str, str]:
    """The platform's own settings and configurations; returns their IDs by role."""
    fake.control.seed(platform={"business_profile": {"name": "Acme Platform"},
                                "settings": {"branding": {"primary_color": "#0A7D5E", "secondary_color": "#FFFFFF"}}},
                      products=[{"id": PRO_PRODUCT, "name": "Pro"}],
                      prices=[{"id": PRO_PRICE, "product": PRO_PRODUCT, "unit_amount": 2500,
                               "recurring": {"interval": "month"}}])
    configurations = stripe.v1.billing_portal.configurations
    (default,) = configurations.list(params={"is_default": True}).data
    configurations.update(default.id, params={
        "default_return_url": "https://acme.example/account",
        "business_profile": {"headline": "Manage your Acme plan", "privacy_policy_url": "https://acme.example/p"},
        "features": {"customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
                     "subscription_cancel": {"enabled": True, "mode": "at_period_end",
                                             "cancellation_reason": {"enabled": True,
                                                                     "options": ["too_expensive", "other"]}}},
        "metadata": {"team": "billing"},
    })
    enterprise = configurations.create(params={
        "name": "Enterprise customers",
        "features": {"invoice_history": {"enabled": True},
                     "subscription_update": {"enabled": True, "default_allowed_updates": ["price", "quantity"],
                                             "proration_behavior": "create_prorations",
                                             "products": [{"product": PRO_PRODUCT, "prices": [PRO_PRICE]}]}},
        "login_page": {"enabled": True},
    })
    plain = configurations.create(params={"features": {"invoice_history": {"enabled": True}}})
    retired = configurations.create(params={"name": "Old trial", "features": {"invoice_history": {"enabled": True}}})
    configurations.update(retired.id, params={"active": False})
    return {"default": default.id, "enterprise": enterprise.id, "plain": plain.id, "retired": retired.id}


def seed_accounts(fake: Any, stripe: Any, n: int, *, own_upload: int = 7, images: bool = True) -> dict[str, Any]:
    """`n` connected accounts: every sixth with no branding at all, the others with a shared accent
    colour and their own brand colour and name, some with support details or a merchant category
    code; accounts 1 to 10 show one platform File as icon, account `own_upload` shows an icon and logo
    it uploaded itself. A few accounts' default configurations are edited; account 4 has a second
    active configuration and account 5 a retired one."""
    seeded = []
    for i in range(n):
        entry: dict[str, Any] = {"id": account_id(i), "type": "standard"}
        if i % 6:
            entry["settings"] = {"branding": {"secondary_color": SHARED_ACCENT,
                                              "primary_color": f"#{(i * 2654435761) % 0xFFFFFF:06x}"}}
            entry["business_profile"] = {"name": f"Shop {i}"}
            if i % 3 == 1:
                entry["business_profile"]["support_email"] = f"help@shop{i}.example"
            if i % 4 == 2:
                entry["business_profile"]["support_url"] = f"https://shop{i}.example/help"
            if i % 5 == 3:
                entry["business_profile"]["mcc"] = "5734"
        seeded.append(entry)
    fake.control.seed(accounts=seeded)
    out: dict[str, Any] = {}
    if images and n > 1:
        shared = stripe.v1.files.create(params={"purpose": "business_icon",
                                                "file": io.BytesIO(png_bytes((12, 120, 90)))})
        out["shared_icon"] = shared.id
        for i in range(1, min(n, 11)):
            if i % 6 and i != own_upload:
                stripe.v1.accounts.update(account_id(i), params={"settings": {"branding": {"icon": shared.id}}})
    if images and n > own_upload:
        acct = account_id(own_upload)
        icon = stripe.v1.files.create(params={"purpose": "business_icon", "file": io.BytesIO(png_bytes((5, 5, 5)))},
                                      options={"stripe_account": acct})
        logo = stripe.v1.files.create(params={"purpose": "business_logo",
                                              "file": io.BytesIO(png_bytes((9, 9, 9), 256))},
                                      options={"stripe_account": acct})
        fake.control.dashboard_update(acct, {"settings": {"branding": {"icon": icon.id, "logo": logo.id}}})
        out["own_icon"], out["own_logo"] = icon.id, logo.id
    configurations = stripe.v1.billing_portal.configurations
    for i in (2, 3):
        if i < n:
            options = {"stripe_account": account_id(i)}
            (default,) = configurations.list(params={"is_default": True}, options=options).data
            configurations.update(default.id, params={"business_profile": {"headline": f"Shop {i} plans"}},
                                  options=options)
    if n > 5:
        configurations.create(params={"name": "Second", "features": {"invoice_history": {"enabled": True}}},
                              options={"stripe_account": account_id(4)})
        retired = configurations.create(params={"features": {"invoice_history": {"enabled": True}}},
                                        options={"stripe_account": account_id(5)})
        configurations.update(retired.id, params={"active": False}, options={"stripe_account": account_id(5)})
    return out


def customer_facing(fake: Any) -> dict[str, Any]:
    """Every object a customer's portal is made from, as the fake holds it, metadata aside."""
    backend = fake.fake.backend
    with backend.lock:
        platform = backend.store("test", None)
        accounts = sorted(platform.accounts.items)
        out: dict[str, Any] = {
            "platform_settings": copy.deepcopy(backend.platform_settings.get("test")),
            "configurations": {k: _no_metadata(v) for k, v in platform.configurations.items.items()},
            "accounts": {k: _no_metadata(platform.accounts.items[k]) for k in accounts},
        }
        for account in accounts:
            out[account] = {k: _no_metadata(v) for k, v in backend.store("test", account).configurations.items.items()}
        return out


def _no_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in obj.items() if k != "metadata"}
