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
from tests.examples import full
from tests.faults.conftest import Fleet
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


CASES: dict[str, Case] = {
    # PortalConfiguration: every field rule of the spec (shared with the unit table)...
    **{f"portal/{name}": _portal_case(mutate, field, words) for name, (mutate, field, words) in SPEC_CASES.items()},
    # ...and more of its fields.
    "portal/typo_in_a_field_name": _portal_case(_set("business_profile.headlne", "x"),
                                                "business_profile.headlne", "did you mean 'headline'"),
    "portal/login_page_enabled_not_bool": _portal_case(_set("login_page.enabled", "sometimes"),
                                                       "login_page.enabled", "boolean"),
    "portal/bad_default_allowed_update": _portal_case(
        _set("features.subscription_update.default_allowed_updates", ["everything"]),
        "features.subscription_update.default_allowed_updates[0]", "one of"),
    "portal/bad_billing_cycle_anchor": _portal_case(_set("features.subscription_update.billing_cycle_anchor",
                                                         "tomorrow"),
                                                    "features.subscription_update.billing_cycle_anchor", "one of"),
    "portal/bad_schedule_condition": _portal_case(
        _set("features.subscription_update.schedule_at_period_end.conditions", [{"type": "whenever"}]),
        "features.subscription_update.schedule_at_period_end.conditions[0].type", "one of"),
    "portal/malformed_terms_url": _portal_case(_set("business_profile.terms_of_service_url", "terms"),
                                               "business_profile.terms_of_service_url", "URL"),
    "portal/bad_cancellation_reason": _portal_case(
        _set("features.subscription_cancel.cancellation_reason.options", ["meh"]),
        "features.subscription_cancel.cancellation_reason.options[0]", "one of"),
    "portal/bad_trial_update_behavior": _portal_case(
        _set("features.subscription_update.trial_update_behavior", "pause"),
        "features.subscription_update.trial_update_behavior", "one of"),
    "portal/bad_pause_duration_type": _portal_case(_set("features.subscription_pause.duration.type", "forever"),
                                                   "features.subscription_pause.duration.type", "one of"),
    # What steers portal-infra itself.
    "portal/unknown_retire_policy": _portal_case(_keep, "on_delete", "use deactivate or retain",
                                                 on_delete="archive"),
    "portal/adopt_neither_default_nor_id": _portal_case(_keep, "adopt", "use adopt: default",
                                                        adopt="my-portal"),
    # The Stripe client's settings, shared by every resource type.
    "settings/rate_limit_zero": _settings_case("rateLimits", {"test": 0}, "portal-infra:rateLimits.test",
                                               "positive number of requests per second"),
    "settings/rate_limit_negative": _settings_case("rateLimits", {"live": -5}, "portal-infra:rateLimits.live",
                                                   "positive number"),
    "settings/rate_limit_words": _settings_case("rateLimits", {"files": "fast"}, "portal-infra:rateLimits.files",
                                                "positive number"),
    "settings/rate_limit_unknown_key": _settings_case("rateLimits", {"burst": 5}, "portal-infra:rateLimits.burst",
                                                      "the settings are test, live, files"),
    "settings/rate_limits_not_a_mapping": _settings_case("rateLimits", "fast", "portal-infra:rateLimits",
                                                         "set a mapping"),
    "settings/read_timeout_zero": _settings_case("timeouts", {"read": 0}, "portal-infra:timeouts.read",
                                                 "positive number of seconds"),
    "settings/connect_timeout_words": _settings_case("timeouts", {"connect": "10s"},
                                                     "portal-infra:timeouts.connect", "positive number of seconds"),
    "settings/timeout_unknown_key": _settings_case("timeouts", {"write": 5}, "portal-infra:timeouts.write",
                                                   "the settings are connect, read"),
    "settings/no_attempts": _settings_case("retries", {"maxAttempts": 0}, "portal-infra:retries.maxAttempts",
                                           "whole number of at least 1"),
    "settings/fractional_attempts": _settings_case("retries", {"maxAttempts": 2.5},
                                                   "portal-infra:retries.maxAttempts", "whole number"),
    "settings/negative_retry_time": _settings_case("retries", {"maxSeconds": -1}, "portal-infra:retries.maxSeconds",
                                                   "positive number of seconds"),
    # The key and mode guard.
    "connection/unknown_mode": _settings_case("mode", "staging", "portal-infra:mode", "set it to test or live"),
    "connection/test_key_on_a_live_stack": _settings_case("mode", "live", "portal-infra:stripeApiKey",
                                                          "use a live-mode key for this stack"),
}


def _preview(fleet: Fleet, name: str, case: Case) -> Run:
    stack = "case-" + name.replace("/", "-").replace("_", "-")
    fleet.cli.run("stack", "init", stack, check=True)
    config = {"portal-infra:mode": "test", "fleet:count": 0, **copy.deepcopy(case.config)}
    path = fleet.project_dir / f"Pulumi.{stack}.yaml"
    stack_file: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
    path.write_text(yaml.safe_dump({**stack_file, "config": config}))
    return fleet.cli.run("preview", "--stack", stack)


def test_each_invalid_input_fails_preview_naming_its_field_with_no_request(fleet: Fleet) -> None:
    assert len(CASES) >= 40
    with ThreadPoolExecutor(PREVIEWS_AT_ONCE) as pool:
        runs = dict(zip(CASES, pool.map(lambda name: _preview(fleet, name, CASES[name]), CASES), strict=True))

    wrong = {}
    for name, run in runs.items():
        case = CASES[name]
        if run.returncode == 0 or f"property {case.field} value" not in run.stdout or case.words not in run.stdout:
            wrong[name] = run.stdout[-1500:]
        elif "Traceback" in run.output:
            wrong[name] = "a traceback instead of a message:\n" + run.output[-1500:]
    assert not wrong, "\n\n".join(f"{name}:\n{out}" for name, out in wrong.items())
    assert fleet.api_requests() == []
