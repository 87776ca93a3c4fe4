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

from .specs import SpecError
from .specs.layers import merge
from .specs.stack import parse_stack_config, stack_file_schema
from .stackfiles import SECRET_PLACEHOLDER, StackFileError, find_project, own_config


def _validate(args: argparse.Namespace) -> int:
    """Check a stack file, laid over the project's base, without Pulumi or Stripe (what the program
    checks before `pulumi preview` registers anything; lookup keys are resolved by preview itself)."""
    path = Path(args.stack_file)
    try:
        try:
            project = find_project(path.parent)
            base, program_dir = project.base, project.program_dir
        except StackFileError:
            base, program_dir = {}, path.parent  # a stack file outside a project is checked on its own
        data: Any = yaml.safe_load(path.read_text()) or {}
        own = own_config(data, path)
    except (OSError, StackFileError, yaml.YAMLError) as err:
        print(f"{path}: {err}", file=sys.stderr)
        return 1
    if own.get("stripeApiKey") not in (None, SECRET_PLACEHOLDER):
        print(f"{path}: portal-infra:stripeApiKey is in plain text; remove it and use "
              "`pulumi config set --secret portal-infra:stripeApiKey` (or export STRIPE_API_KEY)", file=sys.stderr)
        return 1
    try:
        parse_stack_config(merge(own.pop("base", None) or base, own), base_dir=program_dir)
    except SpecError as err:
        _print_problems(f"{path}", err)
        return 1
    print(f"{path}: ok")
    return 0


def _print_problems(where: str, err: SpecError) -> None:
    """Each problem of a stack's config on its own line, with its `portal-infra:` path."""
    for problem in err.problems:
        print(f"{where}: portal-infra:{problem}", file=sys.stderr)


def _schema(_: argparse.Namespace) -> int:
    print(json.dumps(stack_file_schema(), indent=2, sort_keys=True))
    return 0


def _promote(args: argparse.Namespace) -> int:
    from .promote import promote

    return promote(args.source, args.target, dry_run=args.dry_run, project_dir=Path(args.project_dir))


def _preview_branding(args: argparse.Namespace) -> int:
    from .branding_preview import ChromiumError, preview_stack

    try:
        result = preview_stack(args.stack, project_dir=Path(args.project_dir), out=args.out and Path(args.out),
                               state_file=args.state and Path(args.state), use_state=not args.no_state,
                               processes=args.processes)
    except SpecError as err:
        _print_problems(f"stack {args.stack}", err)
        return 1
    except (StackFileError, ChromiumError, OSError) as err:
        print(f"preview-branding: {err}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _pull(args: argparse.Namespace) -> int:
    from .pull import Selection, pull
    from .stripe_api import StripeCallError, StripeSetupError

    try:
        selection = Selection.from_options(args.accounts, args.metadata)
        result = pull(args.stack, project_dir=Path(args.project_dir), out=args.out and Path(args.out),
                      assets_dir=args.assets and Path(args.assets), selection=selection,
                      accounts_file=args.accounts_file)
    except SpecError as err:
        _print_problems(f"pull --stack {args.stack}", err)
        return 1
    except (ValueError, StackFileError, StripeSetupError, StripeCallError, OSError) as err:
        print(f"pull --stack {args.stack}: {err}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _drift(args: argparse.Namespace) -> int:
    from .drift import EXIT_CLEAN, EXIT_DRIFT, EXIT_FAILED, RENDERERS, DriftError, run_refresh_preview
    from .testing.tools import ToolMissing, pulumi_dir

    try:
        project = find_project(Path(args.project_dir)).root
        try:
            pulumi = str(pulumi_dir() / "pulumi")
        except ToolMissing:
            pulumi = "pulumi"
        report = run_refresh_preview(args.stack, project, pulumi)
    except (StackFileError, DriftError) as err:
        print(f"drift: the refresh of stack {args.stack} failed, so drift is unknown:\n{err}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.write(RENDERERS[args.format](report))
    return EXIT_DRIFT if report.drifted else EXIT_CLEAN


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
    check = sub.add_parser("validate", help="validate a stack file (laid over the project's base)")
    check.add_argument("stack_file")
    check.set_defaults(func=_validate)
    fake = sub.add_parser("fake-stripe", help="serve the stateful Stripe fake (binds 127.0.0.1 by default)")
    fake.add_argument("--port", type=int, default=12113)
    fake.add_argument("--host", default="127.0.0.1", help="address to bind; loopback unless you say otherwise")
    fake.add_argument("--stripe-mock", default="auto",
                      help="'auto' (start one if installed), 'none', or the URL of a running stripe-mock")
    fake.add_argument("--state-file", help="load state from this JSON file at start, save it at exit")
    fake.set_defaults(func=_fake_stripe)
    schema = sub.add_parser("schema", help="print the JSON Schema of stack files (schema/stack-file.schema.json)")
    schema.set_defaults(func=_schema)
    promote = sub.add_parser("promote", help="carry one stack's portable definition into another stack's file")
    promote.add_argument("source", help="the stack to promote from, e.g. dev")
    promote.add_argument("target", help="the stack whose file is rewritten, e.g. staging")
    promote.add_argument("--dry-run", action="store_true", help="print the difference, write nothing")
    promote.add_argument("--project-dir", default=".", help="the Pulumi project (default: here or above)")
    promote.set_defaults(func=_promote)
    branding = sub.add_parser("preview-branding", help="a picture of each account's portal, before and after")
    branding.add_argument("--stack", default="dev", help="the stack file to read (default: dev)")
    branding.add_argument("--out", help="where pages and pictures go (default: branding-preview/<stack>)")
    branding.add_argument("--state", help="a saved `pulumi stack export` to read 'before' from")
    branding.add_argument("--no-state", action="store_true", help="do not read the deployed state: all is new")
    branding.add_argument("--processes", type=int, help="Chromium processes at once (default: cores, at most 4)")
    branding.add_argument("--project-dir", default=".", help="the Pulumi project (default: here or above)")
    branding.set_defaults(func=_preview_branding)
    puller = sub.add_parser("pull", help="write a stack file declaring what the stack's Stripe account holds now")
    puller.add_argument("--stack", required=True, help="the stack whose key and settings to read with")
    puller.add_argument("--out", help="the stack file to write (default: the stack's own, stacks/Pulumi.<stack>.yaml)")
    puller.add_argument("--assets", help="save the images accounts show here (by content hash) and declare paths")
    which = puller.add_mutually_exclusive_group()
    which.add_argument("--accounts", help="only these connected accounts: acct_1,acct_2")
    which.add_argument("--metadata", help="only connected accounts whose metadata has key=value")
    puller.add_argument("--accounts-file", help="write the fleet's accounts to this .csv or .jsonl file (relative "
                        "to the program directory) instead of YAML entries; past 500 accounts pull does so by "
                        "default, to accounts-<stack>.jsonl")
    puller.add_argument("--project-dir", default=".", help="the Pulumi project (default: here or above)")
    puller.set_defaults(func=_pull)
    drift = sub.add_parser("drift", help="what Stripe holds against what the stack declares (exit 2 on drift)")
    drift.add_argument("--stack", required=True, help="the stack to check")
    drift.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    drift.add_argument("--project-dir", default=".", help="the Pulumi project (default: here or above)")
    drift.set_defaults(func=_drift)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
