"""`pulumi import`'s Read (resources/importing.py), in process, on objects shaped as Stripe returns them:
what it declares checks to itself and diffs clean against the state it returns, and what it refuses,
it refuses before writing anything."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest

from portal_infra.resources import AccountBrandingProvider, PortalConfigurationProvider
from portal_infra.resources.base import ResourceError
from portal_infra.resources.importing import import_branding, import_configuration
from portal_infra.stripe_api.settings import ClientSettings

OWNER = "shop/dev/imported"
PLATFORM = "acct_1Platform000000000000"
ACCOUNT = "acct_1Shop0000000000000000"

CONFIGURATION: dict[str, Any] = {
    "id": "bpc_1Enterprise", "object": "billing_portal.configuration", "active": True, "application": None,
    "created": 1700000000, "updated": 1700000001, "is_default": False, "livemode": False,
    "name": "Enterprise customers", "default_return_url": "https://acme.example/account",
    "business_profile": {"headline": "Manage your plan", "privacy_policy_url": None, "terms_of_service_url": None},
    "features": {
        "customer_update": {"allowed_updates": ["email", "address"], "enabled": True},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {"cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
                                "enabled": True, "mode": "at_period_end", "proration_behavior": "none"},
        "subscription_update": {"default_allowed_updates": ["price"], "enabled": True,
                                "products": [{"product": "prod_1Pro", "prices": ["price_1Pro"],
                                              "adjustable_quantity": {"enabled": False, "maximum": None,
                                                                      "minimum": 0}}],
                                "proration_behavior": "create_prorations", "schedule_at_period_end": {"conditions": []},
                                "billing_cycle_anchor": None, "trial_update_behavior": "end_trial"},
    },
    "login_page": {"enabled": True, "url": "https://billing.stripe.com/p/login/test_1"},
    "metadata": {"team": "billing", "portal_infra_owner": OWNER},
}

BRANDED: dict[str, Any] = {
    "id": ACCOUNT, "object": "account", "livemode": False, "metadata": {"team": "shops"},
    "settings": {"branding": {"icon": "file_1Icon", "logo": None, "primary_color": "#0A7D5E",
                              "secondary_color": "#F6F9FC"}},
    "business_profile": {"name": "Shop One", "support_email": "help@shop-one.example", "support_phone": None,
                         "support_url": None, "url": None, "mcc": "5734"},
}


class Stripe:
    """Answers GETs from a table and fails the test on anything else."""

    mode = "test"
    settings = ClientSettings()

    def __init__(self, objects: dict[str, dict[str, Any]]) -> None:
        self.objects = objects
        self.paths: list[str] = []

    def get(self, path: str, params: Any = None) -> dict[str, Any]:
        self.paths.append(path)
        return copy.deepcopy(self.objects[path])

    def post(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an import wrote to Stripe")


def _provider(cls: type[Any], stripe: Stripe) -> Any:
    provider = cls()
    config = {"portal-infra:stripeApiKey": "sk_test_ImportUnit4242", "portal-infra:mode": "test"}
    provider.configure(ConfigureRequest(type("Config", (), {"get": staticmethod(config.get)})()))
    provider.gateway = lambda stripe_account=None: stripe
    return provider


def _round_trip(provider: Any, id_: str, inputs: dict[str, Any], outs: dict[str, Any]) -> None:
    """What `pulumi preview` does with the generated code, and what `pulumi refresh` does after the import."""
    checked = provider.check({}, {**inputs, "owner": OWNER})
    assert not checked.failures
    assert {k: v for k, v in checked.inputs.items() if k != "owner"} == inputs
    assert not provider.diff(id_, outs, checked.inputs).changes  # preview
    assert not provider.diff(id_, outs, inputs).changes  # refresh: the state's inputs against what Read returns


def test_a_configuration_declares_what_stripe_holds_and_checks_to_its_own_state() -> None:
    stripe = Stripe({"/v1/billing_portal/configurations/bpc_1Enterprise": CONFIGURATION})
    provider = _provider(PortalConfigurationProvider, stripe)
    result = import_configuration(provider, "bpc_1Enterprise", OWNER)
    assert result.id == "bpc_1Enterprise"
    inputs = result.inputs or {}
    assert inputs["adopt"] == "bpc_1Enterprise" and inputs["on_delete"] == "retain" and inputs["active"] is True
    assert inputs["metadata"] == {"team": "billing"}  # portal-infra's own keys are not declared
    assert inputs["login_page"] == {"enabled": True}
    assert "stripe_account" not in inputs
    outs = result.outs or {}
    _round_trip(provider, "bpc_1Enterprise", inputs, outs)
    assert outs["mode"] == "test" and outs["is_default"] is False


def test_a_connected_accounts_default_configuration_adopts_default_under_its_account() -> None:
    live = {**copy.deepcopy(CONFIGURATION), "is_default": True, "metadata": {}}
    stripe = Stripe({"/v1/billing_portal/configurations/bpc_1Enterprise": live})
    provider = _provider(PortalConfigurationProvider, stripe)
    result = import_configuration(provider, f"{ACCOUNT}/bpc_1Enterprise", OWNER)
    assert result.id == "bpc_1Enterprise"
    assert (result.inputs or {})["adopt"] == "default" and (result.inputs or {})["stripe_account"] == ACCOUNT


def test_an_account_declares_its_look_and_restores_the_look_at_import() -> None:
    stripe = Stripe({"/v1/account": {"id": PLATFORM}, f"/v1/accounts/{ACCOUNT}": BRANDED})
    provider = _provider(AccountBrandingProvider, stripe)
    result = import_branding(provider, ACCOUNT, OWNER)
    assert result.inputs == {"account": ACCOUNT, "icon": "file_1Icon", "primary_color": "#0a7d5e",
                             "secondary_color": "#f6f9fc", "business_name": "Shop One",
                             "support_email": "help@shop-one.example", "on_delete": "restore"}
    outs = result.outs or {}
    _round_trip(provider, ACCOUNT, result.inputs, outs)
    assert outs["previous"]["support_email"] == "help@shop-one.example"
    assert "owner" not in outs  # not yet recorded in the account: the first update writes it


@pytest.mark.parametrize(("importer", "id_", "says"), [
    (import_configuration, "acct_1Shop", "give its ID, bpc_…"),
    (import_configuration, "cus_1/bpc_1", "acct_…/bpc_…"),
    (import_branding, "bpc_1Enterprise", "give the connected account's ID"),
    (import_branding, PLATFORM, "own (platform) account"),
])
def test_refused_with_what_to_do(importer: Any, id_: str, says: str) -> None:
    stripe = Stripe({"/v1/account": {"id": PLATFORM}})
    cls = PortalConfigurationProvider if importer is import_configuration else AccountBrandingProvider
    with pytest.raises(ResourceError, match=re.escape(says)):
        importer(_provider(cls, stripe), id_, OWNER)


def test_an_object_another_resource_holds_is_refused() -> None:
    stripe = Stripe({"/v1/billing_portal/configurations/bpc_1Enterprise": CONFIGURATION,
                     "/v1/account": {"id": PLATFORM},
                     f"/v1/accounts/{ACCOUNT}": {**BRANDED, "metadata": {"portal_infra_owner": "other/prod/x"}}})
    with pytest.raises(ResourceError, match="managed by portal-infra resource 'shop/dev/imported'"):
        import_configuration(_provider(PortalConfigurationProvider, stripe), "bpc_1Enterprise", "shop/dev/other")
    with pytest.raises(ResourceError, match="already managed by portal-infra resource 'other/prod/x'"):
        import_branding(_provider(AccountBrandingProvider, stripe), ACCOUNT, OWNER)
