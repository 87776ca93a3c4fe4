"""Named portals through the real pulumi CLI against the fake: several platform configurations in one
stack, each its own resource and outputs; a renamed one is a delete (deactivate) and a create."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import FakeDeployment
from tests.examples import for_fake

pytestmark = pytest.mark.e2e
CONFIGS = "/v1/billing_portal/configurations"


def _portal(name: str, **options: Any) -> dict[str, Any]:
    return {**for_fake(), "name": name, **({"portal_infra": options} if options else {})}


def test_named_portals_beside_the_single_portal(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    (default,) = d.stripe.v1.billing_portal.configurations.list(params={"is_default": True}).data
    d.write_stack({"portal": _portal("Main"), "portals": {
        "b2b": _portal("Business", adopt="default"), "eu": _portal("Europe")}})
    d.cli.select_stack(d.stack)
    d.cli.up()

    outputs = d.cli.outputs()
    portals = outputs["portals"]
    assert set(portals) == {"b2b", "eu"}
    assert portals["b2b"]["configuration_id"] == default.id and portals["b2b"]["is_default"] is True
    eu = portals["eu"]["configuration_id"]
    assert portals["eu"]["is_default"] is False and portals["eu"]["mode"] == "test"
    assert portals["eu"]["login_page_url"].startswith("http")
    assert portals["eu"]["retention"] == {"configuration_id": eu, "coupon": None}
    # The single portal's output keys (it keeps them at the top level; a null one shows there as absent).
    keys = {"configuration_id", "login_page_url", "is_default", "mode", "retention", "price_lookup_keys"}
    assert set(portals["eu"]) == keys and portals["eu"]["price_lookup_keys"] is None
    assert {"configuration_id", "login_page_url", "is_default", "mode", "retention"} <= set(outputs)
    assert len({outputs["configuration_id"], eu, default.id}) == 3
    names = {c["id"]: c["name"] for c in d.configurations()}
    assert (names[outputs["configuration_id"]], names[eu], names[default.id]) == ("Main", "Europe", "Business")
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # eu renamed to emea: Pulumi sees portal-eu go and portal-emea come; delete deactivates.
    d.write_stack({"portal": _portal("Main"), "portals": {
        "b2b": _portal("Business", adopt="default"), "emea": _portal("Europe")}})
    d.recorder.clear()
    d.cli.up()
    assert d.stripe.v1.billing_portal.configurations.retrieve(eu).active is False
    portals = d.cli.outputs()["portals"]
    assert set(portals) == {"b2b", "emea"} and portals["emea"]["configuration_id"] != eu
    assert [r.params for r in d.recorder.matching("POST", f"{CONFIGS}/{eu}")] == [{"active": "false"}]
    assert d.cli.preview("--expect-no-changes").returncode == 0

    # b2b removed: the default configuration stays active, as with the single portal.
    d.write_stack({"portal": _portal("Main"), "portals": {"emea": _portal("Europe")}})
    d.cli.up()
    assert d.stripe.v1.billing_portal.configurations.retrieve(default.id).active is True
    assert set(d.cli.outputs()["portals"]) == {"emea"}
    assert d.cli.preview("--expect-no-changes").returncode == 0
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0


def test_two_declarations_adopting_one_configuration_are_refused_at_preview(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.write_stack({"portal": _portal("Main", adopt="default"), "portals": {
        "b2b": _portal("Business", adopt="default"), "eu": _portal("Europe", adopt="bpc_Same"),
        "us": _portal("US", adopt="bpc_Same")}})
    d.cli.select_stack(d.stack)
    d.recorder.clear()
    run = d.cli.preview()
    assert run.returncode != 0
    assert ("portal-infra:portals.b2b.portal_infra.adopt (stacks/Pulumi.dev.yaml): adopts the account's default "
            "configuration, already adopted at portal.portal_infra.adopt") in run.output
    assert "portal-infra:portals.us.portal_infra.adopt (stacks/Pulumi.dev.yaml): adopts bpc_Same" in run.output
    assert d.recorder.requests == []
