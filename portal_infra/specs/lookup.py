"""Prices named by lookup key, resolved to the IDs of one Stripe account and mode.

Pure: the provider fetches the prices (`GET /v1/prices?lookup_keys[]=…`) and hands them here. The
result is the declared configuration with IDs only, which is what Stripe takes and what the diff shows.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .problems import SpecProblem

PRODUCTS_PATH = "features.subscription_update.products"


@dataclass(frozen=True)
class FoundPrice:
    id: str
    product: str


def resolve_prices(declared: Mapping[str, Any], found: Mapping[str, FoundPrice],
                   where: str) -> tuple[dict[str, Any], list[SpecProblem]]:
    """`declared` with every `{lookup_key: k}` replaced by its price ID and each product filled in.

    `where` names the account for messages, e.g. "stack staging's Stripe account (test mode)".
    Every missing key is reported, not just the first.
    """
    out = copy.deepcopy(dict(declared))
    problems: list[SpecProblem] = []
    update = (out.get("features") or {}).get("subscription_update") or {}
    for i, product in enumerate(update.get("products") or []):
        here = f"{PRODUCTS_PATH}[{i}]"
        ids: list[str] = []
        products: dict[str, str] = {}
        for j, ref in enumerate(product.get("prices") or []):
            if not isinstance(ref, dict):
                ids.append(ref)
                continue
            key = str(ref["lookup_key"])
            price = found.get(key)
            if price is None:
                problems.append(SpecProblem(
                    f"{here}.prices[{j}].lookup_key",
                    f"no active price has lookup key {key!r} in {where}",
                    "create the price there with this lookup_key (or move the key to a price with "
                    "transfer_lookup_key), or correct the key",
                ))
                continue
            ids.append(price.id)
            products[price.product] = key
        declared_product = product.get("product")
        if len(products) > 1:
            listed = ", ".join(f"{k!r} -> {p}" for p, k in products.items())
            problems.append(SpecProblem(f"{here}.prices", f"the lookup keys belong to different products ({listed})",
                                        "list each product as its own entry"))
        elif products and declared_product and declared_product not in products:
            (actual,) = products
            problems.append(SpecProblem(
                f"{here}.product", f"is {declared_product} but lookup key {products[actual]!r} is a price of {actual}",
                "drop product (it follows from the price) or correct it",
            ))
        elif products and not declared_product:
            (product["product"],) = products
        product["prices"] = ids
    return out, problems


def chunks(keys: list[str], size: int = 10) -> list[list[str]]:
    """Stripe takes at most 10 `lookup_keys[]` per list request."""
    return [keys[i:i + size] for i in range(0, len(keys), size)]
