"""`portal-infra ...`: small operator commands around the library."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .specs import SpecError, parse_portal_configuration


def _validate(args: argparse.Namespace) -> int:
    """Check a stack file's portal config without Pulumi or Stripe (what `pulumi preview` checks)."""
    data: Any = yaml.safe_load(Path(args.stack_file).read_text()) or {}
    portal = (data.get("config") or {}).get("portal-infra:portal") or {}
    portal.pop("portal_infra", None)
    try:
        parse_portal_configuration(portal)
    except SpecError as err:
        for problem in err.problems:
            print(f"{args.stack_file}: portal-infra:portal.{problem}", file=sys.stderr)
        return 1
    print(f"{args.stack_file}: ok")
    return 0


def _schema(_: argparse.Namespace) -> int:
    from .specs import PortalConfigurationSpec

    print(json.dumps(PortalConfigurationSpec.model_json_schema(), indent=2))
    return 0


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class _Stop(Exception):
    """A stop signal arrived before the fake was serving: nothing loaded, so nothing to save."""


def _stop_on(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _on_stop_signals(handler: Callable[[int, object], None]) -> None:
    # A SIGINT or SIGHUP that the parent chose to ignore (`cmd &` in a script, nohup) stays ignored.
    for signum in _STOP_SIGNALS:
        if signum == signal.SIGTERM or signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, handler)


def _fake_stripe(args: argparse.Namespace) -> int:
    """Serve the stateful Stripe fake until stopped by SIGTERM, SIGINT or SIGHUP.

    SIGTERM is what `docker stop`, systemd and CI time-outs send, and the only stop signal a
    backgrounded process receives (it ignores SIGINT). Each of them saves `--state-file` and stops
    the stripe-mock child before the process exits.
    """
    from .testing.fake import FakeStripe
    from .testing.stripe_mock import StripeMock
    from .testing.tools import ToolMissing

    # Installed first, so a signal during start-up still stops the stripe-mock child below.
    _on_stop_signals(_stop_on)
    mock: StripeMock | None = None
    try:
        mock_url = None if args.stripe_mock == "none" else args.stripe_mock
        if args.stripe_mock == "auto":
            try:
                mock = StripeMock(Path(args.state_file or ".").resolve().parent / "fake-stripe-mock.log").start()
                mock_url = mock.url
            except ToolMissing:
                mock_url = None
                print("stripe-mock not found: serving without spec validation", file=sys.stderr)
        fake = FakeStripe(args.host, args.port, stripe_mock_url=mock_url)
        if args.state_file:
            fake.load(Path(args.state_file))
        stopped_by: list[str] = []

        def stop(signum: int, _frame: object) -> None:
            # serve_forever runs in this (the main) thread and can only be ended from another one;
            # it then returns normally, so the save below is never cut short by an exception.
            stopped_by.append(signal.Signals(signum).name)
            threading.Thread(target=fake.stop, daemon=True).start()

        _on_stop_signals(stop)
        print(f"fake Stripe on {fake.url} (stripe-mock: {mock_url or 'none'}); control API at {fake.url}/_fake/",
              file=sys.stderr, flush=True)
        fake.serve_forever()
        if args.state_file:
            fake.save(Path(args.state_file))
            print(f"fake Stripe: {', '.join(stopped_by[:1]) or 'stopped'}; state saved to {args.state_file}",
                  file=sys.stderr, flush=True)
    except _Stop:
        pass
    finally:
        if mock is not None:
            mock.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal-infra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="validate the portal config in a stack file")
    check.add_argument("stack_file")
    check.set_defaults(func=_validate)
    fake = sub.add_parser("fake-stripe", help="serve the stateful Stripe fake (binds 127.0.0.1 by default)")
    fake.add_argument("--port", type=int, default=12113)
    fake.add_argument("--host", default="127.0.0.1", help="address to bind; loopback unless you say otherwise")
    fake.add_argument("--stripe-mock", default="auto",
                      help="'auto' (start one if installed), 'none', or the URL of a running stripe-mock")
    fake.add_argument("--state-file", help="load state from this JSON file at start, save it at exit")
    fake.set_defaults(func=_fake_stripe)
    schema = sub.add_parser("schema", help="print the JSON schema of portal-infra:portal")
    schema.set_defaults(func=_schema)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
