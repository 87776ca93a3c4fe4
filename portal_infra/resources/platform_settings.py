"""`PlatformSettings`: a read-only check of the platform's own Dashboard-only settings.

Stripe's API cannot write the platform's own branding or business name (`/v1/account` has GET
only; STRIPE.md section 3), so this resource never writes. It reads `GET /v1/account` and reports,
at preview (check) and at refresh (read), where the account differs from what the stack declares,
so the Dashboard edit that is still needed is visible in every run instead of forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..specs import SpecError
from ..specs.branding import PlatformSettingsSpec, parse_platform_settings
from ..specs.contrast import aa_failures
from ..specs.contrast import describe as describe_contrast
from ..stripe_api import StripeCallError, StripeGateway, StripeSetupError
from .base import StripeResourceProvider, failures, warn, without_provider, without_stack_trace

# Declared field -> where `GET /v1/account` has it.
_WHERE = {
    "business_name": ("business_profile", "name"),
    "primary_color": ("settings", "branding", "primary_color"),
    "secondary_color": ("settings", "branding", "secondary_color"),
}
DASHBOARD_PAGE = {
    "business_name": "Settings > Business > Public details",
    "primary_color": "Settings > Branding",
    "secondary_color": "Settings > Branding",
}
DECLARED_FIELDS = tuple(PlatformSettingsSpec.model_fields)


def _dig(obj: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = obj
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def differences(declared: Mapping[str, Any], account: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each declared setting the platform account does not have, with where to change it."""
    out = []
    for field in DECLARED_FIELDS:
        want = declared.get(field)
        if want is None:
            continue
        have = _dig(account, _WHERE[field])
        same = (str(have).lower() == str(want).lower()) if field.endswith("_color") and have else have == want
        if not same:
            out.append({"field": field, "declared": want, "actual": have, "dashboard": DASHBOARD_PAGE[field]})
    return out


def describe(diffs: list[dict[str, Any]]) -> str:
    parts = [f"{d['field']} is {d['actual']!r}, the stack declares {d['declared']!r} ({d['dashboard']})"
             for d in diffs]
    return ("the platform account's Dashboard-only settings differ from the stack: " + "; ".join(parts)
            + ". Stripe's API cannot change them: edit them in the Dashboard")


class PlatformSettingsProvider(StripeResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        declared = {k: news[k] for k in DECLARED_FIELDS if news.get(k) is not None}
        try:
            spec = parse_platform_settings(declared)
        except SpecError as err:
            return CheckResult(without_provider(news), failures(err.problems))
        problems = self.connection_failures()
        if problems:
            return CheckResult(without_provider(news), problems)
        inputs = spec.model_dump(exclude_none=True)
        for failure in aa_failures(spec.primary_color, spec.secondary_color):
            warn(describe_contrast("the platform account", failure, spec.primary_color, spec.secondary_color))
        # Preview runs check() and, for a new resource, nothing else: report here. A failed read
        # must not block a preview of everything else, so it is a warning too.
        try:
            self._report(self._own_account(self.gateway()), inputs)
        except (StripeCallError, StripeSetupError) as err:
            warn(f"platform settings: could not read the platform account to compare it: {err}")
        return CheckResult(inputs, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in DECLARED_FIELDS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        gateway = self.gateway()
        account = self._own_account(gateway)
        return CreateResult(str(account.get("id") or "platform"), self._outputs(props, account, gateway.mode))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        gateway = self.gateway()
        return UpdateResult(self._outputs(news, self._own_account(gateway), gateway.mode))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        gateway = self.gateway()
        account = self._own_account(gateway)
        inputs = {k: props[k] for k in DECLARED_FIELDS if props.get(k) is not None}
        self._report(account, inputs)
        return ReadResult(id_, self._outputs(inputs, account, gateway.mode), inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        return None  # never writes: there is nothing of ours in Stripe to remove

    def _own_account(self, gateway: StripeGateway) -> dict[str, Any]:
        return gateway.get("/v1/account")

    def _report(self, account: Mapping[str, Any], declared: Mapping[str, Any]) -> None:
        diffs = differences(declared, account)
        if diffs:
            warn(describe(diffs))

    def _outputs(self, inputs: Mapping[str, Any], account: Mapping[str, Any], mode: str) -> dict[str, Any]:
        diffs = differences(inputs, account)
        return {**without_provider(inputs), "differences": diffs, "in_sync": not diffs, "mode": mode}


class PlatformSettings(Resource, module="portal_infra", name="PlatformSettings"):
    """Compares the platform account's Dashboard-only settings with what the stack declares.

    Read-only by design: Stripe's API cannot change the platform's own business name or colours.
    Differences are reported as warnings at preview and refresh, and as the `differences` output.
    """

    differences: pulumi.Output[list[dict[str, Any]]]
    in_sync: pulumi.Output[bool]
    mode: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        business_name: pulumi.Input[str] | None = None,
        primary_color: pulumi.Input[str] | None = None,
        secondary_color: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {"business_name": business_name, "primary_color": primary_color,
                                 "secondary_color": secondary_color, "differences": None, "in_sync": None,
                                 "mode": None}
        with without_stack_trace():
            super().__init__(PlatformSettingsProvider(), resource_name, props, opts)
