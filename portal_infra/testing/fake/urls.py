"""Routes: (method, path pattern) -> response function."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import responses as r

Handler = Callable[[r.Request], r.Reply]
_ID = r"(?P<id>[^/]+)"

ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in [
        ("POST", "/v1/billing_portal/configurations", r.create_configuration),
        ("GET", "/v1/billing_portal/configurations", r.list_configurations),
        ("GET", f"/v1/billing_portal/configurations/{_ID}", r.retrieve_configuration),
        ("POST", f"/v1/billing_portal/configurations/{_ID}", r.update_configuration),
        ("POST", "/v1/billing_portal/sessions", r.create_session),
        ("POST", "/v1/accounts", r.create_account),
        ("GET", "/v1/accounts", r.list_accounts),
        ("GET", f"/v1/accounts/{_ID}", r.retrieve_account),
        ("POST", f"/v1/accounts/{_ID}", r.update_account),
        ("DELETE", f"/v1/accounts/{_ID}", r.delete_account),
        ("GET", "/v1/account", r.own_account),
        ("POST", "/v2/core/accounts", r.create_account_v2),
        ("GET", "/v2/core/accounts", r.list_accounts_v2),
        ("GET", f"/v2/core/accounts/{_ID}", r.retrieve_account_v2),
        ("POST", f"/v2/core/accounts/{_ID}", r.update_account_v2),
        ("POST", f"/v2/core/accounts/{_ID}/close", r.close_account_v2),
        ("POST", "/v1/files", r.create_file),
        ("GET", "/v1/files", r.list_files),
        ("GET", f"/v1/files/{_ID}", r.retrieve_file),
        ("GET", f"/v1/files/{_ID}/contents", r.file_contents),
        ("POST", "/v1/products", r.create_product),
        ("GET", "/v1/products", r.list_products),
        ("GET", f"/v1/products/{_ID}", r.retrieve_product),
        ("POST", f"/v1/products/{_ID}", r.update_product),
        ("POST", "/v1/prices", r.create_price),
        ("GET", "/v1/prices", r.list_prices),
        ("POST", f"/v1/prices/{_ID}", r.update_price),
        ("POST", "/v1/customers", r.create_customer),
        ("GET", f"/v1/customers/{_ID}", r.retrieve_customer),
        ("DELETE", f"/v1/customers/{_ID}", r.delete_customer),
        ("POST", "/v1/coupons", r.create_coupon),
        ("GET", f"/v1/coupons/{_ID}", r.retrieve_coupon),
        ("POST", "/v1/billing/feedback_options", r.create_feedback_option),
        ("GET", "/v1/billing/feedback_options", r.list_feedback_options),
        ("GET", f"/v1/billing/feedback_options/{_ID}", r.retrieve_feedback_option),
        ("POST", f"/v1/billing/feedback_options/{_ID}", r.update_feedback_option),
        ("POST", f"/v1/billing/feedback_options/{_ID}/deactivate", r.deactivate_feedback_option),
    ]
]


def _match(method: str, path: str) -> tuple[re.Pattern[str], Handler, dict[str, str]] | None:
    for route_method, pattern, handler in ROUTES:
        if route_method == method:
            found = pattern.match(path)
            if found:
                return pattern, handler, found.groupdict()
    return None


def resolve(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    found = _match(method, path)
    return (found[1], found[2]) if found else None


def route_name(method: str, path: str) -> str:
    """`METHOD /v1/things/{id}`: the path with IDs folded, for counters."""
    found = _match(method, path)
    return f"{method} {found[0].pattern[1:-1].replace(_ID, '{id}')}" if found else f"{method} {path}"
