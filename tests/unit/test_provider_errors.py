"""How provider errors reach the person: named after the resource, without a traceback."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from portal_infra.resources import base
from portal_infra.resources.base import ResourceError, StripeResourceProvider
from portal_infra.stripe_api import StripeCallError, StripeSetupError


class WidgetProvider(StripeResourceProvider):
    def create(self, props: dict[str, Any]) -> Any:
        return base._resource.get()

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        raise LookupError(base._resource.get())


def test_gateway_errors_are_named_after_the_resource_in_operation() -> None:
    provider = WidgetProvider()
    assert provider.create({"owner": "proj/dev/front-desk"}) == 'Widget "front-desk"'
    with pytest.raises(LookupError, match=r"^Widget wdg_123$"):
        provider.delete("wdg_123", {})
    assert base._resource.get() is None  # reset once the operation ends


def _format(err: BaseException) -> str:
    shim = base._MessageOnlyTraceback("traceback")
    try:
        raise err
    except BaseException:
        return shim.format_exc()


def test_our_errors_are_shown_as_their_message_alone() -> None:
    refused = StripeCallError("Widget: Stripe answered 400 …", status=400, code=None, param=None, error_type=None)
    assert _format(refused) == "Widget: Stripe answered 400 …"
    assert _format(StripeSetupError("no Stripe API key")) == "no Stripe API key"
    assert _format(ResourceError("account acct_1: no such account; check the ID")) == (
        "account acct_1: no such account; check the ID")


def test_any_other_error_keeps_its_traceback() -> None:
    text = _format(KeyError("bug"))
    assert text.startswith("Traceback (most recent call last):") and "KeyError: 'bug'" in text


def test_the_shim_is_installed_only_in_the_dynamic_provider_host(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceback

    host = types.ModuleType("__main__")
    host.__spec__ = types.SimpleNamespace(name="pulumi.dynamic.__main__")  # type: ignore[assignment]
    host.traceback = traceback  # type: ignore[attr-defined]
    host._abort_with_traceback = lambda fn: fn  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", host)
    base._plain_errors_in_provider_host()
    assert isinstance(host.traceback, base._MessageOnlyTraceback)  # type: ignore[attr-defined]

    elsewhere = types.ModuleType("__main__")
    elsewhere.traceback = traceback  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__main__", elsewhere)
    base._plain_errors_in_provider_host()
    assert elsewhere.traceback is traceback  # type: ignore[attr-defined]
