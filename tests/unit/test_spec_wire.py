"""Declared spec -> Stripe params -> Stripe object -> declared spec, for every field."""

from __future__ import annotations

from typing import Any

import pytest

from portal_infra.specs import parse_portal_configuration
from portal_infra.specs.wire import create_params, declared, project, update_params
from tests.examples import FULL, MINIMAL, OPTIONAL_LEAVES, full, without


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for k, v in tree.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: tree}


def test_every_declared_field_reaches_create_params() -> None:
    params = create_params(parse_portal_configuration(full()))
    expected = _leaves({k: v for k, v in FULL.items() if k != "active"})
    assert _leaves(params) == expected


def test_active_is_never_sent_on_create() -> None:
    assert "active" not in create_params(parse_portal_configuration(full()))


def test_declared_keeps_only_what_was_written_plus_active() -> None:
    assert declared(parse_portal_configuration(MINIMAL)) == {**MINIMAL, "active": True}


def test_stripe_object_maps_back_onto_declared_fields_only() -> None:
    spec = declared(parse_portal_configuration(full()))
    live = {
        **create_params(parse_portal_configuration(full())),
        "id": "bpc_1", "object": "billing_portal.configuration", "active": True, "is_default": False,
        "livemode": False, "created": 1, "updated": 2, "application": None,
        "login_page": {"enabled": True, "url": "https://billing.stripe.com/p/login/x"},
        "metadata": {**FULL["metadata"], "portal_infra_owner": "p/s/r", "someone_else": "x"},
    }
    live["features"]["subscription_update"]["products"][0]["adjustable_quantity"] = {
        "enabled": False, "minimum": 0, "maximum": None}
    live["features"]["subscription_cancel"]["cancellation_reason"]["feedback_options"] = [
        {"id": "fdbk_1", "object": "billing.feedback_option"}]
    assert project(live, spec) == spec


def test_server_defaults_are_not_drift() -> None:
    spec = declared(parse_portal_configuration(MINIMAL))
    live = {"active": True, "features": {"invoice_history": {"enabled": True},
                                         "subscription_cancel": {"enabled": False, "mode": "at_period_end"}},
            "business_profile": {"headline": None}, "name": None}
    assert project(live, spec) == spec


def test_a_field_stripe_lost_shows_as_missing() -> None:
    spec = declared(parse_portal_configuration(full()))
    live = create_params(parse_portal_configuration(full()))
    live["business_profile"]["headline"] = None
    live["active"] = False
    got = project(live, spec)
    assert "headline" not in got["business_profile"]
    assert got["active"] is False


def test_update_sends_only_changed_fields() -> None:
    old = declared(parse_portal_configuration(full()))
    new_data = full()
    new_data["business_profile"]["headline"] = "New headline"
    new_data["features"]["subscription_cancel"]["mode"] = "at_period_end"
    new_data["features"]["subscription_cancel"]["proration_behavior"] = "none"
    new = declared(parse_portal_configuration(new_data))
    assert update_params(old, new) == {
        "business_profile": {"headline": "New headline"},
        "features": {"subscription_cancel": {"mode": "at_period_end", "proration_behavior": "none"}},
    }


def test_no_change_sends_nothing() -> None:
    old = declared(parse_portal_configuration(full()))
    assert update_params(old, old) == {}


@pytest.mark.parametrize("path", OPTIONAL_LEAVES, ids=".".join)
def test_removing_a_field_unsets_it(path: tuple[str, ...]) -> None:
    old = declared(parse_portal_configuration(full()))
    new = declared(parse_portal_configuration(without(FULL, path)))
    params = update_params(old, new)
    node: Any = params
    for key in path:
        node = node[key]
    if path == ("metadata",):
        assert node == {"team": "", "tier": ""}
    elif path == ("features", "subscription_cancel", "mode"):
        assert node == "at_period_end"
    elif path[-1] == "billing_cycle_anchor":
        assert node == "unchanged"  # Stripe refuses "" here (measured on stripe-mock v0.203.0)
    elif isinstance(node, dict):
        assert node  # a removed object resets each leaf it had
    else:
        assert node in ("", "none", "end_trial")


def test_removing_one_metadata_key_removes_only_that_key() -> None:
    old = declared(parse_portal_configuration(full()))
    data = full()
    del data["metadata"]["tier"]
    assert update_params(old, declared(parse_portal_configuration(data))) == {"metadata": {"tier": ""}}


def test_empty_list_is_sent_as_empty_string() -> None:
    data = full()
    data["features"]["customer_update"]["allowed_updates"] = []
    params = create_params(parse_portal_configuration(data))
    assert params["features"]["customer_update"]["allowed_updates"] == ""


def test_fields_stripe_requires_with_their_parent_are_sent_on_update() -> None:
    old = declared(parse_portal_configuration(full()))
    data = full()
    data["features"]["payment_method_update"]["payment_method_configuration"] = "pmc_999"
    data["features"]["subscription_cancel"]["cancellation_reason"]["options"] = ["other"]
    params = update_params(old, declared(parse_portal_configuration(data)))
    assert params["features"]["payment_method_update"] == {"payment_method_configuration": "pmc_999",
                                                           "enabled": True}
    assert params["features"]["subscription_cancel"]["cancellation_reason"] == {"options": ["other"],
                                                                                "enabled": True}


def test_cancellation_reason_without_options_gets_an_empty_list_on_create() -> None:
    data = {"features": {"subscription_cancel": {"enabled": True,
                                                 "cancellation_reason": {"enabled": False}}}}
    params = create_params(parse_portal_configuration(data))
    assert params["features"]["subscription_cancel"]["cancellation_reason"] == {"enabled": False, "options": ""}
