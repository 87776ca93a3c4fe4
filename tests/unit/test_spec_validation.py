"""One failing check per invalid case, each naming its field and saying how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal_infra.specs import SpecError, parse_portal_configuration
from tests.examples import full


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        node = data
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return apply


CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "headline_61_chars": (_set("business_profile.headline", "x" * 61), "business_profile.headline", "at most 60"),
    "malformed_privacy_url": (_set("business_profile.privacy_policy_url", "not a url"),
                              "business_profile.privacy_policy_url", "URL"),
    "malformed_return_url": (_set("default_return_url", "ftp:/nope"), "default_return_url", "URL"),
    "metadata_51_keys": (_set("metadata", {f"k{i}": "v" for i in range(51)}), "metadata", "at most 50"),
    "metadata_key_41_chars": (_set("metadata", {"k" * 41: "v"}), "metadata", "at most 40"),
    "metadata_value_501_chars": (_set("metadata", {"k": "v" * 501}), "metadata", "at most 500"),
    "metadata_reserved_key": (_set("metadata", {"portal_infra_owner": "me"}), "metadata", "reserved"),
    "eleven_products": (_set("features.subscription_update.products",
                             [{"product": f"prod_{i}", "prices": [f"price_{i}"]} for i in range(11)]),
                        "features.subscription_update.products", "at most 10"),
    "quantity_min_above_max": (_set("features.subscription_update.products",
                                    [{"product": "prod_A", "prices": ["price_A"],
                                      "adjustable_quantity": {"enabled": True, "minimum": 5, "maximum": 2}}]),
                               "features.subscription_update.products[0].adjustable_quantity.minimum",
                               "above maximum"),
    "create_prorations_without_immediately": (_set("features.subscription_cancel.mode", "at_period_end"),
                                              "features.subscription_cancel.proration_behavior", "immediately"),
    "reasons_enabled_without_options": (_set("features.subscription_cancel.cancellation_reason.options", []),
                                        "features.subscription_cancel.cancellation_reason.options",
                                        "no options"),
    "bad_cancel_mode": (_set("features.subscription_cancel.mode", "sometimes"),
                        "features.subscription_cancel.mode", "one of"),
    "cancel_always_invoice": (_set("features.subscription_cancel.proration_behavior", "always_invoice"),
                              "features.subscription_cancel.proration_behavior", "one of"),
    "bad_allowed_update": (_set("features.customer_update.allowed_updates", ["favourite_color"]),
                           "features.customer_update.allowed_updates[0]", "one of"),
    "enabled_not_bool": (_set("features.invoice_history.enabled", "maybe"),
                         "features.invoice_history.enabled", "boolean"),
    "missing_enabled": (_set("features.invoice_history", {}), "features.invoice_history.enabled", "required"),
    "product_without_prefix": (_set("features.subscription_update.products",
                                    [{"product": "starter", "prices": ["price_A"]}]),
                               "features.subscription_update.products[0].product", "prod_"),
    "product_without_prices": (_set("features.subscription_update.products",
                                    [{"product": "prod_A", "prices": []}]),
                               "features.subscription_update.products[0].prices", "at least 1"),
    "name_257_chars": (_set("name", "n" * 257), "name", "at most 256"),
    "no_features": (_set("features", {}), "features", "at least one"),
    "pause_too_long": (_set("features.subscription_pause.duration.interval_options",
                            [{"interval": "year", "interval_count": 4}]),
                       "features.subscription_pause.duration.interval_options[0].interval_count", "3 years"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_input_fails_once_naming_the_field(case: str) -> None:
    mutate, path, words = CASES[case]
    data = full()
    mutate(data)
    with pytest.raises(SpecError) as caught:
        parse_portal_configuration(data)
    problems = caught.value.problems
    assert [p.path for p in problems] == [path], problems
    assert words in f"{problems[0].problem} {problems[0].fix}"
    assert problems[0].fix


def test_unknown_field_suggests_the_close_one() -> None:
    data = full()
    data["business_profile"]["headlne"] = "typo"
    with pytest.raises(SpecError) as caught:
        parse_portal_configuration(data)
    (problem,) = caught.value.problems
    assert problem.path == "business_profile.headlne"
    assert "did you mean 'headline'" in problem.fix


def test_every_problem_is_reported_not_just_the_first() -> None:
    data = full()
    data["business_profile"]["headline"] = "x" * 61
    data["default_return_url"] = "nope"
    with pytest.raises(SpecError) as caught:
        parse_portal_configuration(data)
    assert {p.path for p in caught.value.problems} == {"business_profile.headline", "default_return_url"}


def test_full_example_is_valid() -> None:
    parse_portal_configuration(full())


def test_numbers_from_pulumi_arrive_as_floats_and_still_pass() -> None:
    data = full()
    data["features"]["subscription_update"]["products"][1]["adjustable_quantity"]["maximum"] = 10.0
    spec = parse_portal_configuration(data)
    products = spec.features.subscription_update.products  # type: ignore[union-attr]
    assert products[1].adjustable_quantity.maximum == 10  # type: ignore[index,union-attr]
