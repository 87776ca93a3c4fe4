"""`make up` / `make refresh` / `make preview`: a stack against a local Stripe, then its outputs.

By default the stack is deployed to portal-infra's stateful fake (validated by stripe-mock), whose
state is kept in .state/fake-stripe.json between runs (.state/fake-stripe-<stack>.json for a stack other
than dev: each stack is its own Stripe account, with the same lookup keys on prices of its own), so
`pulumi refresh` reads real state back.
`--target stripe-mock` uses stripe-mock alone (stateless: it cannot hold prices with lookup keys or
coupons, so only stacks that name prices by ID deploy there). Run with the project's venv python.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from portal_infra.stackfiles import find_project
from portal_infra.testing import PulumiCLI, StripeMock, offline_env
from portal_infra.testing.fake import FakeStripe

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state"
# Local Stripes accept any test key; a throw-away one means a real key is never sent to them.
MOCK_KEY = "sk_test_portalinfraLocalMock"


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in text.replace("-", "_").split("_"))


def catalog(stack: str) -> dict[str, Any]:
    """What a stack's effective config (base plus stack file) names that Stripe would already hold, for
    seeding the fake: products and prices, the retention coupon, the connected accounts of its fleet,
    and the platform's own Dashboard settings. Prices named by lookup key get IDs of this stack's own
    (price_DevStarterMonthly), as a real account would: the same lookup keys, different IDs per stack."""
    config = find_project(ROOT).effective(stack)
    portal = config.get("portal") or {}
    products = ((portal.get("features") or {}).get("subscription_update") or {}).get("products") or []
    fleet = config.get("fleet") or {}
    platform = config.get("platform") or {}
    out: dict[str, Any] = {
        "products": [], "prices": [], "coupons": [],
        "accounts": [{"id": a["account"]} for a in fleet.get("accounts") or []],
        # A platform whose Dashboard already matches the stack; tests cover the case where it does not.
        "platform": {
            "business_profile": {"name": platform.get("business_name")},
            "settings": {"branding": {k: platform[k] for k in ("primary_color", "secondary_color") if k in platform}},
        },
    }
    for i, entry in enumerate(products):
        product = entry.get("product") or f"prod_{_camel(stack)}Product{i + 1}"
        out["products"].append({"id": product, "name": product})
        for price in entry.get("prices", []):
            key = price.get("lookup_key") if isinstance(price, dict) else None
            out["prices"].append({
                "id": f"price_{_camel(stack)}{_camel(key)}" if key else price, "product": product,
                "unit_amount": 1000, "recurring": {"interval": "month"}, **({"lookup_key": key} if key else {}),
            })
    coupon = (portal.get("retention") or {}).get("coupon")
    if coupon:
        out["coupons"].append({"id": coupon, "percent_off": 25, "duration": "once"})
    return out


def fake_state_file(stack: str) -> Path:
    """One local Stripe account per stack: a second stack seeded into the dev stack's fake would clash on
    its lookup keys (an account holds one active price per key)."""
    return STATE / ("fake-stripe.json" if stack == "dev" else f"fake-stripe-{stack}.json")


def run(command: str, stack: str, target: str) -> int:
    STATE.mkdir(exist_ok=True)
    with ExitStack() as stack_ctx:
        mock = stack_ctx.enter_context(StripeMock(STATE / "stripe-mock.log"))
        url = mock.url
        if target == "fake":
            fake = FakeStripe(stripe_mock_url=mock.url)
            fake.load(fake_state_file(stack))
            fake.seed(catalog(stack))
            if find_project(ROOT).effective(stack).get("accountsApi") == "v2":
                # The local Stripe is the platform the stack says it is: one made on Accounts v2.
                fake.set_platform(accounts="v2")
            fake.start()
            stack_ctx.callback(fake.stop)
            stack_ctx.callback(fake.save, fake_state_file(stack))
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
