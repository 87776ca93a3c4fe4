"""What every portal-infra dynamic provider shares: config from `configure()`, the Stripe
gateway, and check failures phrased for people.

Provider classes live in this importable package so dill pickles them by reference (PULUMI.md
3.2): the provider process imports the current code, and nothing but the class name reaches state.
Nothing secret is ever set on `self` before pickling; `configure()` runs only in the provider
process, after deserialization.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from ..specs import SpecProblem
from ..stripe_api import StripeGateway, StripeSetupError, resolve
from ..stripe_api.keys import BASE_CONFIG, KEY_CONFIG, MODE_CONFIG

PROVIDER_KEY = "__provider"
_CONFIG_KEYS = (KEY_CONFIG, BASE_CONFIG, MODE_CONFIG)


class StripeResourceProvider(ResourceProvider):
    _settings: dict[str, Any]

    def configure(self, req: ConfigureRequest) -> None:
        # Runs in the provider process only; this copy of the provider is never pickled again.
        self._settings = {key: req.config.get(key) for key in _CONFIG_KEYS if req.config.get(key) is not None}

    def settings(self) -> Mapping[str, Any]:
        return getattr(self, "_settings", {})

    def gateway(self, stripe_account: str | None = None) -> StripeGateway:
        return StripeGateway(resolve(self.settings()), stripe_account=stripe_account)

    def current_mode(self) -> str | None:
        """The key's mode alone: no client is needed to know it, and diff runs on every preview."""
        try:
            return resolve(self.settings()).mode
        except StripeSetupError:
            return None

    def connection_failures(self) -> list[CheckFailure]:
        try:
            resolve(self.settings())
        except StripeSetupError as err:
            return [CheckFailure(KEY_CONFIG, str(err))]
        return []


def failures(problems: list[SpecProblem]) -> list[CheckFailure]:
    return [CheckFailure(p.path, f"{p.problem}; {p.fix}") for p in problems]


def warn(message: str) -> None:
    """A warning from inside the provider process. pulumi.log cannot be used there (pulumi#17050);
    the engine shows what a provider writes to stderr."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}
