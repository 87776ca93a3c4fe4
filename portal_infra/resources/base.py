"""What every portal-infra dynamic provider shares: config from `configure()`, the Stripe
gateway, and failures phrased for people.

Provider classes live in this importable package so dill pickles them by reference (PULUMI.md
3.2): the provider process imports the current code, and nothing but the class name reaches state.
Nothing secret is ever set on `self` before pickling; `configure()` runs only in the provider
process, after deserialization.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from ..specs import SpecProblem
from ..stripe_api import StripeCallError, StripeGateway, StripeSetupError, resolve
from ..stripe_api.keys import ALLOW_LIVE_CONFIG, BASE_CONFIG, KEY_CONFIG, MODE_CONFIG
from ..stripe_api.settings import SETTINGS_KEYS, SettingsError, client_settings

PROVIDER_KEY = "__provider"
_CONFIG_KEYS = (KEY_CONFIG, BASE_CONFIG, MODE_CONFIG, ALLOW_LIVE_CONFIG, *SETTINGS_KEYS)
_OPERATIONS = ("create", "read", "update", "delete")

# Which resource the current provider operation is for, so a gateway's errors can name it.
_resource: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_infra_resource", default=None)

_F = TypeVar("_F", bound=Callable[..., Any])


class StripeResourceProvider(ResourceProvider):
    _settings: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _OPERATIONS:
            method = cls.__dict__.get(name)
            if method is not None:
                setattr(cls, name, _naming_the_resource(cls, method))

    def configure(self, req: ConfigureRequest) -> None:
        # Runs in the provider process only; this copy of the provider is never pickled again.
        self._settings = {key: req.config.get(key) for key in _CONFIG_KEYS if req.config.get(key) is not None}

    def settings(self) -> Mapping[str, Any]:
        return getattr(self, "_settings", {})

    def gateway(self, stripe_account: str | None = None) -> StripeGateway:
        config = self.settings()
        return StripeGateway(resolve(config), stripe_account=stripe_account, settings=client_settings(config),
                             subject=_resource.get() or _kind(type(self)))

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
        """Problems with the key, mode, address or client settings, each under its config key."""
        out: list[CheckFailure] = []
        try:
            resolve(self.settings())
        except StripeSetupError as err:
            out.append(CheckFailure(err.key, str(err)))
        try:
            client_settings(self.settings())
        except SettingsError as err:
            out.append(CheckFailure(err.path, err.problem))
        return out


def _kind(cls: type) -> str:
    return cls.__name__.removesuffix("Provider")


def _naming_the_resource(cls: type, method: _F) -> _F:
    """Wrap a CRUD method so gateway errors inside it start with `Kind "name"`.

    The resource's name comes from its ownership marker (`project/stack/name`) when it has one,
    else its Stripe ID. The engine shows the error under the resource as well; the name in the
    message keeps it readable where the message travels alone (logs, CI summaries).
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        props = next((a for a in reversed(args) if isinstance(a, Mapping)), {})
        id_ = next((a for a in args if isinstance(a, str)), None)
        owner = str(props.get("owner") or "")
        label = f'{_kind(cls)} "{owner.rsplit("/", 1)[-1]}"' if owner else f"{_kind(cls)} {id_ or ''}".strip()
        token = _resource.set(label)
        try:
            return method(self, *args)
        finally:
            _resource.reset(token)

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def without_stack_trace() -> Iterator[None]:
    """Register the resource made inside this block without Pulumi's stack trace and source position.

    The Python SDK records the whole call stack of every resource registration in the state (it
    reads it with `traceback.extract_stack()`). For our resources that stack says nothing a person
    can use: its first frame is our own constructor's `super().__init__` line, the rest are Pulumi's
    runtime, asyncio and the language host, under this machine's absolute paths. It came to 1.3 KB
    of the 4.2 KB each configuration took in the state file (measured at N = 1000), and it changes
    with the machine that ran `up`. `extract_stack()` honours `sys.tracebacklimit`; at 1 it sees only
    the SDK's own frame, and the SDK then sends an empty trace. The limit is set for the synchronous
    registration call alone and put back at once: a traceback formatted meanwhile on another thread
    would be shortened, and nothing of ours formats one there.
    """
    had = hasattr(sys, "tracebacklimit")
    before = getattr(sys, "tracebacklimit", None)
    sys.tracebacklimit = 1
    try:
        yield
    finally:
        if had:
            sys.tracebacklimit = before
        else:
            del sys.tracebacklimit


def failures(problems: list[SpecProblem]) -> list[CheckFailure]:
    return [CheckFailure(p.path, f"{p.problem}; {p.fix}") for p in problems]


# Where a warning goes when the provider runs as the plugin: the engine's Log, under the resource (set per
# operation by portal_infra.plugin). The engine shows a dynamic provider's stderr, but not a resource
# plugin's (pulumi 3.274 keeps it for --debug), so the plugin's warnings must travel as Log calls.
warning_sink: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("warning_sink",
                                                                                           default=None)


def warn(message: str) -> None:
    """A warning from inside the provider process. pulumi.log cannot be used there (pulumi#17050);
    the engine shows what a dynamic provider writes to stderr."""
    sink = warning_sink.get()
    if sink is not None:
        sink(message)
        return
    print(f"warning: {message}", file=sys.stderr, flush=True)


def without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


class ResourceError(RuntimeError):
    """A provider failure whose message is complete for a person (what is wrong, what to do).

    Raise it instead of a bare RuntimeError or LookupError for such failures: the dynamic-provider
    host then shows the message alone, without a Python traceback.
    """


# Errors whose message is complete for a person: the dynamic-provider host shows only the message.
USER_FACING_ERRORS: tuple[type[BaseException], ...] = (StripeCallError, StripeSetupError, ResourceError)


class _MessageOnlyTraceback(types.ModuleType):
    """`traceback` as the dynamic-provider host sees it: our own errors render as their message.

    The host (`python -m pulumi.dynamic`) turns every exception from a provider method into
    `traceback.format_exc()`, which the engine prints under the resource. For a Stripe refusal or an
    unreachable Stripe, a Python traceback hides the one sentence that says what happened and what
    to do. Any other exception keeps its traceback: that one is a bug to report.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        err = sys.exc_info()[1]
        if isinstance(err, USER_FACING_ERRORS):
            return str(err)
        return traceback.format_exc(limit, chain)


def _plain_errors_in_provider_host() -> None:
    host = sys.modules.get("__main__")
    spec = getattr(host, "__spec__", None)
    # Only inside the dynamic-provider host, and only while it still formats errors this way.
    if host is None or getattr(spec, "name", None) != "pulumi.dynamic.__main__":
        return
    if getattr(host, "traceback", None) is traceback and hasattr(host, "_abort_with_traceback"):
        setattr(host, "traceback", _MessageOnlyTraceback("traceback"))  # noqa: B010 (a module attribute mypy cannot see)


_plain_errors_in_provider_host()
