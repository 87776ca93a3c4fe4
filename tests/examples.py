"""Declared portal configurations shared by the tests."""

from __future__ import annotations

import copy
from typing import Any

FULL: dict[str, Any] = {
    "name": "Acme portal",
    "active": True,
    "default_return_url": "https://acme.example/account",
    "metadata": {"team": "billing", "tier": "gold"},
    "business_profile": {
        "headline": "Manage your Acme subscription",
        "privacy_policy_url": "https://acme.example/privacy",
        "terms_of_service_url": "https://acme.example/terms",
    },
    "login_page": {"enabled": True},
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "address", "tax_id"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True, "payment_method_configuration": "pmc_123"},
        "subscription_cancel": {
            "enabled": True,
            "mode": "immediately",
            "proration_behavior": "create_prorations",
            "cancellation_reason": {
                "enabled": True,
                "options": ["too_expensive", "other"],
                "feedback_options": ["fdbk_1"],
            },
        },
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price", "quantity", "promotion_code"],
            "products": [
                {"product": "prod_A", "prices": ["price_A1", "price_A2"]},
                {"product": "prod_B", "prices": ["price_B1"],
                 "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 10}},
            ],
            "proration_behavior": "always_invoice",
            "billing_cycle_anchor": "now",
            "trial_update_behavior": "continue_trial",
            "schedule_at_period_end": {"conditions": [{"type": "decreasing_item_amount"},
                                                      {"type": "shortening_interval"}]},
        },
        "subscription_pause": {
            "enabled": True,
            "duration": {"type": "interval_options",
                         "interval_options": [{"interval": "month", "interval_count": 1}]},
        },
    },
}

MINIMAL: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}}


def full() -> dict[str, Any]:
    return copy.deepcopy(FULL)


# Every optional leaf of FULL (paths into the dict) that a user may remove to unset it.
OPTIONAL_LEAVES: list[tuple[str, ...]] = [
    ("name",), ("default_return_url",), ("metadata",),
    ("business_profile", "headline"), ("business_profile", "privacy_policy_url"),
    ("business_profile", "terms_of_service_url"), ("business_profile",), ("login_page",),
    ("features", "customer_update", "allowed_updates"),
    ("features", "payment_method_update", "payment_method_configuration"),
    ("features", "subscription_cancel", "mode"),
    ("features", "subscription_cancel", "cancellation_reason", "feedback_options"),
    ("features", "subscription_update", "products"),
    ("features", "subscription_update", "proration_behavior"),
    ("features", "subscription_update", "billing_cycle_anchor"),
    ("features", "subscription_update", "trial_update_behavior"),
    ("features", "subscription_update", "schedule_at_period_end"),
    ("features", "subscription_pause", "duration"),
    ("features", "subscription_pause"),
]


def without(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    if path[-1] == "products":  # 'price' switching needs products; drop it with them
        node["default_allowed_updates"] = ["quantity"]
    if path == ("features", "subscription_cancel", "mode"):  # create_prorations needs immediately
        node["proration_behavior"] = "none"
    return out


def for_fake() -> dict[str, Any]:
    """FULL without what needs seeded objects (products, feedback options) or is not in stripe-mock's
    spec (pause): a portal the stateful fake accepts as it is."""
    data = full()
    data["features"]["subscription_update"]["products"] = []
    data["features"]["subscription_update"]["default_allowed_updates"] = ["quantity", "promotion_code"]
    data["features"]["subscription_cancel"]["cancellation_reason"].pop("feedback_options")
    del data["features"]["subscription_pause"]
    return data
