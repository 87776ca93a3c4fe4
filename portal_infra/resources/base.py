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
from ..stripe_api.keys import ALLOW_LIVE_CONFIG, BASE_CONFIG, KEY_CONFIG, MODE_CONFIG

PROVIDER_KEY = "__provider"
_CONFIG_KEYS = (KEY_CONFIG, BASE_CONFIG, MODE_CONFIG, ALLOW_LIVE_CONFIG)


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

    def refuse_other_mode(self, kind: str, id_: str, state: Mapping[str, Any]) -> None:
        """Stripe keeps test and live objects apart: a key of the other mode cannot see this one, and
        carrying on would make a second object in that mode (or drop this one from state). Call it
        first in diff, read, update and delete; it raises before any request."""
        # `mode` is the mode of the key every create/update/read of this object used, and so the
        # object's own; Stripe's `livemode` says the same, but stripe-mock's fixtures answer true.
        livemode = state.get("livemode")
        made_in = state.get("mode") or (("live" if livemode else "test") if isinstance(livemode, bool) else None)
        current = self.current_mode()
        if made_in and current and made_in != current:
            raise StripeSetupError(
                f"{kind} {id_} was made in {made_in} mode (its state says mode: {made_in}, livemode: "
                f"{str(made_in == 'live').lower()}) but this stack's key is a {current}-mode key, which cannot "
                f"see it; use a {made_in}-mode key, or to start over in {current} mode remove it from the "
                "state first (`pulumi state delete <urn>`). Nothing was sent to Stripe."
            )

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
