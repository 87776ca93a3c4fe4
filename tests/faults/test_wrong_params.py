"""Wrong parameters: each refused by the fake as Stripe refuses it, and none ever sent by portal-infra.

Every row is one mistake in two forms. As a raw Stripe request, the fake answers it with Stripe's 400, code
and `param` (the rules and their sources: portal_infra/testing/fake/params.py). As the declaration a
portal-infra user could write, portal-infra's own checks refuse it first, naming the field: for every row
through the spec parsers (`parse_portal_configuration`, `parse_account_branding`), for a sample through the
real `pulumi preview`, after which the fake's request log holds no write.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import yaml

from portal_infra.specs import SpecError, parse_portal_configuration
from portal_infra.specs.branding import parse_account_branding
from portal_infra.specs.fleet import parse_fleet
from portal_infra.testing import StripeMock
from portal_infra.testing.fake import FakeStripe, params
from portal_infra.testing.tools import stripe_spec
from tests.faults.conftest import Fleet

KEY = "sk_test_WrongParams4242"
CONFIGS = "/v1/billing_portal/configurations"
ACCOUNT = "acct_1WrongParams000000000"
BASE_FORM = {"features[invoice_history][enabled]": "true"}
BASE_PORTAL: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}}
UNKNOWN, EMPTY, MISSING, INTEGER = "parameter_unknown", "parameter_invalid_empty", "parameter_missing", \
    "parameter_invalid_integer"
# Stripe's published error codes name none for a bad enum value, a bad boolean or an over-long string
# (params.py UNSOURCED_CODE): the fake sends none, and its message says what is wrong.
NO_CODE = None


@dataclass(frozen=True)
class Row:
    endpoint: str  # "create" (a configuration), "update" (a configuration) or "account" (POST /v1/accounts/{id})
    form: dict[str, str]  # the raw request's parameters (with BASE_FORM on create)
    param: str  # what Stripe names
    code: str | None
    words: str  # part of Stripe's message
    declared: dict[str, Any]  # what a user writes: a portal configuration, or an account's branding
    field: str  # the field portal-infra's check names
    needs_spec: bool = False  # a max length, known only from stripe-mock's OpenAPI spec


def portal(**dotted: Any) -> dict[str, Any]:
    """BASE_PORTAL with `a__b__c=value` set at a.b.c."""
    out = copy.deepcopy(BASE_PORTAL)
    for path, value in dotted.items():
        node = out
        keys = path.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return out


def branding(**fields: Any) -> dict[str, Any]:
    return {"branding": fields}


SUB_CANCEL = {"features[subscription_cancel][enabled]": "true"}
SUB_UPDATE = {"features[subscription_update][enabled]": "true"}
PAUSE = {"features[subscription_pause][enabled]": "true",
         "features[subscription_pause][duration][type]": "interval_options"}
CANCEL = {"enabled": True}
UPDATE = {"enabled": True}

ROWS: dict[str, Row] = {
    # Typos inside objects: stripe-mock lets every one of these through (STRIPE-MOCK.md 2.3).
    "typo allowed_updates": Row(
        "create", {"features[customer_update][enabled]": "true",
                   "features[customer_update][allowd_updates][0]": "email"},
        "features[customer_update][allowd_updates]", UNKNOWN, "Received unknown parameter",
        portal(features__customer_update={"enabled": True, "allowd_updates": ["email"]}),
        "features.customer_update.allowd_updates"),
    "typo cancellation options": Row(
        "create", {**SUB_CANCEL, "features[subscription_cancel][cancellation_reason][enabled]": "true",
                   "features[subscription_cancel][cancellation_reason][optoins][0]": "other"},
        "features[subscription_cancel][cancellation_reason][optoins]", UNKNOWN, "optoins",
        portal(features__subscription_cancel={**CANCEL, "cancellation_reason": {"enabled": True,
                                                                                "optoins": ["other"]}}),
        "features.subscription_cancel.cancellation_reason.optoins"),
    "typo headline": Row(
        "create", {"business_profile[headlne]": "Hi"}, "business_profile[headlne]", UNKNOWN, "headlne",
        portal(business_profile={"headlne": "Hi"}), "business_profile.headlne"),
    "typo feature group": Row(
        "create", {"features[invoice_histroy][enabled]": "true"}, "features[invoice_histroy]", UNKNOWN, "histroy",
        portal(features__invoice_histroy={"enabled": True}), "features.invoice_histroy"),
    "typo products": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][prodcts][0][product]": "prod_A"},
        "features[subscription_update][prodcts]", UNKNOWN, "prodcts",
        portal(features__subscription_update={**UPDATE, "prodcts": [{"product": "prod_A"}]}),
        "features.subscription_update.prodcts"),
    "typo schedule conditions": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][schedule_at_period_end][condtions][0][type]":
                   "shortening_interval"},
        "features[subscription_update][schedule_at_period_end][condtions]", UNKNOWN, "condtions",
        portal(features__subscription_update={**UPDATE, "schedule_at_period_end": {
            "condtions": [{"type": "shortening_interval"}]}}),
        "features.subscription_update.schedule_at_period_end.condtions"),
    "typo login page": Row(
        "create", {"login_page[enable]": "true"}, "login_page[enable]", UNKNOWN, "enable",
        portal(login_page={"enable": True}), "login_page.enable"),
    "typo branding colour": Row(
        "account", {"settings[branding][primary_colour]": "#0a7d5e"}, "settings[branding][primary_colour]",
        UNKNOWN, "primary_colour", branding(primary_colour="#0a7d5e"), "primary_colour"),
    "typo support email": Row(
        "account", {"business_profile[suport_email]": "help@example.com"}, "business_profile[suport_email]",
        UNKNOWN, "suport_email", branding(suport_email="help@example.com"), "suport_email"),
    # `""` where Stripe's definition has no `Literal['']`: Stripe will not unset these.
    "empty business name": Row(
        "account", {"business_profile[name]": ""}, "business_profile[name]", EMPTY, "cannot be unset",
        branding(business_name=""), "business_name"),
    "empty icon": Row(
        "account", {"settings[branding][icon]": ""}, "settings[branding][icon]", EMPTY, "cannot be unset",
        branding(icon=""), "icon"),
    "empty support email": Row(
        "account", {"business_profile[support_email]": ""}, "business_profile[support_email]", EMPTY,
        "cannot be unset", branding(support_email=""), "support_email"),
    "empty support phone": Row(
        "account", {"business_profile[support_phone]": ""}, "business_profile[support_phone]", EMPTY,
        "cannot be unset", branding(support_phone=""), "support_phone"),
    "empty website": Row(
        "account", {"business_profile[url]": ""}, "business_profile[url]", EMPTY, "cannot be unset",
        branding(url=""), "url"),
    "empty primary colour": Row(
        "account", {"settings[branding][primary_color]": ""}, "settings[branding][primary_color]", EMPTY,
        "cannot be unset", branding(primary_color=""), "primary_color"),
    "empty cancel mode": Row(
        "create", {**SUB_CANCEL, "features[subscription_cancel][mode]": ""}, "features[subscription_cancel][mode]",
        EMPTY, "cannot be unset", portal(features__subscription_cancel={**CANCEL, "mode": ""}),
        "features.subscription_cancel.mode"),
    "empty update proration": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][proration_behavior]": ""},
        "features[subscription_update][proration_behavior]", EMPTY, "cannot be unset",
        portal(features__subscription_update={**UPDATE, "proration_behavior": ""}),
        "features.subscription_update.proration_behavior"),
    "empty privacy url on create": Row(
        "create", {"business_profile[privacy_policy_url]": ""}, "business_profile[privacy_policy_url]", EMPTY,
        "cannot be unset", portal(business_profile={"privacy_policy_url": ""}), "business_profile.privacy_policy_url"),
    "empty schedule conditions on create": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][schedule_at_period_end][conditions]": ""},
        "features[subscription_update][schedule_at_period_end][conditions]", EMPTY, "cannot be unset",
        portal(features__subscription_update={**UPDATE, "schedule_at_period_end": {"conditions": []}}),
        "features.subscription_update.schedule_at_period_end.conditions"),
    "empty login page enabled": Row(
        "update", {"login_page[enabled]": ""}, "login_page[enabled]", EMPTY, "cannot be unset",
        portal(login_page={"enabled": ""}), "login_page.enabled"),
    # Values outside Stripe's enums (the SDK's `Literal[...]`, its `|str` notwithstanding).
    "cancel mode sometimes": Row(
        "create", {**SUB_CANCEL, "features[subscription_cancel][mode]": "sometimes"},
        "features[subscription_cancel][mode]", NO_CODE, "must be one of at_period_end or immediately",
        portal(features__subscription_cancel={**CANCEL, "mode": "sometimes"}), "features.subscription_cancel.mode"),
    "cancel proration sometimes": Row(
        "create", {**SUB_CANCEL, "features[subscription_cancel][proration_behavior]": "sometimes"},
        "features[subscription_cancel][proration_behavior]", NO_CODE, "must be one of",
        portal(features__subscription_cancel={**CANCEL, "proration_behavior": "sometimes"}),
        "features.subscription_cancel.proration_behavior"),
    "allowed update birthday": Row(
        "create", {"features[customer_update][enabled]": "true",
                   "features[customer_update][allowed_updates][0]": "birthday"},
        "features[customer_update][allowed_updates][0]", NO_CODE, "must be one of address",
        portal(features__customer_update={"enabled": True, "allowed_updates": ["birthday"]}),
        "features.customer_update.allowed_updates[0]"),
    "cancellation option bored": Row(
        "create", {**SUB_CANCEL, "features[subscription_cancel][cancellation_reason][enabled]": "true",
                   "features[subscription_cancel][cancellation_reason][options][0]": "bored"},
        "features[subscription_cancel][cancellation_reason][options][0]", NO_CODE, "must be one of",
        portal(features__subscription_cancel={**CANCEL, "cancellation_reason": {"enabled": True,
                                                                                "options": ["bored"]}}),
        "features.subscription_cancel.cancellation_reason.options[0]"),
    "default allowed update downgrade": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][default_allowed_updates][0]": "downgrade"},
        "features[subscription_update][default_allowed_updates][0]", NO_CODE, "must be one of price",
        portal(features__subscription_update={**UPDATE, "default_allowed_updates": ["downgrade"]}),
        "features.subscription_update.default_allowed_updates[0]"),
    "update proration sometimes": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][proration_behavior]": "sometimes"},
        "features[subscription_update][proration_behavior]", NO_CODE, "must be one of always_invoice",
        portal(features__subscription_update={**UPDATE, "proration_behavior": "sometimes"}),
        "features.subscription_update.proration_behavior"),
    "billing cycle anchor tomorrow": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][billing_cycle_anchor]": "tomorrow"},
        "features[subscription_update][billing_cycle_anchor]", NO_CODE, "must be one of now or unchanged",
        portal(features__subscription_update={**UPDATE, "billing_cycle_anchor": "tomorrow"}),
        "features.subscription_update.billing_cycle_anchor"),
    "trial update behavior pause": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][trial_update_behavior]": "pause"},
        "features[subscription_update][trial_update_behavior]", NO_CODE, "must be one of continue_trial",
        portal(features__subscription_update={**UPDATE, "trial_update_behavior": "pause"}),
        "features.subscription_update.trial_update_behavior"),
    "schedule condition whenever": Row(
        "create", {**SUB_UPDATE,
                   "features[subscription_update][schedule_at_period_end][conditions][0][type]": "whenever"},
        "features[subscription_update][schedule_at_period_end][conditions][0][type]", NO_CODE,
        "must be one of decreasing_item_amount or shortening_interval",
        portal(features__subscription_update={**UPDATE, "schedule_at_period_end": {
            "conditions": [{"type": "whenever"}]}}),
        "features.subscription_update.schedule_at_period_end.conditions[0].type"),
    "pause interval fortnight": Row(
        "create", {**PAUSE, "features[subscription_pause][duration][interval_options][0][interval]": "fortnight"},
        "features[subscription_pause][duration][interval_options][0][interval]", NO_CODE, "must be one of day",
        portal(features__subscription_pause={"enabled": True, "duration": {
            "type": "interval_options", "interval_options": [{"interval": "fortnight"}]}}),
        "features.subscription_pause.duration.interval_options[0].interval"),
    "pause duration forever": Row(
        "create", {"features[subscription_pause][enabled]": "true",
                   "features[subscription_pause][duration][type]": "forever"},
        "features[subscription_pause][duration][type]", NO_CODE, "must be one of indefinite or interval_options",
        portal(features__subscription_pause={"enabled": True, "duration": {"type": "forever"}}),
        "features.subscription_pause.duration.type"),
    # Wrong types.
    "enabled maybe": Row(
        "create", {"features[subscription_pause][enabled]": "maybe"}, "features[subscription_pause][enabled]",
        NO_CODE, "Invalid boolean: maybe", portal(features__subscription_pause={"enabled": "maybe"}),
        "features.subscription_pause.enabled"),
    "quantity minimum two": Row(
        "create", {**SUB_UPDATE, "features[subscription_update][products][0][product]": "prod_A",
                   "features[subscription_update][products][0][prices][0]": "price_A",
                   "features[subscription_update][products][0][adjustable_quantity][enabled]": "true",
                   "features[subscription_update][products][0][adjustable_quantity][minimum]": "two"},
        "features[subscription_update][products][0][adjustable_quantity][minimum]", INTEGER, "Invalid integer",
        portal(features__subscription_update={**UPDATE, "products": [
            {"product": "prod_A", "prices": ["price_A"], "adjustable_quantity": {"enabled": True, "minimum": "two"}}]}),
        "features.subscription_update.products[0].adjustable_quantity.minimum"),
    "pause interval without interval": Row(
        "create", {**PAUSE, "features[subscription_pause][duration][interval_options][0][interval_count]": "2"},
        "features[subscription_pause][duration][interval_options][0][interval]", MISSING, "Missing required param",
        portal(features__subscription_pause={"enabled": True, "duration": {
            "type": "interval_options", "interval_options": [{"interval_count": 2}]}}),
        "features.subscription_pause.duration.interval_options[0].interval"),
    # Over-long strings: the max lengths of the OpenAPI spec stripe-mock embeds; metadata's from Stripe's docs.
    "name 257 characters": Row(
        "create", {"name": "n" * 257}, "name", NO_CODE, "must be at most 256 characters",
        portal(name="n" * 257), "name", needs_spec=True),
    "headline 61 characters": Row(
        "create", {"business_profile[headline]": "h" * 61}, "business_profile[headline]", NO_CODE,
        "must be at most 60 characters", portal(business_profile={"headline": "h" * 61}), "business_profile.headline",
        needs_spec=True),
    "business name 5001 characters": Row(
        "account", {"business_profile[name]": "b" * 5001}, "business_profile[name]", NO_CODE,
        "must be at most 5000 characters", branding(business_name="b" * 5001), "business_name", needs_spec=True),
    "metadata key 41 characters": Row(
        "create", {"metadata[" + "k" * 41 + "]": "v"}, "metadata", NO_CODE, "under 40 characters",
        portal(metadata={"k" * 41: "v"}), "metadata"),
    "metadata value 501 characters": Row(
        "create", {"metadata[k]": "v" * 501}, "metadata", NO_CODE, "under 500 characters",
        portal(metadata={"k": "v" * 501}), "metadata"),
    "metadata 51 keys": Row(
        "create", {f"metadata[k{i}]": "v" for i in range(51)}, "metadata", NO_CODE, "up to 50 keys",
        portal(metadata={f"k{i}": "v" for i in range(51)}), "metadata"),
}


@pytest.fixture(params=["standalone", "with-stripe-mock"])
def fake(request: pytest.FixtureRequest, stripe_mock: StripeMock) -> Iterator[FakeStripe]:
    server = FakeStripe(stripe_mock_url=stripe_mock.url if request.param == "with-stripe-mock" else None).start()
    try:
        server.seed({"accounts": [{"id": ACCOUNT}]})
        yield server
    finally:
        server.stop()


def _send(fake: FakeStripe, row: Row) -> requests.Response:
    if row.endpoint == "account":
        path, form = f"/v1/accounts/{ACCOUNT}", row.form
    elif row.endpoint == "update":
        made = requests.post(fake.url + CONFIGS, data=BASE_FORM, auth=(KEY, ""), timeout=30)
        path, form = f"{CONFIGS}/{made.json()['id']}", row.form
    else:
        path, form = CONFIGS, {**BASE_FORM, **row.form}
    return requests.post(fake.url + path, data=form, auth=(KEY, ""), timeout=30)


def test_the_table_is_at_least_thirty_wrong_parameters() -> None:
    assert len(ROWS) >= 30
    kinds = {row.code for row in ROWS.values()}
    assert {UNKNOWN, EMPTY, NO_CODE} <= kinds


@pytest.mark.parametrize("name", list(ROWS))
def test_the_fake_refuses_each_as_stripe_does(fake: FakeStripe, name: str) -> None:
    row = ROWS[name]
    if row.needs_spec and stripe_spec() is None:
        pytest.skip(params.spec_source())
    resp = _send(fake, row)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["type"] == "invalid_request_error"
    if fake.stripe_mock_url and error["message"].startswith("Request validation error"):
        return  # stripe-mock refused it first (a top-level name, most enums): its envelope has no param
    assert (error.get("param"), error.get("code")) == (row.param, row.code), error
    assert row.words in error["message"], error


def _problems(row: Row) -> list[Any]:
    with pytest.raises(SpecError) as caught:
        if row.endpoint == "account":
            parse_account_branding({"account": ACCOUNT, **row.declared["branding"]})
        else:
            parse_portal_configuration(row.declared)
    return caught.value.problems


@pytest.mark.parametrize("name", list(ROWS))
def test_portal_infra_refuses_each_declaration_first_naming_the_field(name: str) -> None:
    row = ROWS[name]
    problems = _problems(row)
    # A typo of a required field is also reported as that field missing: both name what to fix.
    assert row.field in [p.path for p in problems], problems
    assert all(p.problem and p.fix for p in problems), problems


def test_a_fleet_branding_field_no_resource_takes_is_named_with_the_stack_config() -> None:
    # Not only parse_account_branding: a fleet hands its branding blocks to AccountBranding as keyword
    # arguments, so a typo there must be caught with the fleet, before any resource is made.
    with pytest.raises(SpecError) as caught:
        parse_fleet({"defaults": {"branding": {"primary_colour": "#0a7d5e"}},
                     "accounts": [{"name": "bakery", "account": ACCOUNT, "branding": {"suport_email": "a@b.example",
                                                                                      "on_delete": "retain"}}]})
    assert [p.path for p in caught.value.problems] == ["fleet.defaults.branding.primary_colour",
                                                       "fleet.accounts[0].branding.suport_email"]
    assert "did you mean 'support_email'" in caught.value.problems[1].fix


# Through the real CLI: a sample, one per kind and resource, each its own stack on one fake.
PREVIEW_SAMPLE = ("typo allowed_updates", "empty cancel mode", "empty schedule conditions on create",
                  "allowed update birthday", "headline 61 characters", "metadata key 41 characters",
                  "empty icon", "empty business name", "typo support email")
PREVIEWS_AT_ONCE = 4


def _preview(fleet: Fleet, index: int, row: Row) -> str:
    stack = f"wrong-{index:02d}"
    fleet.cli.run("stack", "init", stack, check=True)
    config: dict[str, Any] = {"portal-infra:mode": "test", "fleet:count": 0}
    if row.endpoint == "account":
        config["portal-infra:fleet"] = {"accounts": [{"name": "bakery", "account": ACCOUNT, **row.declared}]}
    else:
        config["fleet:extra"] = {"portal": copy.deepcopy(row.declared)}
    path = fleet.project_dir / f"Pulumi.{stack}.yaml"
    existing: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
    path.write_text(yaml.safe_dump({**existing, "config": config}))
    run = fleet.cli.run("preview", "--stack", stack)
    # A resource's check names its property; the stack config check (a branding field no resource takes)
    # names the key and its file.
    named = f"property {row.field} " in run.stdout or f"{row.field} (stacks/Pulumi.{stack}.yaml)" in run.stdout
    return "" if run.returncode != 0 and named and "Traceback" not in run.output else run.output[-1500:]


@pytest.mark.e2e
def test_pulumi_preview_stops_each_sampled_declaration_before_any_write(fleet: Fleet) -> None:
    assert set(PREVIEW_SAMPLE) <= set(ROWS)
    fleet.fake.seed({"accounts": [{"id": ACCOUNT}]})
    with ThreadPoolExecutor(PREVIEWS_AT_ONCE) as pool:
        outputs = dict(zip(PREVIEW_SAMPLE, pool.map(lambda i: _preview(fleet, i, ROWS[PREVIEW_SAMPLE[i]]),
                                                    range(len(PREVIEW_SAMPLE))), strict=True))
    wrong = {name: out for name, out in outputs.items() if out}
    assert not wrong, "\n\n".join(f"{name}:\n{out}" for name, out in wrong.items())
    writes = [f"{r['method']} {r['path']}" for r in fleet.api_requests() if r["method"] != "GET"]
    assert writes == []
