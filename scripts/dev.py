"""`make up` / `make refresh` / `make preview`: a stack against a local Stripe, then its outputs.

By default the stack is deployed to portal-infra's stateful fake (validated by stripe-mock), whose
state is kept in .state/fake-stripe.json between runs, so `pulumi refresh` reads real state back.
`--target stripe-mock` uses stripe-mock alone (stateless). Run with the project's venv python.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml

from portal_infra.testing import PulumiCLI, StripeMock, offline_env
from portal_infra.testing.fake import FakeStripe

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state"
# Local Stripes accept any test key; a throw-away one means a real key is never sent to them.
MOCK_KEY = "sk_test_portalinfraLocalMock"


def catalog(stack: str) -> dict[str, Any]:
    """What a stack file names that Stripe would already hold, for seeding the fake: products and
    prices, the connected accounts of its fleet, and the platform's own Dashboard settings."""
    data: Any = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()) or {}
    config = data.get("config") or {}
    portal = config.get("portal-infra:portal") or {}
    products = ((portal.get("features") or {}).get("subscription_update") or {}).get("products") or []
    fleet = config.get("portal-infra:fleet") or {}
    platform = config.get("portal-infra:platform") or {}
    return {
        "products": [{"id": p["product"], "name": p["product"]} for p in products],
        "prices": [{"id": price, "product": p["product"], "unit_amount": 1000, "recurring": {"interval": "month"}}
                   for p in products for price in p.get("prices", [])],
        "accounts": [{"id": a["account"]} for a in fleet.get("accounts") or []],
        # A platform whose Dashboard already matches the stack; tests cover the case where it does not.
        "platform": {
            "business_profile": {"name": platform.get("business_name")},
            "settings": {"branding": {k: platform[k] for k in ("primary_color", "secondary_color") if k in platform}},
        },
    }


def run(command: str, stack: str, target: str) -> int:
    STATE.mkdir(exist_ok=True)
    with ExitStack() as stack_ctx:
        mock = stack_ctx.enter_context(StripeMock(STATE / "stripe-mock.log"))
        url = mock.url
        if target == "fake":
            fake = FakeStripe(stripe_mock_url=mock.url)
            fake.load(STATE / "fake-stripe.json")
            fake.seed(catalog(stack))
            fake.start()
            stack_ctx.callback(fake.stop)
            stack_ctx.callback(fake.save, STATE / "fake-stripe.json")
            url = fake.url
        print(f"[up] local Stripe ({target}) on {url}", file=sys.stderr)
        env = offline_env(STATE, ROOT / ".pulumi-home", python=str(ROOT / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_BASE": url, "STRIPE_API_KEY": MOCK_KEY})
        cli = PulumiCLI(ROOT, env)
        cli.select_stack(stack)
        args = {"up": ["up", "--yes"], "refresh": ["refresh", "--yes", "--diff"], "preview": ["preview", "--diff"]}
        result = cli.run(*args[command], "--stack", stack)
        print(result.stdout, end="")
        print(result.stderr, end="", file=sys.stderr)
        if result.returncode != 0:
            return result.returncode
        outputs = {"login_page_url": None, **cli.outputs()}  # pulumi omits null outputs
    print(f"[up] outputs of stack {stack}:")
    print(json.dumps(outputs, indent=2, sort_keys=True))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "refresh", "preview"])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--target", choices=["fake", "stripe-mock"], default="fake")
    args = parser.parse_args()
    return run(args.command, args.stack, args.target)


if __name__ == "__main__":
    raise SystemExit(main())
