"""`make up`: start stripe-mock on a free loopback port, deploy a stack against it, print the
outputs, stop the mock. Run with the project's venv python (the Makefile does)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from portal_infra.testing import PulumiCLI, StripeMock, offline_env

ROOT = Path(__file__).resolve().parent.parent
# stripe-mock accepts any test key; a throw-away one means a real key is never sent to the mock.
MOCK_KEY = "sk_test_portalinfraLocalMock"


def up(stack: str) -> int:
    state = ROOT / ".state"
    state.mkdir(exist_ok=True)
    with StripeMock(ROOT / ".state" / "stripe-mock.log") as mock:
        print(f"[up] stripe-mock listening on {mock.url}", file=sys.stderr)
        env = offline_env(state, ROOT / ".pulumi-home", python=str(ROOT / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_BASE": mock.url, "STRIPE_API_KEY": MOCK_KEY})
        cli = PulumiCLI(ROOT, env)
        cli.select_stack(stack)
        result = cli.run("up", "--yes", "--stack", stack)
        print(result.stdout, end="")
        print(result.stderr, end="", file=sys.stderr)
        if result.returncode != 0:
            return result.returncode
        outputs = {"login_page_url": None, **cli.outputs()}  # null is omitted by pulumi
    print(f"[up] outputs of stack {stack}:")
    print(json.dumps(outputs, indent=2, sort_keys=True))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args()
    return up(args.stack)


if __name__ == "__main__":
    raise SystemExit(main())
