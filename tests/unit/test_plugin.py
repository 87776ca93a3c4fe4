"""The provider plugin's translation layer and its schema, in process (no engine, no Stripe)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue

from portal_infra.plugin.provider import PortalInfraProvider, _owner
from portal_infra.plugin.schema import schema, schema_json
from portal_infra.plugin.values import plain_map, property_map
from portal_infra.specs.common import UNKNOWN

REPO = Path(__file__).resolve().parents[2]
URN = "urn:pulumi:dev::shop::portal-infra:index:PortalConfiguration::portal"
KEY = "sk_test_PluginUnit4242"


def _configured() -> PortalInfraProvider:
    provider = PortalInfraProvider()
    args = property_map({"mode": "test", "stripeApiKey": KEY, "stripeApiBase": "http://127.0.0.1:1"})
    asyncio.run(provider.configure(p.ConfigureRequest({}, args, True, False)))
    return provider


def test_committed_schema_is_what_the_specs_generate() -> None:
    committed = (REPO / "schema" / "pulumi-schema.json").read_text()
    regenerate = ".venv/bin/python -m portal_infra.plugin.schema > schema/pulumi-schema.json"
    assert committed == schema_json(), f"schema/pulumi-schema.json is stale; regenerate it: {regenerate}"


def test_schema_carries_stripes_descriptions_and_the_specs_enums() -> None:
    s = schema()
    portal = s["resources"]["portal-infra:index:PortalConfiguration"]["inputProperties"]
    assert portal["business_profile"]["description"] == "The business information shown to customers in the portal."
    headline = s["types"]["portal-infra:index:BusinessProfile"]["properties"]["headline"]
    assert headline["description"] == "The messaging shown to customers in the portal."
    reasons = s["types"]["portal-infra:index:CancellationReasonOptions"]["enum"]
    assert {"value": "too_expensive"} in reasons
    branding = s["resources"]["portal-infra:index:AccountBranding"]["inputProperties"]
    assert "primary branding color" in branding["primary_color"]["description"]
    assert s["resources"]["portal-infra:index:AccountBranding"]["requiredInputs"] == ["account"]
    assert s["config"]["variables"]["stripeApiKey"]["secret"] is True


def test_check_failures_come_back_per_field_without_a_request() -> None:
    provider = _configured()
    news = property_map({"features": {"invoice_history": {"enabled": "yes"}}, "on_delete": "keep"})
    resp = asyncio.run(provider.check(p.CheckRequest(URN, {}, news, b"")))
    by_field = {f.property: f.reason for f in resp.failures or []}
    assert "features.invoice_history.enabled" in by_field
    assert "on_delete" in by_field
    assert resp.inputs is not None and plain_map(resp.inputs)["owner"] == "shop/dev/portal"


def test_diff_translates_changes_and_replaces() -> None:
    provider = _configured()
    olds = property_map({"name": "A", "stripe_account": "acct_1", "mode": "test", "on_delete": "deactivate"})
    news = property_map({"name": "B", "stripe_account": "acct_2", "on_delete": "deactivate"})
    resp = asyncio.run(provider.diff(p.DiffRequest(URN, "bpc_1", olds, news, [])))
    assert resp.changes is True
    assert resp.replaces == ["stripe_account"]
    assert set(resp.detailed_diff) == {"name", "stripe_account"}
    assert resp.detailed_diff["stripe_account"].kind == p.PropertyDiffKind.UPDATE_REPLACE
    same = asyncio.run(provider.diff(p.DiffRequest(URN, "bpc_1", olds, property_map(
        {"name": "A", "stripe_account": "acct_1", "on_delete": "deactivate"}), [])))
    assert same.changes is False and same.detailed_diff == {}


def test_config_keeps_only_provider_settings_and_the_key_secret() -> None:
    provider = PortalInfraProvider()
    news = {"mode": PropertyValue("test"), "stripeApiKey": PropertyValue(KEY), "portal": PropertyValue("{}")}
    resp = asyncio.run(provider.check_config(p.CheckRequest("urn:x", {}, news, b"")))
    assert resp.inputs is not None and set(resp.inputs) == {"mode", "stripeApiKey"}
    assert resp.inputs["stripeApiKey"].is_secret


def test_values_round_trip_with_unknowns() -> None:
    plain: dict[str, Any] = {"a": 1, "b": [True, None, "x"], "c": {"d": UNKNOWN}}
    wire = property_map(plain)
    assert wire["c"].value["d"].value is not None  # Computed
    assert plain_map(wire) == {"a": 1.0, "b": [True, None, "x"], "c": {"d": UNKNOWN}}


def test_owner_from_urn() -> None:
    assert _owner(URN) == "shop/dev/portal"


def test_schema_is_json() -> None:
    json.loads(schema_json())
