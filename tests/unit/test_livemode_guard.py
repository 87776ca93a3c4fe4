"""A resource made in one mode is never touched, re-created or dropped with a key of the other mode."""

from __future__ import annotations

from typing import Any

import pytest

from portal_infra.resources.portal_configuration import PortalConfigurationProvider
from portal_infra.stripe_api import StripeSetupError

LIVE = {"portal-infra:mode": "live", "portal-infra:allowLive": "true", "portal-infra:stripeApiKey": "sk_live_notReal"}
TEST = {"portal-infra:mode": "test", "portal-infra:stripeApiKey": "sk_test_Livemode4242",
        # Unroutable: if a guard failed to stop the call, the test would fail on the connection.
        "portal-infra:stripeApiBase": "http://127.0.0.1:9"}
STATE: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}, "on_delete": "deactivate",
                         "owner": "portal-infra/prod/portal", "updated": 1}


def _provider(settings: dict[str, str]) -> PortalConfigurationProvider:
    provider = PortalConfigurationProvider()
    provider._settings = settings
    return provider


@pytest.mark.parametrize(("settings", "livemode"), [(LIVE, False), (TEST, True)])
def test_every_operation_refuses_a_key_of_the_other_mode(settings: dict[str, str], livemode: bool) -> None:
    provider = _provider(settings)
    state = {**STATE, "livemode": livemode, "mode": "live" if livemode else "test"}
    made_in = "live" if livemode else "test"
    for call in (lambda: provider.diff("bpc_1", state, STATE), lambda: provider.read("bpc_1", state),
                 lambda: provider.update("bpc_1", state, STATE), lambda: provider.delete("bpc_1", state)):
        with pytest.raises(StripeSetupError, match=f"was made in {made_in} mode") as caught:
            call()
        assert "Nothing was sent to Stripe" in str(caught.value)


def test_state_without_mode_falls_back_to_livemode() -> None:
    with pytest.raises(StripeSetupError, match="was made in test mode"):
        _provider(LIVE).diff("bpc_1", {**STATE, "livemode": False}, STATE)


def test_same_mode_diff_goes_ahead() -> None:
    result = _provider(TEST).diff("bpc_1", {**STATE, "livemode": False, "mode": "test"}, STATE)
    assert result.changes is False
