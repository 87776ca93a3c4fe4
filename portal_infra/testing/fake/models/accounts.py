"""Connected accounts: branding (`settings.branding`) and `business_profile`, set with the platform key.

Branding Files belong to the platform. When the platform sets `settings.branding.icon/logo` with
`POST /v1/accounts/{id}`, Stripe looks the File up among the *platform's* uploads: a File uploaded
with `Stripe-Account: acct_…` and set this way is answered `No such file upload: 'file_…'`
(`resource_missing`, param `settings[branding][logo]`; stripe-node issue 2486), Stripe's own Connect
demo uploads branding with no `stripe_account` (stripe-connect-furever-demo, setup-accounts.py), and
dj-stripe issue 2205 found Express accounts' branding Files on the platform. An account that edits its
own branding in its own Dashboard may point at a File it uploaded itself (dj-stripe issue 960): the
control API's seed and `dashboard_update` do what that Dashboard does, so they accept either owner.
"""

from __future__ import annotations

import copy
from typing import Any

from ..exceptions import InvalidParam, StripeError, UnknownParam
from .base import AccountStore, Backend, Obj, apply_metadata, check_hex_color, check_url, new_id

BRANDING_KEYS = ("icon", "logo", "primary_color", "secondary_color")
PROFILE_KEYS = ("name", "support_email", "support_phone", "support_url", "url", "mcc", "product_description",
                "support_address")
_FILE_PURPOSE = {"icon": "business_icon", "logo": "business_logo"}
# Where an account keeps what only Accounts v2 has (accounts_v2.py); v1 answers never show it.
V2_KEY = "_v2"
# stripe/openapi `address` (v1 business_profile.support_address); v2's support address adds `town`.
_V1_ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")
_TOP = {"type", "country", "email", "business_type", "settings", "business_profile", "metadata", "capabilities",
        "controller"}


def _account(id_: str, livemode: bool, type_: str) -> Obj:
    return {
        "id": id_, "object": "account", "type": type_, "country": "US", "email": None,
        "charges_enabled": False, "payouts_enabled": False, "details_submitted": False, "livemode": livemode,
        "business_profile": dict.fromkeys(PROFILE_KEYS),
        "settings": {"branding": dict.fromkeys(BRANDING_KEYS)},
        "metadata": {},
    }


def _apply(backend: Backend, platform: AccountStore, account: Obj, params: Obj, *, dashboard: bool = False) -> Obj:
    out = copy.deepcopy(account)
    for key, value in params.items():
        if key not in _TOP:
            raise UnknownParam(key)
        if key == "metadata":
            out["metadata"] = apply_metadata(out["metadata"], value)
        elif key == "settings":
            if not isinstance(value, dict):
                raise InvalidParam("settings", "Invalid object: settings must be a hash")
            for group, fields in value.items():
                if group != "branding":
                    continue  # other settings groups are accepted and not modelled
                _apply_branding(backend, platform, account["id"], out["settings"]["branding"], fields, dashboard)
        elif key == "business_profile":
            if not isinstance(value, dict):
                raise InvalidParam("business_profile", "Invalid object: business_profile must be a hash")
            for field, item in value.items():
                if field not in PROFILE_KEYS:
                    raise UnknownParam(f"business_profile[{field}]")
                if field in ("url", "support_url") and item != "":
                    check_url(item, f"business_profile[{field}]")
                if field == "support_email" and item != "" and "@" not in str(item):
                    raise InvalidParam("business_profile[support_email]", f"Invalid email address: {item}")
                out["business_profile"][field] = None if item == "" else item
        elif key in ("email", "country", "business_type", "type"):
            out[key] = value
    return out


def _apply_branding(backend: Backend, platform: AccountStore, account_id: str, branding: dict[str, Any],
                    fields: Any, dashboard: bool) -> None:
    if not isinstance(fields, dict):
        raise InvalidParam("settings[branding]", "Invalid object: settings[branding] must be a hash")
    for field, item in fields.items():
        param = f"settings[branding][{field}]"
        if field not in BRANDING_KEYS:
            raise UnknownParam(param)
        if field in ("primary_color", "secondary_color"):
            check_hex_color(item, param)
        else:
            found = _branding_file(backend, platform, account_id, str(item), param, dashboard)
            if found["purpose"] != _FILE_PURPOSE[field]:
                raise InvalidParam(param, f"File {item} has purpose {found['purpose']}; "
                                          f"{field} needs a file with purpose {_FILE_PURPOSE[field]}")
        branding[field] = item


def _branding_file(backend: Backend, platform: AccountStore, account_id: str, file_id: str, param: str,
                   dashboard: bool) -> Obj:
    """The File a branding field names: the platform's (the API), or also the account's own (its Dashboard)."""
    if dashboard:
        own = backend.store(platform.mode, account_id).files.items.get(file_id)
        if own is not None:
            return own
    found = platform.files.items.get(file_id)
    if found is None:
        # Stripe's answer in stripe-node issue 2486: a 400 naming the parameter, not a 404 of the path.
        raise StripeError(400, f"No such file upload: '{file_id}'", code="resource_missing", param=param)
    return found


def v1_view(account: Obj) -> Obj:
    """The account as Accounts v1 answers it: without v2's own properties (docs.stripe.com/connect/accounts-v2:
    "the response is structured as a v1 Account")."""
    out = copy.deepcopy(account)
    out.pop(V2_KEY, None)
    address = (out.get("business_profile") or {}).get("support_address")
    if isinstance(address, dict):
        out["business_profile"]["support_address"] = {k: address.get(k) for k in _V1_ADDRESS_KEYS}
    return out


def check_not_closed(account: Obj) -> None:
    """A closed v2 Account "can no longer be operated on" (stripe/v2/core/_account_service.py `close`).
    unsourced: the status, code and message, and that v1 writes are refused too."""
    if (account.get(V2_KEY) or {}).get("closed"):
        raise StripeError(400, f"The account {account['id']} is closed and can no longer be updated.")


def create_account(backend: Backend, platform: AccountStore, params: Obj) -> Obj:
    account = _account(new_id("acct"), platform.livemode, str(params.get("type") or "custom"))
    platform.accounts.add(account)
    try:
        platform.accounts.items[account["id"]] = _apply(backend, platform, account, params)
    except Exception:
        del platform.accounts.items[account["id"]]
        raise
    return v1_view(platform.accounts.items[account["id"]])


def update_account(backend: Backend, platform: AccountStore, id_: str, params: Obj) -> Obj:
    account = platform.accounts.get(id_, "account")
    check_not_closed(account)
    platform.accounts.items[id_] = _apply(backend, platform, account, params)
    return v1_view(platform.accounts.items[id_])


def dashboard_update(backend: Backend, mode: str, id_: str, params: Obj) -> Obj:
    """What the connected account does in its own Dashboard (control API): its own Files are allowed."""
    platform = backend.store(mode, None)
    account = platform.accounts.get(id_, "account")
    platform.accounts.items[id_] = _apply(backend, platform, account, params, dashboard=True)
    return v1_view(platform.accounts.items[id_])


def retrieve_account(platform: AccountStore, id_: str) -> Obj:
    return v1_view(platform.accounts.get(id_, "account"))


def list_accounts(platform: AccountStore, params: Obj) -> Obj:
    page = platform.accounts.list(params, "/v1/accounts")
    page["data"] = [v1_view(item) for item in page["data"]]
    return page


def own_account(backend: Backend, store: AccountStore) -> Obj:
    """GET /v1/account: the platform itself, or the connected account named by Stripe-Account."""
    if store.account != "platform":
        return retrieve_account(backend.store(store.mode, None), store.account)
    account = _account(backend.platform_account_id, store.livemode, "standard")
    # The platform's own settings are Dashboard-only in Stripe; the control API's seed sets them here.
    settings = backend.platform_settings.get(store.mode) or {}
    account["business_profile"].update(settings.get("business_profile") or {})
    account["settings"]["branding"].update((settings.get("settings") or {}).get("branding") or {})
    return account


def seed_account(backend: Backend, platform: AccountStore, params: Obj) -> str | None:
    """A connected account with the ID a stack file names (Stripe assigns IDs; only seeding may choose).
    Returns the ID when it was made, None when it existed already."""
    id_ = str(params.get("id") or "")
    if not id_.startswith("acct_"):
        raise InvalidParam("id", f"Invalid account ID: {id_!r}; account IDs start with acct_")
    if id_ in platform.accounts.items:
        return None
    fields = {k: v for k, v in params.items() if k != "id"}
    account = _account(id_, platform.livemode, str(fields.get("type") or "standard"))
    platform.accounts.add(account)
    platform.accounts.items[id_] = _apply(backend, platform, account, fields, dashboard=True)
    return id_


def delete_account(platform: AccountStore, id_: str) -> Obj:
    """DELETE /v1/accounts/{account} (stripe/openapi DeleteAccountsAccount: "Test-mode accounts can be
    deleted at any time"; live ones only when all balances are zero, which the fake does not model).
    Answers Stripe's `deleted_account`: {id, object: "account", deleted: true}."""
    platform.accounts.get(id_, "account")
    del platform.accounts.items[id_]
    return {"id": id_, "object": "account", "deleted": True}
