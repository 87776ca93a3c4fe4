"""State of the fake Stripe, one `AccountStore` per (mode, account), and the shared rules."""

from __future__ import annotations

import base64
import copy
import re
import secrets
import string
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import InvalidParam, ResourceMissing, StripeError

Obj = dict[str, Any]
PLATFORM = "platform"
_ALPHABET = string.ascii_letters + string.digits
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


class Clock:
    """Unix seconds that never repeat for `updated`, so each write is distinguishable."""

    def __init__(self) -> None:
        self._last = 0

    def tick(self) -> int:
        self._last = max(int(time.time()), self._last + 1)
        return self._last


def param_name(path: Iterable[str | int]) -> str:
    parts = list(path)
    return str(parts[0]) + "".join(f"[{p}]" for p in parts[1:]) if parts else ""


def to_bool(value: Any, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise InvalidParam(param, f"Invalid boolean: {value}", code="parameter_invalid_boolean")


def to_int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidParam(param, f"Invalid integer: {value}", code="parameter_invalid_integer") from None


def check_url(value: Any, param: str) -> None:
    if not isinstance(value, str):
        raise InvalidParam(param, f"Invalid URL: {value}", code="url_invalid")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise InvalidParam(param, f"Not a valid URL: {value}", code="url_invalid")


def check_length(value: Any, limit: int, param: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise InvalidParam(param, f"Invalid string: {value[:20]}...; must be at most {limit} characters",
                           code="string_too_long")


def check_hex_color(value: Any, param: str) -> None:
    if not isinstance(value, str) or not _HEX.match(value):
        raise InvalidParam(param, f"Invalid hex color: {value}; use #RGB or #RRGGBB")


def check_enum(value: Any, allowed: Iterable[str], param: str) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidParam(param, f"Invalid {param.rsplit('[', 1)[-1].rstrip(']')}: must be one of "
                                  f"{', '.join(allowed)}", code="parameter_invalid_string")


def apply_metadata(current: dict[str, str], value: Any, param: str = "metadata") -> dict[str, str]:
    """Stripe's metadata merge: `metadata=""` clears all, `metadata[k]=""` removes one key."""
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise InvalidParam(param, "Invalid metadata: must be a hash")
    out = dict(current)
    for key, item in value.items():
        if item == "":
            out.pop(key, None)
            continue
        if len(key) > 40:
            raise InvalidParam(f"{param}[{key}]", "Invalid metadata: metadata keys can be up to 40 characters long")
        if "[" in key or "]" in key:
            raise InvalidParam(f"{param}[{key}]", "Invalid metadata: keys may not contain '[' or ']'")
        if not isinstance(item, str) or len(item) > 500:
            raise InvalidParam(f"{param}[{key}]",
                               "Invalid metadata: metadata values can be up to 500 characters long")
        out[key] = item
    if len(out) > 50:
        raise InvalidParam(param, "Invalid metadata: metadata can have up to 50 keys")
    return out


class Collection:
    """Objects of one kind, newest last, with Stripe's list semantics."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: OrderedDict[str, Obj] = OrderedDict()

    def add(self, obj: Obj) -> Obj:
        self.items[obj["id"]] = obj
        return obj

    def get(self, id_: str, param: str = "id") -> Obj:
        try:
            return self.items[id_]
        except KeyError:
            raise ResourceMissing(self.kind, id_, param) from None

    def list(self, params: Obj, url: str, keep: Callable[[Obj], bool] = lambda _: True) -> Obj:
        limit = to_int(params.get("limit", 10), "limit")
        if not 1 <= limit <= 100:
            raise InvalidParam("limit", "Invalid limit: must be between 1 and 100", code="parameter_invalid_integer")
        newest_first = [o for o in reversed(self.items.values()) if keep(o)]
        start = 0
        after = params.get("starting_after")
        before = params.get("ending_before")
        if after:
            ids = [o["id"] for o in newest_first]
            if after not in self.items:
                raise ResourceMissing(self.kind, after, "starting_after")
            start = ids.index(after) + 1 if after in ids else len(ids)
            page = newest_first[start:start + limit]
            more = len(newest_first) > start + limit
        elif before:
            ids = [o["id"] for o in newest_first]
            if before not in self.items:
                raise ResourceMissing(self.kind, before, "ending_before")
            end = ids.index(before) if before in ids else 0
            page = newest_first[max(0, end - limit):end]
            more = end - limit > 0
        else:
            page = newest_first[:limit]
            more = len(newest_first) > limit
        return {"object": "list", "data": copy.deepcopy(page), "has_more": more, "url": url}


class AccountStore:
    """Everything one account owns in one mode."""

    def __init__(self, mode: str, account: str, clock: Clock) -> None:
        self.mode = mode
        self.account = account
        self.clock = clock
        self.livemode = mode == "live"
        self.configurations = Collection("billing_portal.configuration")
        self.sessions = Collection("billing_portal.session")
        self.accounts = Collection("account")
        self.files = Collection("file")
        self.file_contents: dict[str, bytes] = {}
        self.products = Collection("product")
        self.prices = Collection("price")
        self.customers = Collection("customer")
        self.coupons = Collection("coupon")
        self.feedback_options = Collection("billing.feedback_option")
        self.default_configuration_id = ""
        # Set only through the control API (Stripe has none): {"domain", "status"}.
        self.custom_domain: Obj | None = None


class Backend:
    """All state. One lock: the fake favours being obviously right over being concurrent."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.platform_account_id = "acct_" + "fakeplatform0000000000"
        self._stores: dict[tuple[str, str], AccountStore] = {}
        # Per mode: the platform's own business_profile / settings.branding (see accounts.own_account).
        self.platform_settings: dict[str, Obj] = {}
        # Per mode: what kind of Connect platform this is (accounts_v2.PLATFORM_DEFAULTS; control API
        # `POST /_fake/platform`). Absent: the defaults.
        self.platform_flags: dict[str, Obj] = {}
        self._on_new_store: list[Callable[[AccountStore], None]] = []

    def on_new_store(self, hook: Callable[[AccountStore], None]) -> None:
        self._on_new_store.append(hook)

    def store(self, mode: str, account: str | None) -> AccountStore:
        key = (mode, account or PLATFORM)
        found = self._stores.get(key)
        if found is None:
            if account and account != PLATFORM:
                platform = self.store(mode, None)
                if account not in platform.accounts.items:
                    raise StripeError(
                        403, f"The provided key does not have access to account '{account}' "
                             "(or that account does not exist).", type_="invalid_request_error",
                        code="account_invalid")
            found = AccountStore(mode, account or PLATFORM, self.clock)
            self._stores[key] = found
            for hook in self._on_new_store:
                hook(found)
        return found

    def reset(self) -> None:
        with self.lock:
            self._stores.clear()
            self.platform_settings.clear()
            self.platform_flags.clear()

    # Persistence, so a fake that serves `make up` keeps its objects between runs.
    _COLLECTIONS = ("configurations", "sessions", "accounts", "files", "products", "prices", "customers",
                    "coupons", "feedback_options")

    def dump(self) -> dict[str, Any]:
        with self.lock:
            stores = []
            for (mode, account), store in self._stores.items():
                stores.append({
                    "mode": mode, "account": account, "default_configuration_id": store.default_configuration_id,
                    "custom_domain": store.custom_domain,
                    "collections": {name: list(getattr(store, name).items.values()) for name in self._COLLECTIONS},
                    "file_contents": {k: base64.b64encode(v).decode() for k, v in store.file_contents.items()},
                })
            return {"clock": self.clock.tick(), "stores": stores, "platform_settings": self.platform_settings,
                    "platform_flags": self.platform_flags}

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self._stores.clear()
            self.clock = Clock()
            self.clock._last = int(data.get("clock", 0))
            self.platform_settings = dict(data.get("platform_settings") or {})
            self.platform_flags = dict(data.get("platform_flags") or {})
            for entry in data.get("stores", []):
                store = AccountStore(entry["mode"], entry["account"], self.clock)
                store.default_configuration_id = entry["default_configuration_id"]
                store.custom_domain = entry.get("custom_domain")
                for name, items in entry["collections"].items():
                    for item in items:
                        getattr(store, name).add(item)
                store.file_contents = {k: base64.b64decode(v) for k, v in entry["file_contents"].items()}
                self._stores[(entry["mode"], entry["account"])] = store
