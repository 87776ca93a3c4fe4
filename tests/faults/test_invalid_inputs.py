"""Bad input fails `pulumi preview` naming its field, before any request (issue 11, item 6).

Each case is its own stack, so each preview stops on exactly that input; the stacks share one
project, one state directory and one fake, and run a few at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from portal_infra.testing import Run
from tests.e2e.test_connect_fleet import BAD_INPUTS as BAD_BRANDING
from tests.examples import full
from tests.faults.conftest import Fleet
from tests.images import big_png, png, svg_named_png
from tests.unit.test_custom_domain import INVALID as DOMAIN_CASES
from tests.unit.test_spec_validation import CASES as SPEC_CASES
from tests.unit.test_spec_validation import _set

pytestmark = pytest.mark.e2e
PREVIEWS_AT_ONCE = 4


@dataclass(frozen=True)
class Case:
    config: dict[str, Any]  # the stack's config
    field: str  # the property pulumi names
    words: str  # part of the reason


def _portal_case(mutate: Callable[[dict[str, Any]], None], field: str, words: str,
                 **options: Any) -> Case:
    portal = full()
    mutate(portal)
    if options:
        portal["portal_infra"] = options
    return Case({"fleet:extra": {"portal": portal}}, field, words)


def _settings_case(key: str, value: Any, field: str, words: str) -> Case:
    return Case({"fleet:extra": {"portal": full()}, f"portal-infra:{key}": value}, field, words)


def _keep(_: dict[str, Any]) -> None:
    return


def _branding_case(branding: dict[str, Any], field: str) -> Case:
    fleet = {"accounts": [{"name": "bakery", "account": "acct_1FaultBakery000000000", "branding": branding}]}
    return Case({"portal-infra:fleet": fleet}, field, "")


def _domain_case(domain: dict[str, Any], field: str, words: str) -> Case:
    return Case({"portal-infra:domain": domain}, field, words)


# The spec's own table is exercised whole in tests/unit; a sample of it goes through the CLI here.
_SPEC_SAMPLE = ("headline_61_chars", "malformed_privacy_url", "malformed_return_url", "metadata_51_keys",
                "metadata_key_41_chars", "metadata_reserved_key", "eleven_products", "quantity_min_above_max",
                "create_prorations_without_immediately", "bad_cancel_mode", "bad_allowed_update", "enabled_not_bool",
                "no_features", "pause_too_long")
_DOMAIN_SAMPLE = ("apex", "url", "path", "wildcard", "ip_address", "quoted_token", "verify_unknown",
                  "account_not_an_id")

CASES: dict[str, Case] = {
    # PortalConfiguration: its fields...
    **{f"portal/{name}": _portal_case(*SPEC_CASES[name]) for name in _SPEC_SAMPLE},
    "portal/typo_in_a_field_name": _portal_case(_set("business_profile.headlne", "x"),
                                                "business_profile.headlne", "did you mean 'headline'"),
    "portal/bad_schedule_condition": _portal_case(
        _set("features.subscription_update.schedule_at_period_end.conditions", [{"type": "whenever"}]),
        "features.subscription_update.schedule_at_period_end.conditions[0].type", "one of"),
    # ...and what steers portal-infra itself.
    "portal/unknown_retire_policy": _portal_case(_keep, "on_delete", "use deactivate or retain",
                                                 on_delete="archive"),
    "portal/adopt_neither_default_nor_id": _portal_case(_keep, "adopt", "use adopt: default",
                                                        adopt="my-portal"),
    # AccountBranding (a connected account in a fleet).
    **{f"branding/{name.replace(' ', '_')}": _branding_case(branding, field) for name, branding, field in BAD_BRANDING},
    # CustomDomain.
    **{f"domain/{name}": _domain_case(*DOMAIN_CASES[name]) for name in _DOMAIN_SAMPLE},
    # A fleet account's domain block is passed on to CustomDomain as keyword arguments.
    "domain/fleet_typo_in_a_field_name": Case(
        {"portal-infra:fleet": {"accounts": [{"name": "bakery", "account": "acct_1FaultBakery000000000",
                                              "domain": {"domian": "billing.bakery.example"}}]}},
        "fleet.accounts[0].domain.domian", "did you mean 'domain'"),
    # The Stripe client's settings, shared by every resource type (checked with the whole stack config).
    "settings/rate_limit_zero": _settings_case("rateLimits", {"test": 0}, "portal-infra:rateLimits.test",
                                               "greater than 0"),
    "settings/rate_limit_words": _settings_case("rateLimits", {"files": "fast"}, "portal-infra:rateLimits.files",
                                                "valid number"),
    "settings/rate_limit_unknown_key": _settings_case("rateLimits", {"burst": 5}, "portal-infra:rateLimits.burst",
                                                      "known fields: test, live, endpoint, filesRead, filesWrite, "
                                                      "files"),
    "settings/endpoint_rate_zero": _settings_case("rateLimits", {"endpoint": 0}, "portal-infra:rateLimits.endpoint",
                                                  "greater than 0"),
    "settings/read_timeout_zero": _settings_case("timeouts", {"read": 0}, "portal-infra:timeouts.read",
                                                 "greater than 0"),
    "settings/no_attempts": _settings_case("retries", {"maxAttempts": 0}, "portal-infra:retries.maxAttempts",
                                           "greater than or equal to 1"),
    "settings/negative_retry_time": _settings_case("retries", {"maxSeconds": -1}, "portal-infra:retries.maxSeconds",
                                                   "greater than 0"),
    # The key and mode guard.
    "connection/unknown_mode": _settings_case("mode", "staging", "portal-infra:mode", "use one of 'test' or 'live'"),
    "connection/test_key_on_a_live_stack": _settings_case("mode", "live", "portal-infra:stripeApiKey",
                                                          "use a live-mode key for this stack"),
}


def _assets(fleet: Fleet) -> None:
    """The images the branding cases name (the good ones are not needed: each case has one bad input)."""
    assets = fleet.project_dir / "assets"
    svg_named_png(assets / "svg.png")
    big_png(assets / "big.png")
    png(assets / "tiny.png", 64, 64)
    png(assets / "wide.png", 256, 128)


def _preview(fleet: Fleet, name: str, case: Case) -> Run:
    stack = f"case-{list(CASES).index(name):02d}"
    fleet.cli.run("stack", "init", stack, check=True)
    config = {"portal-infra:mode": "test", "fleet:count": 0, **copy.deepcopy(case.config)}
    path = fleet.project_dir / f"Pulumi.{stack}.yaml"
    stack_file: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
    path.write_text(yaml.safe_dump({**stack_file, "config": config}))
    return fleet.cli.run("preview", "--stack", stack)


def test_each_invalid_input_fails_preview_naming_its_field_with_no_request(fleet: Fleet) -> None:
    assert len(CASES) >= 40
    _assets(fleet)
    with ThreadPoolExecutor(PREVIEWS_AT_ONCE) as pool:
        runs = dict(zip(CASES, pool.map(lambda name: _preview(fleet, name, CASES[name]), CASES), strict=True))

    wrong = {}
    for name, run in runs.items():
        case = CASES[name]
        # A resource's check names its property; the stack config check names the key and its file.
        named = f"property {case.field} " in run.stdout or f"{case.field} (stacks/Pulumi.case-" in run.stdout
        if run.returncode == 0 or not named or case.words not in run.stdout:
            wrong[name] = run.stdout[-1500:]
        elif "Traceback" in run.output:
            wrong[name] = "a traceback instead of a message:\n" + run.output[-1500:]
    assert not wrong, "\n\n".join(f"{name}:\n{out}" for name, out in wrong.items())
    assert fleet.api_requests() == []
