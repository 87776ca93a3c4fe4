"""Accounts v2 (`/v2/core/accounts`): the same connected accounts as v1, seen and written through v2's shape.

One account, two views. A connected account is one object in `platform.accounts` (the v1 dict accounts.py
keeps). docs.stripe.com/connect/accounts-v2: "you can still pass the ID of a v2 Account to an Accounts v1 API
endpoint. When you do so, the response is structured as a v1 Account, but any updates still apply to the
corresponding properties of the v2 object." So the properties both APIs have live once, in their v1 place,
and the v2 view is built from them:

- v1 `settings.branding.{icon,logo,primary_color,secondary_color}` = v2 `configuration.merchant.branding.*`:
  STRIPE.md 3 ("Accounts v2 has the same four fields at configuration.merchant.branding");
  stripe/params/v2/core/_account_update_params.py AccountUpdateParamsConfigurationMerchantBranding.
- v1 `business_profile.support_{email,phone,url,address}` = v2 `configuration.merchant.support.{email,phone,url,
  address}`: the v2 docstrings ("A publicly available email address for sending support issues to") are v1's.
- v1 `business_profile.name` = v2 `defaults.profile.doing_business_as`: stripe/v2/core/_account.py documents it
  as "The customer-facing business name.", v1's description of business_profile.name.
- v1 `business_profile.url`, `.product_description` = v2 `defaults.profile.business_url`, `.product_description`:
  Stripe changelog 2025-09-30.clover "moving-identity-fields" (moved from identity.business_details).
- `metadata`: the same on both; v2 removes a key with null, v1 with "".
- v1 `country`, `business_type` = v2 `identity.country`, `identity.entity_type`. unsourced: the same concept
  and the same values (company, government_entity, individual, non_profit).

What only v2 has (display_name, contact_email, contact_phone, dashboard, applied_configurations, closed,
created, the rest of identity and defaults, the customer and recipient configurations) is kept on the same
dict under `V2_KEY`, which every v1 answer strips (accounts.v1_view) and `Backend.dump/load` keeps.
`display_name` does not follow `business_profile.name`: no source says it does (a question for the
real-Stripe suite).
"""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

from ..exceptions import InvalidParam, ResourceMissing, StripeError
from .accounts import (
    _FILE_PURPOSE,
    BRANDING_KEYS,
    V2_KEY,
    _account,
    _branding_file,
    check_not_closed,
)
from .base import AccountStore, Backend, Obj, check_hex_color, check_url, new_id

CONFIGURATIONS = ("customer", "merchant", "recipient")
# v2 `configuration.merchant.support.*` -> v1 `business_profile.*` (see the module docstring).
SUPPORT_TO_V1 = {"email": "support_email", "phone": "support_phone", "url": "support_url", "address": "support_address"}
# v2 `defaults.profile.*` -> v1 `business_profile.*`.
PROFILE_TO_V1 = {"doing_business_as": "name", "business_url": "url", "product_description": "product_description"}
# stripe/v2/core/_account.py Configuration.Merchant.Support.Address.
ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state", "town")

# The platform flags (control API `POST /_fake/platform`), per mode.
ACCOUNTS_APIS = ("v1+v2", "v1", "v2")
PLATFORM_DEFAULTS: Obj = {"accounts": "v1+v2", "sandbox": True}

# unsourced: the codes of these refusals (STRIPE.md 4.1 records the messages, not the codes). Questions for
# the real-Stripe suite.
NOT_ENABLED_CODE = "accounts_v2_not_enabled"
NOT_IN_TEST_MODE_CODE = "accounts_v2_not_available_in_test_mode"
V1_CREATE_REFUSED_CODE = "accounts_v1_creation_not_allowed"


def platform_flags(backend: Backend, mode: str) -> Obj:
    return {**PLATFORM_DEFAULTS, **(backend.platform_flags.get(mode) or {})}


def set_platform_flags(backend: Backend, mode: str, accounts: Any = None, sandbox: Any = None) -> Obj:
    if mode not in ("test", "live"):
        raise ValueError(f"mode is {mode!r}; use test or live")
    flags = platform_flags(backend, mode)
    if accounts is not None:
        if accounts not in ACCOUNTS_APIS:
            raise ValueError(f"accounts is {accounts!r}; use one of {list(ACCOUNTS_APIS)}")
        flags["accounts"] = accounts
    if sandbox is not None:
        if not isinstance(sandbox, bool):
            raise ValueError(f"sandbox is {sandbox!r}; use true or false")
        flags["sandbox"] = sandbox
    backend.platform_flags[mode] = flags
    return {"mode": mode, **flags}


def gate(backend: Backend, mode: str, method: str, path: str, headers: dict[str, str]) -> None:
    """Refuse what the platform's kind refuses, before any parameter is looked at (unsourced: the order)."""
    flags = platform_flags(backend, mode)
    if path == "/v1/accounts" and method == "POST" and flags["accounts"] == "v2":
        # docs.stripe.com/connect/accounts-v2/account-creation: "If an error directed you to this page, make sure
        # that you're using /v2/core/accounts to create Accounts" (STRIPE.md 4.1). unsourced: the exact text.
        raise StripeError(400, "New Connect platforms create connected accounts with the Accounts v2 API: use "
                               "POST /v2/core/accounts. See https://docs.stripe.com/connect/accounts-v2/account-creation",
                          code=V1_CREATE_REFUSED_CODE)
    if not path.startswith("/v2/core/accounts"):
        return
    if mode == "test" and not flags["sandbox"]:
        # Observed (STRIPE.md 4.1; stripe/sync-engine-fork src-list-api.ts).
        raise StripeError(400, "Accounts v2 isn't available in test mode. Switch to a sandbox to test.",
                          code=NOT_IN_TEST_MODE_CODE)
    if flags["accounts"] == "v1":
        # Observed (STRIPE.md 4.1). unsourced: whether live mode answers this or the other observed message
        # ("Accounts v2 is not enabled for your livemode merchant acct_…").
        raise StripeError(400, "Accounts v2 is not enabled for your platform. If you're interested in using this "
                               "API with your integration, please visit "
                               f"https://dashboard.stripe.com/{backend.platform_account_id}/settings/connect/"
                               "platform-setup.", code=NOT_ENABLED_CODE)
    for header in ("stripe-account", "stripe-context"):
        if headers.get(header):
            # The service is the platform's (STRIPE.md 4.1 endpoints). unsourced: Stripe's answer to the header.
            raise StripeError(400, "Accounts v2 endpoints are called as the platform: send them without the "
                                   f"{header.title()} header", param=header.title())


def _rfc3339(seconds: int) -> str:
    """stripe/v2/core/_account.py `created`: "RFC 3339 date & time UTC value in millisecond precision"."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def _meta(platform: AccountStore, account: Obj) -> Obj:
    """The v2-only properties, made the first time a v1 account is seen through v2."""
    meta = account.get(V2_KEY)
    if meta is None:
        meta = account[V2_KEY] = {
            "created": _rfc3339(platform.clock.tick()),
            "display_name": None, "contact_email": None, "contact_phone": None,
            # unsourced: the dashboard a v1 account shows in v2 (v1 `controller.stripe_dashboard.type` has the
            # same values: express, full, none); standard -> full, express -> express, others -> none.
            "dashboard": {"standard": "full", "express": "express"}.get(str(account.get("type")), "none"),
            # unsourced: a v1 connected account seen through v2 has the merchant configuration (the fake does
            # not model v1 capabilities; its v1 accounts are the merchants whose branding the portal shows).
            "configurations": {"merchant": True},
            "closed": False, "identity": {}, "defaults": {}, "merchant": {}, "other_configurations": {},
        }
    return meta


# Reads.

def view(platform: AccountStore, account: Obj, include: list[str] | None = None) -> Obj:
    """The `v2.core.account` object (stripe/v2/core/_account.py). `configuration`, `defaults`, `identity`,
    `requirements` and `future_requirements` are null unless `include` names them (STRIPE.md 4.1; the
    `include` enum of AccountRetrieveParams)."""
    meta = _meta(platform, account)
    include = list(include or [])
    configurations = meta["configurations"]
    out: Obj = {
        "id": account["id"], "object": "v2.core.account",
        "applied_configurations": [name for name in CONFIGURATIONS if configurations.get(name)],
        "closed": meta["closed"], "configuration": None,
        "contact_email": meta["contact_email"], "contact_phone": meta["contact_phone"],
        "created": meta["created"], "dashboard": meta["dashboard"], "defaults": None,
        "display_name": meta["display_name"], "future_requirements": None, "identity": None,
        "livemode": account["livemode"], "metadata": dict(account.get("metadata") or {}), "requirements": None,
    }
    wanted = [item.split(".", 1)[1] for item in include if item.startswith("configuration.")]
    if wanted:
        out["configuration"] = {
            name: (_configuration(account, meta, name) if name in wanted and name in configurations else None)
            for name in CONFIGURATIONS}
    if "defaults" in include:
        out["defaults"] = _defaults(account, meta)
    if "identity" in include:
        out["identity"] = {"attestations": None, "business_details": None, "individual": None,
                           **copy.deepcopy(meta["identity"]),
                           "country": account.get("country"), "entity_type": account.get("business_type")}
    for name in ("requirements", "future_requirements"):
        if name in include:
            # unsourced: requirements are not modelled; an account that owes nothing.
            out[name] = {"entries": [], "summary": None}
    return out


def _configuration(account: Obj, meta: Obj, name: str) -> Obj:
    applied = bool(meta["configurations"][name])
    if name != "merchant":
        # The customer and recipient configurations are accepted and kept, not modelled.
        return {"applied": applied}
    profile = account.get("business_profile") or {}
    branding = (account.get("settings") or {}).get("branding") or {}
    address = profile.get("support_address")
    extra = meta["merchant"]
    return {
        "applied": applied, "bacs_debit_payments": None,
        "branding": {key: branding.get(key) for key in BRANDING_KEYS},
        "capabilities": None, "card_payments": None, "konbini_payments": None,
        "mcc": extra.get("mcc"), "script_statement_descriptor": None, "sepa_debit_payments": None,
        "statement_descriptor": None,
        "support": {"address": {key: address.get(key) for key in ADDRESS_KEYS} if isinstance(address, dict) else None,
                    "email": profile.get("support_email"), "phone": profile.get("support_phone"),
                    "url": profile.get("support_url")},
    }


def _defaults(account: Obj, meta: Obj) -> Obj:
    profile = account.get("business_profile") or {}
    stored = meta["defaults"]
    # unsourced: the responsibilities an account shows when none were given (not modelled).
    responsibilities = {"fees_collector": None, "losses_collector": None, "requirements_collector": "stripe",
                        **(stored.get("responsibilities") or {})}
    return {"currency": stored.get("currency"), "locales": stored.get("locales"), "payout_methods": None,
            "profile": {v2: profile.get(v1) for v2, v1 in PROFILE_TO_V1.items()},
            "responsibilities": responsibilities}


def _include(params: Obj) -> list[str]:
    value = params.get("include") or []
    return [str(item) for item in value] if isinstance(value, list) else []


def retrieve(platform: AccountStore, id_: str, params: Obj) -> Obj:
    return view(platform, _get(platform, id_), _include(params))


def _get(platform: AccountStore, id_: str) -> Obj:
    found = platform.accounts.items.get(id_)
    if found is None:
        # unsourced: v2's not-found answer; v1's resource_missing 404, named for the v2 object.
        raise ResourceMissing("v2.core.account", id_)
    return found


# Writes.

def create(backend: Backend, platform: AccountStore, params: Obj) -> Obj:
    # unsourced: the v1 `type` of an account made with v2. v1's `type` enum has `none` for accounts that are
    # not Standard, Express or Custom (those made with `controller` properties), which is what a v2 account is.
    account = _account(new_id("acct"), platform.livemode, "none")
    meta = _meta(platform, account)
    meta["configurations"], meta["dashboard"] = {}, None  # unsourced: no dashboard unless given
    written = _write(backend, platform, account, params)
    platform.accounts.add(written)
    return view(platform, written, _include(params))


def update(backend: Backend, platform: AccountStore, id_: str, params: Obj) -> Obj:
    account = _get(platform, id_)
    _meta(platform, account)
    check_not_closed(account)
    platform.accounts.items[id_] = written = _write(backend, platform, account, params)
    return view(platform, written, _include(params))


def close(platform: AccountStore, id_: str, params: Obj) -> Obj:
    """POST /v2/core/accounts/{id}/close: "Removes access to the Account and its associated resources. Closed
    Accounts can no longer be operated on, but limited information can still be retrieved through the API"
    (stripe/v2/core/_account_service.py). unsourced: what else closing changes (applied_configurations,
    the v1 view, portal sessions): only `closed` is set."""
    account = _get(platform, id_)
    meta = _meta(platform, account)
    check_not_closed(account)
    given = params.get("applied_configurations")
    applied = [name for name in CONFIGURATIONS if meta["configurations"].get(name)]
    # AccountCloseParams.applied_configurations: "All configurations on the Account must be passed in for this
    # request to succeed."
    if given is not None and sorted(set(given)) != applied:
        raise InvalidParam("applied_configurations", "applied_configurations must name every configuration "
                                                     f"applied to the Account: {', '.join(applied) or 'none'}",
                           code=None)
    meta["closed"] = True
    return view(platform, account)


def _write(backend: Backend, platform: AccountStore, account: Obj, params: Obj) -> Obj:
    """A v2 create or update on a copy of `account` (the params are already checked against the SDK types)."""
    out = copy.deepcopy(account)
    meta = out[V2_KEY]
    for key, value in params.items():
        if key == "include":
            continue
        if key in ("display_name", "contact_phone", "dashboard"):
            meta[key] = value
        elif key == "contact_email":
            _check_email(value, "contact_email")  # unsourced: v1's check on business_profile.support_email
            meta[key] = value
        elif key == "metadata":
            out["metadata"] = _metadata(out.get("metadata") or {}, value)
        elif key == "identity":
            for field, item in value.items():
                if field == "country":
                    out["country"] = str(item).upper()
                elif field == "entity_type":
                    out["business_type"] = item
                else:
                    meta["identity"][field] = copy.deepcopy(item)
        elif key == "defaults":
            for field, item in value.items():
                if field == "profile":
                    _profile(out, item)
                else:
                    meta["defaults"][field] = copy.deepcopy(item)
        elif key == "configuration":
            for name, settings in value.items():
                _configure(backend, platform, out, meta, name, settings)
        elif key == "account_token":
            # The fake has no account tokens (POST /v2/core/account_tokens is not served), so none exists.
            raise StripeError(400, f"No such account token: '{value}'", code="resource_missing", param=key)
    return out


def _metadata(current: dict[str, str], value: dict[str, Any]) -> dict[str, str]:
    """v2 metadata merges; a key set to null is removed (AccountUpdateParams.metadata is
    `Dict[str, Optional[str]]`; v1 removes with "" instead). The limits were checked by params.py."""
    out = dict(current)
    for key, item in value.items():
        if item is None:
            out.pop(key, None)
        else:
            out[key] = item
    return out


def _profile(out: Obj, profile: Obj) -> None:
    target = out["business_profile"]
    for field, item in profile.items():
        param = f"defaults.profile.{field}"
        if field == "business_url":
            check_url(item, param)  # assumed from v1's business_profile.url, the same field
        target[PROFILE_TO_V1[field]] = item


def _configure(backend: Backend, platform: AccountStore, out: Obj, meta: Obj, name: str, settings: Obj) -> None:
    # Giving a configuration applies it; `applied: false` (update only) turns it off again
    # (AccountUpdateParamsConfigurationMerchant.applied: "can be updated to deactivate or re-apply a configuration").
    meta["configurations"][name] = bool(settings.get("applied", True))
    if name != "merchant":
        kept = meta["other_configurations"].setdefault(name, {})
        kept.update({k: copy.deepcopy(v) for k, v in settings.items() if k != "applied"})
        return
    for field, item in settings.items():
        if field == "branding":
            _branding(backend, platform, out, item)
        elif field == "support":
            _support(out, item)
        elif field != "applied":
            meta["merchant"][field] = copy.deepcopy(item)  # mcc is answered; the rest is kept, not modelled


def _branding(backend: Backend, platform: AccountStore, out: Obj, fields: Obj) -> None:
    branding = out["settings"]["branding"]
    for field, item in fields.items():
        param = f"configuration.merchant.branding.{field}"
        if field in ("primary_color", "secondary_color"):
            check_hex_color(item, param)  # v1's check: "A CSS hex color value" in both APIs' docstrings
        else:
            # icon/logo: "ID of a file upload". Who must own the File is not documented for v2 (STRIPE.md 4.1);
            # assumed from v1 (STRIPE.md 4): the platform's own uploads only, with the purpose v1 requires.
            found = _branding_file(backend, platform, out["id"], str(item), param, False)
            if found["purpose"] != _FILE_PURPOSE[field]:
                raise InvalidParam(param, f"File {item} has purpose {found['purpose']}; "
                                          f"{field} needs a file with purpose {_FILE_PURPOSE[field]}")
        branding[field] = item


def _support(out: Obj, fields: Obj) -> None:
    profile = out["business_profile"]
    for field, item in fields.items():
        param = f"configuration.merchant.support.{field}"
        if field == "url":
            check_url(item, param)  # assumed from v1's business_profile.support_url, the same field
        elif field == "email":
            _check_email(item, param)  # assumed from v1's business_profile.support_email
        elif field == "address":
            merged = dict(profile.get("support_address") or {}) if isinstance(profile.get("support_address"),
                                                                               dict) else {}
            merged.update(item)
            item = merged
        profile[SUPPORT_TO_V1[field]] = item


def _check_email(value: Any, param: str) -> None:
    if "@" not in str(value):
        raise InvalidParam(param, f"Invalid email address: {value}")


# Lists, v2-style: {"data", "next_page_url", "previous_page_url"} (stripe/v2/_list_object.py reads `data` and
# `next_page_url`; stripe/_util.py recognises a v2 list by `data` + `next_page_url`).

def list_accounts(platform: AccountStore, params: Obj) -> Obj:
    query = _page_query(params)
    wanted = set(query["applied_configurations"])
    closed = query["closed"]

    def keep(account: Obj) -> bool:
        meta = _meta(platform, account)
        applied = {name for name, on in meta["configurations"].items() if on}
        # AccountListParams.closed: "If omitted, returns only Accounts that are not closed."
        # applied_configurations: "Filter only accounts that have all of the configurations specified."
        return bool(meta["closed"]) == closed and wanted <= applied

    # unsourced: v2's default and largest `limit` (the SDK's docstring gives none): v1's 10 and 100. Order:
    # newest first, as v1 (unsourced for v2).
    page = platform.accounts.list({"limit": query["limit"], **query["cursor"]}, "/v2/core/accounts", keep)
    data, cursor = page["data"], query["cursor"]
    if "ending_before" in cursor:
        more_after, more_before = True, bool(page["has_more"])
    else:
        more_after, more_before = bool(page["has_more"]), "starting_after" in cursor
    next_url = _page_url({**query, "cursor": {"starting_after": data[-1]["id"]}}) if data and more_after else None
    previous_url = _page_url({**query, "cursor": {"ending_before": data[0]["id"]}}) if data and more_before else None
    return {"data": [view(platform, platform.accounts.items[item["id"]]) for item in data],
            "next_page_url": next_url, "previous_page_url": previous_url}


def _page_query(params: Obj) -> Obj:
    token = params.get("page")
    if token:
        # The token carries the filters, as stripe-python requests next_page_url with no other params.
        try:
            decoded: Any = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict) or set(decoded) != {"limit", "closed", "applied_configurations", "cursor"}:
            raise InvalidParam("page", f"Invalid page: {token}", code=None)
        return decoded
    limit = int(params.get("limit", 10))
    if not 1 <= limit <= 100:
        raise InvalidParam("limit", "Invalid limit: must be between 1 and 100", code="parameter_invalid_integer")
    closed = params.get("closed", "false")
    return {"limit": limit, "closed": closed is True or closed == "true",
            "applied_configurations": list(params.get("applied_configurations") or []), "cursor": {}}


def _page_url(query: Obj) -> str:
    token = base64.urlsafe_b64encode(json.dumps(query, sort_keys=True).encode()).decode()
    return f"/v2/core/accounts?page={token}"
