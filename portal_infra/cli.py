"""`portal-infra ...`: small operator commands around the library."""

from __future__ import annotations

import argparse
import json
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal-infra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="validate the portal config in a stack file")
    check.add_argument("stack_file")
    check.set_defaults(func=_validate)
    schema = sub.add_parser("schema", help="print the JSON schema of portal-infra:portal")
    schema.set_defaults(func=_schema)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
