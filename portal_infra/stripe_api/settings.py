"""How the gateway paces, times out and retries, from stack config.

```yaml
config:
  portal-infra:rateLimits:          # requests/s; Stripe allows 25 (test), 100 (live), 25, 20 and 20
    {test: 24, live: 95, endpoint: 24, filesRead: 19, filesWrite: 19}
  portal-infra:timeouts: {connect: 10, read: 60}             # seconds
  portal-infra:retries: {maxAttempts: 8, maxSeconds: 60}     # per Stripe request
  portal-infra:accountsApi: v2      # the Accounts API the Connect platform uses (default v1)
```

Every key is optional; a partial mapping keeps the defaults for the rest. Stripe's own limits are
per account, so the defaults sit below them (ratelimit.RateLimits says by how much and why).
`test` and `live` are the account's global rate in each key mode, `endpoint` that of each endpoint;
`files` (the one files key before Stripe's reads and writes were budgeted apart) still sets both
files budgets, and `filesRead` or `filesWrite` given beside it wins for its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..specs.account_wire import DEFAULT_ACCOUNTS_API, AccountsApi, accounts_api
from .keys import CONFIG_NAMESPACE, StripeSetupError
from .ratelimit import RateLimits

RATE_LIMITS_CONFIG = f"{CONFIG_NAMESPACE}:rateLimits"
TIMEOUTS_CONFIG = f"{CONFIG_NAMESPACE}:timeouts"
RETRIES_CONFIG = f"{CONFIG_NAMESPACE}:retries"
ACCOUNTS_API_CONFIG = f"{CONFIG_NAMESPACE}:accountsApi"
SETTINGS_KEYS = (RATE_LIMITS_CONFIG, TIMEOUTS_CONFIG, RETRIES_CONFIG, ACCOUNTS_API_CONFIG)


class SettingsError(StripeSetupError):
    """A client setting in stack config is wrong; `path` names it (`portal-infra:timeouts.read`)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}", key=path.split(".", 1)[0])
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Timeouts:
    """Seconds to open a connection, and to wait for Stripe's answer once the request is sent."""

    connect: float = 10.0
    read: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries and `max_seconds` of retrying for one Stripe request.

    Backoff doubles from `base_delay` up to `max_delay`, with jitter so that the engine's parallel
    operations, all refused at once, do not all come back at once.
    """

    max_attempts: int = 8
    max_seconds: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0


@dataclass(frozen=True)
class ClientSettings:
    rate_limits: RateLimits = field(default_factory=RateLimits)
    timeouts: Timeouts = field(default_factory=Timeouts)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    # Which Accounts API writes and reads connected accounts (specs/account_wire.py).
    accounts_api: AccountsApi = DEFAULT_ACCOUNTS_API


def client_settings(config: Mapping[str, Any]) -> ClientSettings:
    """The settings a stack's config asks for, checked; raises `SettingsError` naming the bad key."""
    limits = _mapping(config, RATE_LIMITS_CONFIG, ("test", "live", "endpoint", "filesRead", "filesWrite", "files"))
    timeouts = _mapping(config, TIMEOUTS_CONFIG, ("connect", "read"))
    retries = _mapping(config, RETRIES_CONFIG, ("maxAttempts", "maxSeconds"))
    defaults = ClientSettings()
    api = config.get(ACCOUNTS_API_CONFIG)
    try:
        chosen = defaults.accounts_api if api is None else accounts_api(api)
    except ValueError as err:
        raise SettingsError(ACCOUNTS_API_CONFIG, str(err)) from None
    return ClientSettings(
        accounts_api=chosen,
        rate_limits=_rate_limits(limits, defaults.rate_limits),
        timeouts=Timeouts(
            connect=_positive(timeouts, TIMEOUTS_CONFIG, "connect", defaults.timeouts.connect, "seconds"),
            read=_positive(timeouts, TIMEOUTS_CONFIG, "read", defaults.timeouts.read, "seconds"),
        ),
        retries=RetryPolicy(
            max_attempts=_count(retries, RETRIES_CONFIG, "maxAttempts", defaults.retries.max_attempts),
            max_seconds=_positive(retries, RETRIES_CONFIG, "maxSeconds", defaults.retries.max_seconds, "seconds"),
        ),
    )


def _rate_limits(limits: Mapping[str, Any], defaults: RateLimits) -> RateLimits:
    def rate(name: str, default: float) -> float:
        return _positive(limits, RATE_LIMITS_CONFIG, name, default, "requests per second")

    files_read, files_write = defaults.files_read, defaults.files_write
    if limits.get("files") is not None:
        files_read = files_write = rate("files", defaults.files_write)
    return RateLimits(test=rate("test", defaults.test), live=rate("live", defaults.live),
                      endpoint=rate("endpoint", defaults.endpoint),
                      files_read=rate("filesRead", files_read), files_write=rate("filesWrite", files_write))


def _mapping(config: Mapping[str, Any], key: str, known: tuple[str, ...]) -> dict[str, Any]:
    raw = config.get(key)
    if raw is None:
        return {}
    if isinstance(raw, str):
        # The provider receives structured stack config as JSON text.
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SettingsError(key, f"is {raw!r}; set a mapping such as {_example(known)}") from None
    if not isinstance(raw, Mapping):
        raise SettingsError(key, f"is {raw!r}; set a mapping such as {_example(known)}")
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise SettingsError(f"{key}.{unknown[0]}", f"is not a setting; the settings are {', '.join(known)}")
    return dict(raw)


def _positive(values: Mapping[str, Any], key: str, name: str, default: float, unit: str) -> float:
    value = values.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{key}.{name}", f"is {value!r}; set a positive number of {unit} (default {default:g})")
    return float(value)


def _count(values: Mapping[str, Any], key: str, name: str, default: int) -> int:
    value = values.get(name)
    if value is None:
        return default
    # Pulumi may carry a whole number as a float (10.0); a fraction is still refused.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"{key}.{name}", f"is {value!r}; set a whole number of at least 1 (default {default})")
    return value


def _example(known: tuple[str, ...]) -> str:
    return "{" + ", ".join(f"{k}: …" for k in known) + "}"
