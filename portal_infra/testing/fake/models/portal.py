"""billing_portal configurations and sessions: state and Stripe's rules for them."""

from __future__ import annotations

import copy
from typing import Any

from ..exceptions import InvalidParam, MissingParam, StripeError, UnknownParam
from .base import (
    AccountStore,
    Obj,
    apply_metadata,
    check_enum,
    check_length,
    check_url,
    new_id,
    param_name,
    to_bool,
    to_int,
)
from .domains import portal_host

DEFAULT_REASONS = ["too_expensive", "missing_features", "switched_service", "unused", "other"]
ENUMS: dict[tuple[str, ...], list[str]] = {
    ("features", "customer_update", "allowed_updates", "*"): ["address", "email", "name", "phone", "shipping",
                                                              "tax_id"],
    ("features", "subscription_cancel", "mode"): ["at_period_end", "immediately"],
    ("features", "subscription_cancel", "proration_behavior"): ["always_invoice", "create_prorations", "none"],
    ("features", "subscription_cancel", "cancellation_reason", "options", "*"): [
        "customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex",
        "too_expensive", "unused"],
    ("features", "subscription_update", "default_allowed_updates", "*"): ["price", "promotion_code", "quantity"],
    ("features", "subscription_update", "proration_behavior"): ["always_invoice", "create_prorations", "none"],
    ("features", "subscription_update", "billing_cycle_anchor"): ["now", "unchanged"],
    ("features", "subscription_update", "trial_update_behavior"): ["continue_trial", "end_trial"],
    ("features", "subscription_update", "schedule_at_period_end", "conditions", "*", "type"): [
        "decreasing_item_amount", "shortening_interval"],
    ("features", "subscription_pause", "duration", "type"): ["indefinite", "interval_options"],
    ("features", "subscription_pause", "duration", "interval_options", "*", "interval"): [
        "day", "week", "month", "year"],
}
BOOLS = {"enabled", "active"}
INTS = {"minimum", "maximum", "interval_count"}
URLS = {("default_return_url",), ("business_profile", "privacy_policy_url"),
        ("business_profile", "terms_of_service_url")}
# Objects whose keys are free-form (no template to check against).
FREE_FORM = {("metadata",)}
# Lists of objects, and the template of one item.
ITEM_TEMPLATES: dict[tuple[str, ...], Obj] = {
    ("features", "subscription_update", "products"): {
        "product": None, "prices": [], "adjustable_quantity": {"enabled": False, "minimum": 0, "maximum": None}},
    ("features", "subscription_update", "schedule_at_period_end", "conditions"): {"type": None},
    ("features", "subscription_pause", "duration", "interval_options"): {"interval": None, "interval_count": 1},
}


def template() -> Obj:
    """A configuration as Stripe fills it when only `features` was sent (STRIPE.md 1.2)."""
    return {
        "object": "billing_portal.configuration",
        "active": True,
        "application": None,
        "business_profile": {"headline": None, "privacy_policy_url": None, "terms_of_service_url": None},
        "default_return_url": None,
        "features": {
            "customer_update": {"allowed_updates": [], "enabled": False},
            "invoice_history": {"enabled": False},
            "payment_method_update": {"enabled": False, "payment_method_configuration": None},
            "subscription_cancel": {
                "cancellation_reason": {"enabled": False, "options": list(DEFAULT_REASONS), "feedback_options": []},
                "enabled": False, "mode": "at_period_end", "proration_behavior": "none",
            },
            "subscription_update": {
                "billing_cycle_anchor": None, "default_allowed_updates": [], "enabled": False, "products": [],
                "proration_behavior": "none", "schedule_at_period_end": {"conditions": []},
                "trial_update_behavior": "end_trial",
            },
            "subscription_pause": {
                "enabled": False,
                "duration": {"type": "interval_options", "interval_options": [{"interval": "month",
                                                                               "interval_count": 1}]},
            },
        },
        "is_default": False,
        "login_page": {"enabled": False, "url": None},
        "metadata": {},
        "name": None,
    }


_SETTABLE_TOP = {"active", "business_profile", "default_return_url", "features", "login_page", "metadata", "name"}
_READ_ONLY_NESTED = {("login_page", "url")}


def _coerce(value: Any, path: tuple[str, ...]) -> Any:
    param = param_name(path)
    key = path[-1]
    if key in BOOLS:
        return to_bool(value, param)
    if key in INTS:
        return to_int(value, param)
    return value


def _enum_key(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("*" if p.isdigit() else p for p in path)


def _merge(current: Any, value: Any, path: tuple[str, ...], shape: Any) -> Any:
    """Apply one param onto the stored value with Stripe's partial-update and unset semantics."""
    param = param_name(path)
    if path in FREE_FORM:
        return apply_metadata(current or {}, value, param)
    if path in _READ_ONLY_NESTED:
        raise UnknownParam(param)
    if value == "":
        if isinstance(shape, list) or path in ITEM_TEMPLATES:
            return []
        if isinstance(shape, dict):
            raise InvalidParam(param, f"Invalid object: {param} cannot be empty", code="parameter_invalid_empty")
        if path[-1] in BOOLS or path[-1] in INTS or _enum_key(path) in ENUMS:
            raise InvalidParam(param, f"Invalid {path[-1]}: cannot be empty", code="parameter_invalid_empty")
        return None
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise InvalidParam(param, f"Invalid object: {param} must be a hash", code="parameter_invalid_object")
        out = dict(current) if isinstance(current, dict) else copy.deepcopy(shape)
        for key, item in value.items():
            if key not in shape:
                raise UnknownParam(param_name((*path, key)))
            out[key] = _merge(out.get(key), item, (*path, key), shape[key])
        return out
    if path in ITEM_TEMPLATES or isinstance(shape, list):
        if not isinstance(value, list):
            raise InvalidParam(param, f"Invalid array: {param}", code="parameter_invalid_array")
        item_shape = ITEM_TEMPLATES.get(path)
        items = []
        for i, item in enumerate(value):
            where = (*path, str(i))
            if item_shape is None:
                check = ENUMS.get(_enum_key(where))
                if check:
                    check_enum(item, check, param_name(where))
                items.append(item)
            else:
                items.append(_merge(None, item, where, item_shape))
        return items
    coerced = _coerce(value, path)
    allowed = ENUMS.get(_enum_key(path))
    if allowed:
        check_enum(coerced, allowed, param)
    if path in URLS:
        check_url(coerced, param)
    return coerced


def _rules(obj: Obj, store: AccountStore) -> None:
    """Rules Stripe enforces that stripe-mock does not (STRIPE-MOCK.md 2.3)."""
    check_length(obj["name"], 256, "name")
    check_length(obj["business_profile"]["headline"], 60, "business_profile[headline]")
    cancel = obj["features"]["subscription_cancel"]
    if cancel["proration_behavior"] == "create_prorations" and cancel["mode"] != "immediately":
        raise InvalidParam("features[subscription_cancel][proration_behavior]",
                           "create_prorations is only allowed when mode is immediately")
    if cancel["proration_behavior"] == "always_invoice":
        raise InvalidParam("features[subscription_cancel][proration_behavior]",
                           "always_invoice is not supported when cancelling subscriptions")
    reason = cancel["cancellation_reason"]
    if reason["enabled"] and not reason["options"]:
        raise InvalidParam("features[subscription_cancel][cancellation_reason][options]",
                           "At least one cancellation reason option is required when reasons are enabled")
    for i, option in enumerate(reason["feedback_options"] or []):
        found = store.feedback_options.get(
            option, f"features[subscription_cancel][cancellation_reason][feedback_options][{i}]")
        if found["status"] != "active":
            raise InvalidParam(f"features[subscription_cancel][cancellation_reason][feedback_options][{i}]",
                               f"Feedback option {option} is inactive and cannot be used")
    update = obj["features"]["subscription_update"]
    products = update["products"] or []
    if len(products) > 10:
        raise InvalidParam("features[subscription_update][products]", "You can specify at most 10 products")
    for i, product in enumerate(products):
        where = f"features[subscription_update][products][{i}]"
        if not product.get("product"):
            raise MissingParam(f"{where}[product]")
        if not product.get("prices"):
            raise MissingParam(f"{where}[prices]")
        store.products.get(product["product"], f"{where}[product]")
        for j, price_id in enumerate(product["prices"]):
            price = store.prices.get(price_id, f"{where}[prices][{j}]")
            if price["product"] != product["product"]:
                raise InvalidParam(f"{where}[prices][{j}]",
                                   f"Price {price_id} does not belong to product {product['product']}")
        quantity = product["adjustable_quantity"]
        if quantity["maximum"] is not None and quantity["minimum"] > quantity["maximum"]:
            raise InvalidParam(f"{where}[adjustable_quantity][minimum]",
                               "The minimum quantity cannot be greater than the maximum quantity")


def _login_url(store: AccountStore) -> str:
    return f"https://billing.stripe.com/p/login/{'test_' if store.mode == 'test' else ''}{new_id('x')[2:14]}"


def _apply(store: AccountStore, obj: Obj, params: Obj) -> Obj:
    shape = template()
    out = copy.deepcopy(obj)
    for key, value in params.items():
        if key not in _SETTABLE_TOP:
            raise UnknownParam(key)
        out[key] = _merge(out.get(key), value, (key,), shape.get(key))
    _rules(out, store)
    login = out["login_page"]
    if login["enabled"] and not login["url"]:
        login["url"] = _login_url(store)
    if not login["enabled"]:
        login["url"] = None  # disabling the login page deactivates its URL
    return out


def create_configuration(store: AccountStore, params: Obj) -> Obj:
    if "features" not in params:
        raise MissingParam("features")
    if "active" in params:
        raise UnknownParam("active")
    if params.get("metadata") == "":
        raise InvalidParam("metadata", "Invalid object: metadata cannot be empty on create")
    base = template()
    base.update(id=new_id("bpc"), livemode=store.livemode)
    obj = _apply(store, base, params)
    obj["created"] = obj["updated"] = store.clock.tick()
    return copy.deepcopy(store.configurations.add(obj))


def update_configuration(store: AccountStore, id_: str, params: Obj) -> Obj:
    current = store.configurations.get(id_, "configuration")
    obj = _apply(store, current, params)
    if obj["is_default"] and obj["active"] is False:
        raise StripeError(400, "You cannot set `active: false` on your default PortalConfiguration.",
                          param="active")
    if obj != current:
        obj["updated"] = store.clock.tick()
    store.configurations.items[id_] = obj
    return copy.deepcopy(obj)


def retrieve_configuration(store: AccountStore, id_: str) -> Obj:
    return copy.deepcopy(store.configurations.get(id_, "configuration"))


def list_configurations(store: AccountStore, params: Obj) -> Obj:
    def keep(obj: Obj) -> bool:
        for flag in ("active", "is_default"):
            if flag in params and obj[flag] != to_bool(params[flag], flag):
                return False
        return True

    return store.configurations.list(params, "/v1/billing_portal/configurations", keep)


def ensure_default_configuration(store: AccountStore) -> None:
    """Every account has the Dashboard-managed default configuration from the start."""
    obj = template()
    obj["features"]["invoice_history"]["enabled"] = True
    obj["features"]["payment_method_update"]["enabled"] = True
    obj.update(id=new_id("bpc"), is_default=True, livemode=store.livemode)
    obj["created"] = obj["updated"] = store.clock.tick()
    store.configurations.add(obj)
    store.default_configuration_id = obj["id"]


def create_session(store: AccountStore, params: Obj) -> Obj:
    customer = params.get("customer")
    if not customer:
        raise MissingParam("customer")
    store.customers.get(customer, "customer")
    config_id = params.get("configuration") or store.default_configuration_id
    config = store.configurations.get(config_id, "configuration")
    if not config["active"]:
        raise InvalidParam("configuration", f"The configuration {config_id} is inactive and cannot be used "
                                            "to create portal sessions.")
    return_url = params.get("return_url") or config["default_return_url"]
    if return_url is None:
        raise MissingParam("return_url")
    check_url(return_url, "return_url")
    session = {
        "id": new_id("bps"), "object": "billing_portal.session", "configuration": config_id,
        "created": store.clock.tick(), "customer": customer, "flow": _flow(store, params.get("flow_data")),
        "livemode": store.livemode,
        "locale": params.get("locale"), "on_behalf_of": params.get("on_behalf_of"), "return_url": return_url,
        "url": f"https://{portal_host(store)}/p/session/{'test_' if store.mode == 'test' else ''}"
               f"{new_id('s')[2:26]}",
    }
    return copy.deepcopy(store.sessions.add(session))




_FLOW_TYPES = ["customer_update", "payment_method_update", "subscription_cancel", "subscription_update",
               "subscription_update_confirm", "subscription_pause"]


def _flow(store: AccountStore, flow_data: Any) -> Obj | None:
    """The session's `flow`, from `flow_data`. A retention offer must name a coupon of this account and
    mode (subscriptions are not modelled, so their IDs are taken as given)."""
    if flow_data is None:
        return None
    if not isinstance(flow_data, dict):
        raise InvalidParam("flow_data", "Invalid flow_data: must be a hash")
    check_enum(flow_data.get("type"), _FLOW_TYPES, "flow_data[type]")
    kind = flow_data["type"]
    flow: Obj = {"type": kind, "after_completion": flow_data.get("after_completion") or {"type": "portal_homepage"}}
    if kind == "subscription_cancel":
        cancel = flow_data.get("subscription_cancel") or {}
        if not cancel.get("subscription"):
            raise MissingParam("flow_data[subscription_cancel][subscription]")
        retention = cancel.get("retention")
        if retention is not None:
            check_enum(retention.get("type"), ["coupon_offer"], "flow_data[subscription_cancel][retention][type]")
            coupon = (retention.get("coupon_offer") or {}).get("coupon")
            if not coupon:
                raise MissingParam("flow_data[subscription_cancel][retention][coupon_offer][coupon]")
            store.coupons.get(coupon, "flow_data[subscription_cancel][retention][coupon_offer][coupon]")
        flow["subscription_cancel"] = {"subscription": cancel["subscription"], "retention": retention}
    return flow
