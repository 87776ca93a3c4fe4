"""Custom domains: Dashboard-only in Stripe (no API), so only the control API sets them here.

Once an account's domain is active, Stripe serves its hosted pages there; the observable effect
through the API is that portal session URLs use the domain instead of billing.stripe.com.
"""

from __future__ import annotations

import re
from typing import Any

from ..exceptions import StripeError
from .base import AccountStore, Backend, Obj

STRIPE_PORTAL_HOST = "billing.stripe.com"
STATUSES = ("pending", "active")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def portal_host(store: AccountStore) -> str:
    found = store.custom_domain
    return str(found["domain"]) if found and found["status"] == "active" else STRIPE_PORTAL_HOST


def set_custom_domain(backend: Backend, data: Any) -> Obj:
    """Control API: `{"domain", "status": "active"|"pending", "account": acct_…|null, "mode": "test"}`;
    `{"domain": null}` removes it. One custom domain per account, as in Stripe."""
    if not isinstance(data, dict):
        raise ValueError("send a JSON object: {\"domain\": \"billing.example.com\", \"account\": null}")
    domain = data.get("domain")
    status = data.get("status", "active")
    if domain is not None and not (isinstance(domain, str) and _HOST.match(domain)):
        raise ValueError(f"domain {domain!r} is not a lower-case host name like billing.example.com")
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    try:
        store = backend.store(str(data.get("mode", "test")), data.get("account"))
    except StripeError as err:
        raise ValueError(err.message) from None
    store.custom_domain = None if domain is None else {"domain": domain, "status": status}
    return {"account": data.get("account"), "custom_domain": store.custom_domain}
