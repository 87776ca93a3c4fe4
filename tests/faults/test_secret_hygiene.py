"""The key appears nowhere a person or a machine can read it (issue 11, item 7).

Tests 1-6 check every run's output in their fixture's teardown; this one adds the places only a
debugging session looks: `-v=9 --logtostderr` (which also carries the provider's stderr), the
state with its secrets decrypted (the pickled provider included) and the stack outputs, for a
run that succeeds, one that Stripe refuses and one that cannot reach Stripe.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import Fleet, assert_key_absent, branded_accounts, branding_problems

pytestmark = pytest.mark.e2e
VERBOSE = ("-v=9", "--logtostderr")


def test_the_key_is_in_no_log_state_output_or_error(fleet: Fleet) -> None:
    # Every resource type: configurations, branded accounts (with uploads), a custom domain and the
    # platform settings check.
    branded = branded_accounts(fleet, 2)
    every_type = {"fleet": branded.config, "domain": {"domain": "billing.faults.example", "verify": "none"},
                  "platform": {"business_name": "Fault Platform"}}
    fleet.configure(2, retries={"maxAttempts": 2}, **every_type)
    fleet.select()
    seen: list[str] = []

    ok = fleet.cli.up(*VERBOSE)
    seen.append(ok.output)
    assert len(fleet.owned()) == 2 and branding_problems(fleet, branded) == []  # the providers used the key
    types = {r["type"].rsplit(":", 1)[-1] for r in fleet.state_resources()}
    assert {"PortalConfiguration", "AccountBranding", "CustomDomain", "PlatformSettings"} <= types
    assert "PortalConfiguration" in ok.stderr and len(ok.stderr) > 10_000  # the verbose log is there

    refused = {"features": {"subscription_update": {
        "enabled": True, "default_allowed_updates": ["price"],
        "products": [{"product": "prod_Missing", "prices": ["price_Missing"]}]}}}
    fleet.configure(2, extra={"refused": refused}, retries={"maxAttempts": 2}, **every_type)
    run = fleet.cli.up(*VERBOSE, check=False)
    assert run.returncode != 0 and "No such product" in run.output
    seen.append(run.output)

    fleet.fake.stop()
    fleet.configure(3, retries={"maxAttempts": 2}, **every_type)
    run = fleet.cli.up(*VERBOSE, check=False)
    assert run.returncode != 0 and "could not reach Stripe" in run.output
    seen.append(run.output)

    seen.append(fleet.cli.run("stack", "export", "--show-secrets", check=True).stdout)
    seen.append(fleet.cli.run("stack", "output", "--json", "--show-secrets", check=True).stdout)
    seen.append(fleet.cli.run("config", "--show-secrets", check=True).stdout)
    assert_key_absent(seen, "a log, the state, the outputs or an error")
