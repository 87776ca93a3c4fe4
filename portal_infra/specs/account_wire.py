"""A connected account's declared look on either Accounts API: the declaration-to-wire mapping and its
inverse (DESIGN.md, "One declaration, more than one wire").

A user declares Stripe's meaning once (`BrandingLook`'s fields); `portal-infra:accountsApi` chooses the
wire. Both APIs hold the same properties of one account ("you can still pass the ID of a v2 Account to
an Accounts v1 API endpoint ... any updates still apply to the corresponding properties of the v2
object", docs.stripe.com/connect/accounts-v2), so a stack moves from one to the other with no change
to its files or state.

Where each declared field lives (sources beside each row of `FIELD_PATHS`):
- v1: `POST /v1/accounts/{id}`, form-encoded, `settings.branding` and `business_profile`.
- v2: `POST /v2/core/accounts/{id}`, JSON, `configuration.merchant.branding`,
  `configuration.merchant.support` and `defaults.profile`. A v2 retrieve returns `configuration` and
  `defaults` only when asked for with `include` (stripe-python 16.1.0
  `stripe/params/v2/core/_account_retrieve_params.py`; STRIPE.md 4.1), and an update takes the same
  `include`, so every read and write here asks for both.

Unset semantics differ by wire. v1 removes a metadata key with `""` and lets only
`business_profile.support_url` be emptied (`Literal['']|str` in `_account_update_params.py`); v2
removes a metadata key with `null` (`Dict[str, Optional[str]]` in
`stripe/params/v2/core/_account_update_params.py`) and its branding, support and profile fields are
plain `str`, so none can be emptied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .branding import BRANDING_FIELDS, PROFILE_FIELDS

AccountsApi = Literal["v1", "v2"]
ACCOUNTS_APIS: tuple[AccountsApi, ...] = ("v1", "v2")
DEFAULT_ACCOUNTS_API: AccountsApi = "v1"

Path = tuple[str, ...]

# Declared field -> its place on each API's account object, which is also its place in that API's
# update body.
FIELD_PATHS: dict[str, dict[AccountsApi, Path]] = {
    # v2: "Accounts v2 has the same four fields at configuration.merchant.branding" (STRIPE.md 3);
    # AccountUpdateParamsConfigurationMerchantBranding in stripe-python 16.1.0.
    **{f: {"v1": ("settings", "branding", f), "v2": ("configuration", "merchant", "branding", f)}
       for f in BRANDING_FIELDS},
    # v2 `defaults.profile.doing_business_as` is "The customer-facing business name."
    # (stripe-python 16.1.0 stripe/v2/core/_account.py), v1's words for `business_profile.name`
    # (stripe/_account.py). Whether Stripe also copies it to `display_name` is not documented.
    "business_name": {"v1": ("business_profile", "name"), "v2": ("defaults", "profile", "doing_business_as")},
    # v2 `configuration.merchant.support.{email,phone,url}`: "A publicly available email address for
    # sending support issues to" etc. (AccountUpdateParamsConfigurationMerchantSupport).
    "support_email": {"v1": ("business_profile", "support_email"),
                      "v2": ("configuration", "merchant", "support", "email")},
    "support_phone": {"v1": ("business_profile", "support_phone"),
                      "v2": ("configuration", "merchant", "support", "phone")},
    "support_url": {"v1": ("business_profile", "support_url"),
                    "v2": ("configuration", "merchant", "support", "url")},
    # Stripe changelog 2025-09-30.clover "moving-identity-fields": the business's URL moved to
    # `defaults.profile` (as `business_url`; AccountUpdateParamsDefaultsProfile).
    "url": {"v1": ("business_profile", "url"), "v2": ("defaults", "profile", "business_url")},
}
assert set(FIELD_PATHS) == {*BRANDING_FIELDS, *PROFILE_FIELDS}

# What a v2 read or write asks Stripe to include (the `include` enum of the v2 retrieve/update params).
V2_INCLUDE = ("configuration.merchant", "defaults")

# Fields Stripe lets a platform empty, per wire (module docstring).
_EMPTYABLE: dict[AccountsApi, frozenset[str]] = {"v1": frozenset({"support_url"}), "v2": frozenset()}
# How each wire removes one metadata key.
_METADATA_REMOVAL: dict[AccountsApi, str | None] = {"v1": "", "v2": None}


def accounts_api(value: object) -> AccountsApi:
    """`value` as an Accounts API name; raises ValueError saying what to write."""
    if value in ACCOUNTS_APIS:
        return value
    raise ValueError(f"is {value!r}; set v1 (POST /v1/accounts/{{id}}) or v2 (POST /v2/core/accounts/{{id}}), "
                     "the Accounts API your Connect platform uses")


def account_path(api: AccountsApi, account_id: str) -> str:
    return f"/v2/core/accounts/{account_id}" if api == "v2" else f"/v1/accounts/{account_id}"


def retrieve_params(api: AccountsApi) -> dict[str, Any]:
    """The query of a retrieve that returns every managed field."""
    return {"include": list(V2_INCLUDE)} if api == "v2" else {}


def emptyable(api: AccountsApi, field: str) -> bool:
    return field in _EMPTYABLE[api]


def live_values(api: AccountsApi, account: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields as Stripe holds them now (None where unset). Colours are lower case, as
    declared ones are; an expanded File counts as its ID."""
    out: dict[str, Any] = {}
    for field, paths in FIELD_PATHS.items():
        value = _get(account, paths[api])
        if isinstance(value, Mapping):
            value = value.get("id")
        if field in ("primary_color", "secondary_color") and isinstance(value, str):
            value = value.lower()
        out[field] = value
    return out


def account_update(api: AccountsApi, values: Mapping[str, Any], *, metadata: Mapping[str, str] | None = None,
                   remove_metadata: tuple[str, ...] = ()) -> dict[str, Any]:
    """The body that sets the declared `values` (field -> value), sets `metadata` and removes the keys
    `remove_metadata`, on `api`'s wire. Empty when there is nothing to send; a v2 body also asks for
    the fields it changes back (`include`), so the answer can be read like a retrieve."""
    body: dict[str, Any] = {}
    for field, value in values.items():
        _put(body, FIELD_PATHS[field][api], value)
    changes: dict[str, Any] = {**dict(metadata or {}),
                               **dict.fromkeys(remove_metadata, _METADATA_REMOVAL[api])}
    if changes:
        body["metadata"] = changes
    if body and api == "v2":
        body["include"] = list(V2_INCLUDE)
    return body


def refused_file_param(api: AccountsApi, param: str | None) -> bool:
    """Whether Stripe's `param` names a branding image (its File was refused)."""
    # v2 errors name a field by its dotted path (STRIPE.md 4.1); the bracket form is accepted too.
    prefixes = ("settings[branding]",) if api == "v1" else ("configuration.merchant.branding",
                                                            "configuration[merchant][branding]")
    return bool(param) and str(param).startswith(prefixes)


def _get(tree: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(tree, Mapping):
            return None
        tree = tree.get(key)
    return tree


def _put(tree: dict[str, Any], path: Path, value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


# What Stripe answers when a platform uses the Accounts API it may not, as observed (STRIPE.md 4.1):
# v2 on a platform not enrolled, v2 with a test-mode key (v2 needs a sandbox), and v1 on an account
# that needs v2 (`account_token_required_for_v2_account` is in Stripe's error codes, undescribed, and
# "Accounts v1 support for new Connect integrations" says an error may send a platform to v2).
_NOT_ENROLLED = "accounts v2 is not enabled"
_TEST_MODE = "isn't available in test mode"
_V2_ONLY_CODES = frozenset({"account_token_required_for_v2_account"})
_V2_ONLY_HINTS = ("/v2/core/accounts", "accounts-v2/account-creation")


def wrong_api(api: AccountsApi, code: str | None, message: str) -> str | None:
    """Why Stripe refused `api` for this platform, and which `portal-infra:accountsApi` to set; None when
    the refusal is about something else."""
    text = message.lower()
    if api == "v2" and _NOT_ENROLLED in text:
        return ("this platform is not enrolled in Accounts v2, so Stripe refuses /v2/core/accounts. Set "
                "`pulumi config set portal-infra:accountsApi v1` (the API the platform uses), or enrol the "
                "platform in Accounts v2 in the Dashboard (Settings > Connect > Platform setup)")
    if api == "v2" and _TEST_MODE in text:
        return ("Accounts v2 is not available to a test-mode key; Stripe offers v2 in sandboxes. Use a "
                "sandbox's key, or `pulumi config set portal-infra:accountsApi v1` for this test-mode stack")
    if api == "v1" and (code in _V2_ONLY_CODES or any(h in text for h in _V2_ONLY_HINTS)):
        return ("Stripe refuses Accounts v1 for this account or platform (new Connect platforms use Accounts "
                "v2). Set `pulumi config set portal-infra:accountsApi v2`")
    return None
