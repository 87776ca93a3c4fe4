"""Products, prices, customers, coupons and billing feedback options: what portal settings refer to."""

from __future__ import annotations

import copy

from ..exceptions import InvalidParam, MissingParam, StripeError
from .base import AccountStore, Obj, apply_metadata, check_enum, check_length, new_id, to_bool, to_int


def create_product(store: AccountStore, params: Obj) -> Obj:
    if not params.get("name"):
        raise MissingParam("name")
    id_ = params.get("id") or new_id("prod")
    if id_ in store.products.items:
        raise StripeError(400, f"Product already exists: {id_}", code="resource_already_exists", param="id")
    obj = {"id": id_, "object": "product", "name": params["name"], "active": to_bool(params.get("active", True),
                                                                                    "active"),
           "created": store.clock.tick(), "livemode": store.livemode,
           "metadata": apply_metadata({}, params.get("metadata", {}))}
    return copy.deepcopy(store.products.add(obj))


def create_price(store: AccountStore, params: Obj) -> Obj:
    if not params.get("currency"):
        raise MissingParam("currency")
    product = params.get("product")
    if not product:
        raise MissingParam("product")
    store.products.get(product, "product")
    lookup_key = params.get("lookup_key")
    if lookup_key:
        check_length(lookup_key, 200, "lookup_key")
        clash = [p for p in store.prices.items.values() if p["lookup_key"] == lookup_key]
        if clash and not to_bool(params.get("transfer_lookup_key", False), "transfer_lookup_key"):
            raise InvalidParam("lookup_key", f"A price with lookup key {lookup_key} already exists; "
                                             "pass transfer_lookup_key=true to move it")
        for other in clash:
            other["lookup_key"] = None
    recurring = params.get("recurring")
    if isinstance(recurring, dict):
        check_enum(recurring.get("interval"), ["day", "week", "month", "year"], "recurring[interval]")
        recurring = {"interval": recurring["interval"],
                     "interval_count": to_int(recurring.get("interval_count", 1), "recurring[interval_count]")}
    obj = {"id": params.get("id") or new_id("price"), "object": "price", "product": product,
           "currency": params["currency"], "active": True, "lookup_key": lookup_key or None,
           "unit_amount": to_int(params["unit_amount"], "unit_amount") if "unit_amount" in params else None,
           "recurring": recurring, "type": "recurring" if recurring else "one_time",
           "created": store.clock.tick(), "livemode": store.livemode,
           "metadata": apply_metadata({}, params.get("metadata", {}))}
    return copy.deepcopy(store.prices.add(obj))


def list_prices(store: AccountStore, params: Obj) -> Obj:
    keys = params.get("lookup_keys")
    wanted = set(keys) if isinstance(keys, list) else None

    def keep(price: Obj) -> bool:
        if wanted is not None and price["lookup_key"] not in wanted:
            return False
        if params.get("product") and price["product"] != params["product"]:
            return False
        return not ("active" in params and price["active"] != to_bool(params["active"], "active"))

    return store.prices.list(params, "/v1/prices", keep)


def create_customer(store: AccountStore, params: Obj) -> Obj:
    obj = {"id": new_id("cus"), "object": "customer", "email": params.get("email"), "name": params.get("name"),
           "created": store.clock.tick(), "livemode": store.livemode,
           "metadata": apply_metadata({}, params.get("metadata", {}))}
    return copy.deepcopy(store.customers.add(obj))


def create_coupon(store: AccountStore, params: Obj) -> Obj:
    if "percent_off" not in params and "amount_off" not in params:
        raise MissingParam("percent_off")
    if "amount_off" in params and not params.get("currency"):
        raise MissingParam("currency")
    duration = params.get("duration", "once")
    check_enum(duration, ["forever", "once", "repeating"], "duration")
    obj = {"id": params.get("id") or new_id("coupon")[7:15], "object": "coupon", "duration": duration,
           "percent_off": float(params["percent_off"]) if "percent_off" in params else None,
           "amount_off": to_int(params["amount_off"], "amount_off") if "amount_off" in params else None,
           "currency": params.get("currency"), "valid": True, "created": store.clock.tick(),
           "livemode": store.livemode, "metadata": apply_metadata({}, params.get("metadata", {}))}
    return copy.deepcopy(store.coupons.add(obj))


def create_feedback_option(store: AccountStore, params: Obj) -> Obj:
    description = params.get("description")
    if not description:
        raise MissingParam("description")
    check_length(description, 100, "description")
    now = store.clock.tick()
    obj = {"id": new_id("fdbk"), "object": "billing.feedback_option", "description": description,
           "livemode": store.livemode, "status": "active",
           "status_transitions": {"activated_at": now, "deactivated_at": None}}
    return copy.deepcopy(store.feedback_options.add(obj))


def update_feedback_option(store: AccountStore, id_: str, params: Obj) -> Obj:
    obj = store.feedback_options.get(id_)
    if "description" in params:
        check_length(params["description"], 100, "description")
        obj["description"] = params["description"]
    return copy.deepcopy(obj)


def deactivate_feedback_option(store: AccountStore, id_: str) -> Obj:
    obj = store.feedback_options.get(id_)
    obj["status"] = "inactive"
    obj["status_transitions"]["deactivated_at"] = store.clock.tick()
    return copy.deepcopy(obj)


def update_product(store: AccountStore, id_: str, params: Obj) -> Obj:
    """POST /v1/products/{id} (stripe/openapi PostProductsId): a partial update; `active=false` archives
    (a product with prices cannot be deleted, so archiving is how it is retired)."""
    obj = store.products.get(id_)
    if "active" in params:
        obj["active"] = to_bool(params["active"], "active")
    if params.get("name"):
        obj["name"] = params["name"]
    if "metadata" in params:
        obj["metadata"] = apply_metadata(obj["metadata"], params["metadata"])
    return copy.deepcopy(obj)


def update_price(store: AccountStore, id_: str, params: Obj) -> Obj:
    """POST /v1/prices/{price} (stripe/openapi PostPricesPrice): `active=false` archives the price, which
    `GET /v1/prices?active=true` (how lookup keys are resolved) then leaves out."""
    obj = store.prices.get(id_)
    if "active" in params:
        obj["active"] = to_bool(params["active"], "active")
    if "metadata" in params:
        obj["metadata"] = apply_metadata(obj["metadata"], params["metadata"])
    return copy.deepcopy(obj)


def delete_customer(store: AccountStore, id_: str) -> Obj:
    """DELETE /v1/customers/{customer} (stripe/openapi DeleteCustomersCustomer): answers `deleted_customer`."""
    store.customers.get(id_, "customer")
    del store.customers.items[id_]
    return {"id": id_, "object": "customer", "deleted": True}
