"""The provider is pickled into Pulumi state: it must carry no key and be pickled by reference."""

from __future__ import annotations

import base64
import subprocess
import sys

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest

from portal_infra.resources import AccountBrandingProvider, PlatformSettingsProvider, PortalConfigurationProvider

KEY = "sk_test_51HpickleSECRET000000000000"


def _serialize(provider: object) -> bytes:
    # What pulumi.dynamic.Resource does (serialize_provider): dill, recurse=True.
    data: bytes = dill.dumps(provider, protocol=dill.settings["protocol"], recurse=True)
    return data


PROVIDERS = [PortalConfigurationProvider, AccountBrandingProvider, PlatformSettingsProvider]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_pickled_provider_carries_no_key(monkeypatch: pytest.MonkeyPatch, provider: type) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", KEY)
    blob = _serialize(provider())
    assert KEY.encode() not in blob
    assert KEY.encode() not in base64.b64encode(blob)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_provider_is_pickled_by_reference(provider: type) -> None:
    blob = _serialize(provider())
    assert provider.__module__.encode() in blob
    assert b"def create" not in blob and len(blob) < 2000


def test_configured_key_lives_only_in_the_provider_process() -> None:
    provider = PortalConfigurationProvider()
    provider.configure(ConfigureRequest(Config({"portal-infra:stripeApiKey": KEY}, "portal-infra")))
    assert provider.gateway().mode == "test"
    assert KEY not in repr(provider.settings().keys())


def test_pickle_loads_in_a_fresh_interpreter() -> None:
    blob = base64.b64encode(_serialize(PortalConfigurationProvider())).decode()
    code = ("import base64, dill, sys; p = dill.loads(base64.b64decode(sys.argv[1])); "
            "print(type(p).__module__, type(p).__name__)")
    out = subprocess.run([sys.executable, "-c", code, blob], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["portal_infra.resources.portal_configuration", "PortalConfigurationProvider"]
