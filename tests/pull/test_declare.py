"""pull's pure parts: factoring into fleet.defaults, a configuration cut to the spec's shape, names,
the account selection."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal_infra.pull.factor import shared, without
from portal_infra.pull.reader import Selection
from portal_infra.specs.declare import CONFIGURATION_SHAPE, configuration_block, stack_name, unique_names
from portal_infra.specs.fleet import FleetAccount, merged
from portal_infra.specs.notes import Notes
from portal_infra.specs.portal_configuration import PortalConfigurationSpec
from portal_infra.specs.stack import PORTAL_NAME_PATTERN
from portal_infra.specs.wire import declared, project, update_params
from portal_infra.testing.fake.models.portal import template

BLOCKS: list[dict[str, Any] | None] = [
    {"secondary_color": "#f6f9fc", "primary_color": "#111111", "nested": {"a": 1, "b": [1, 2]}},
    {"secondary_color": "#f6f9fc", "primary_color": "#222222", "nested": {"a": 1, "b": [1]}},
    {"secondary_color": "#f6f9fc", "primary_color": "#111111", "nested": {"a": 1, "b": [1, 2]}, "url": "x"},
]


def test_shared_values_go_to_defaults_and_each_block_merges_back_to_itself() -> None:
    defaults = shared(BLOCKS)
    assert defaults == {"secondary_color": "#f6f9fc", "nested": {"a": 1}}
    for block in BLOCKS:
        assert block is not None
        assert merged(defaults, without(block, defaults)) == block
    assert without(BLOCKS[0] or {}, defaults) == {"primary_color": "#111111", "nested": {"b": [1, 2]}}


def test_a_value_is_shared_only_when_every_block_has_it() -> None:
    assert shared([*BLOCKS, None]) == {}  # an account with no branding: nothing in defaults
    assert shared([{"a": 1}, {"b": 1}]) == {}


def _live(**changes: Any) -> dict[str, Any]:
    obj = template()
    obj.update(id="bpc_1", is_default=True, livemode=False, created=1, updated=1, **changes)
    obj["features"]["invoice_history"]["enabled"] = True
    return obj


def test_a_configuration_is_declared_as_stripe_holds_it_so_adopting_it_sends_nothing() -> None:
    live = _live(metadata={"team": "billing", "portal_infra_owner": "p/s/r"}, name="Main")
    notes = Notes()
    block = configuration_block(live, "platform bpc_1", notes)
    assert block is not None
    assert block["metadata"] == {"team": "billing"} and "active" not in block
    assert "schedule_at_period_end" not in block["features"]["subscription_update"]  # [] is Stripe's "none"
    spec = PortalConfigurationSpec.model_validate(block)
    wanted = declared(spec)
    assert update_params(project(live, wanted), wanted) == {}  # what PortalConfiguration's adoption sends
    assert not notes


def test_a_field_the_spec_has_no_place_for_or_refuses_is_left_out_and_noted() -> None:
    live = _live(features={**_live()["features"], "future_feature": {"enabled": True}},
                 business_profile={"headline": "x" * 61, "privacy_policy_url": None, "terms_of_service_url": None})
    notes = Notes()
    block = configuration_block(live, "platform bpc_1", notes)
    assert block is not None and "business_profile" not in block
    text = "\n".join(notes.lines())
    assert "features.future_feature" in text and "business_profile.headline" in text


def test_the_shape_is_the_spec_s_own() -> None:
    assert set(CONFIGURATION_SHAPE) == set(PortalConfigurationSpec.model_fields)
    assert CONFIGURATION_SHAPE["features"]["subscription_update"]["products"] == [
        {"product": True, "prices": [True], "adjustable_quantity": {"enabled": True, "minimum": True,
                                                                    "maximum": True}}]


def test_names_fit_the_stack_config_and_never_repeat() -> None:
    for text in ("Rise & Shine Bakery!", "-x-", "x" * 80, "Ünïcode ☃", None):
        name = stack_name(text, "acct_1Xy")
        assert re.match(PORTAL_NAME_PATTERN, name) and FleetAccount(name=name, account="acct_1").name == name
    assert stack_name("Rise & Shine Bakery!", "acct_1") == "rise-shine-bakery"
    assert stack_name(None, "bpc_1AbC") == "bpc-1abc"
    assert stack_name("Ünïcode ☃", "acct_1X") == "n-code"
    assert len(stack_name("x" * 80, "acct_1")) == 40
    assert unique_names([("Shop", "a"), ("shop", "b"), (None, "acct_1")]) == ["shop", "shop-2", "acct-1"]


def test_selection_options() -> None:
    assert Selection.from_options("acct_1, acct_2", None).ids == ("acct_1", "acct_2")
    assert Selection.from_options(None, "tier=gold").keeps({"id": "acct_1", "metadata": {"tier": "gold"}})
    assert not Selection.from_options(None, "tier=gold").keeps({"id": "acct_1", "metadata": {}})
    with pytest.raises(ValueError, match="--accounts: cus_1 is not a connected account ID"):
        Selection.from_options("cus_1", None)
    with pytest.raises(ValueError, match="--metadata: 'tier' is not key=value"):
        Selection.from_options(None, "tier")
