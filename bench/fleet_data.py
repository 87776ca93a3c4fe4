"""The bench fleet's declarations as plain data, with no portal_infra import: shared by the dynamic
resources' program (bench/fleet.py) and the plugin's (bench/plugin_program/), which must not import
portal-infra (a program in any language sees only the plugin)."""

from __future__ import annotations

import os
import time
from typing import Any


def portal_spec(i: int, changed: bool) -> dict[str, Any]:
    """A realistic configuration (every feature the fake can hold without seeded products)."""
    return {
        "name": f"Fleet portal {i}",
        "default_return_url": f"https://example.com/accounts/{i}/billing",
        "business_profile": {
            "headline": f"Manage billing for tenant {i}" + (" (v2)" if changed else ""),
            "privacy_policy_url": "https://example.com/privacy",
            "terms_of_service_url": "https://example.com/terms",
        },
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email", "address", "tax_id"]},
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
            "subscription_cancel": {"enabled": True, "mode": "at_period_end",
                                    "proration_behavior": "none"},
        },
        "login_page": {"enabled": True},
        "metadata": {"tenant": str(i), "tier": "standard"},
    }


def resource_name(i: int) -> str:
    return f"tenant-{i:05d}"


LOGO = "assets/logo.png"  # relative to the project directory, where the harness draws it


def account_id(i: int) -> str:
    return f"acct_1Bench{i:015d}"


def branding_spec(i: int, changed: bool) -> dict[str, Any]:
    return {"account": account_id(i), "logo": LOGO, "primary_color": "#0a7d5e", "secondary_color": "#f6f9fc",
            "business_name": f"Tenant {i}" + (" Ltd" if changed else ""),
            "support_email": f"billing@tenant{i}.example", "url": f"https://tenant{i}.example"}


def mark(event: str) -> None:
    """When the program reached `event` (epoch seconds), for the harness's timeline (BENCH_MARKS)."""
    path = os.environ.get("BENCH_MARKS")
    if path:
        with open(path, "a") as out:
            out.write(f"{event} {time.time()}\n")
