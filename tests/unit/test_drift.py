"""The drift report's parsing and rendering, on event logs recorded from `pulumi refresh --preview-only`
(v3.274.1, three branded accounts against the fake: shop00's colour and shop01's business name changed
by hand; then every account read answering 503). Stack traces and timestamps were trimmed from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal_infra.drift import (
    MARKDOWN_FOLD_AFTER,
    DriftError,
    DriftReport,
    FieldDrift,
    ResourceDrift,
    field_drifts,
    parse_events,
    refresh_env,
    render_json,
    render_markdown,
    render_text,
)

EVENTS = Path(__file__).parent / "drift_events"
SHOP00, SHOP01 = "acct_1FaultShop000000000", "acct_1FaultShop010000000"


def _recorded() -> DriftReport:
    return parse_events((EVENTS / "drift.jsonl").read_text().splitlines(), "fleet")


def test_recorded_refresh_names_the_accounts_and_fields_changed_by_hand() -> None:
    report = _recorded()
    assert report.totals() == {"resources_checked": 3, "resources_drifted": 2, "accounts_drifted": 2,
                               "fields_drifted": 2, "resources_gone": 0}
    assert report.summary == {"same": 6, "update": 2}  # the engine's own count agrees
    [shop00, shop01] = report.accounts()
    assert (shop00.name, shop00.account) == ("shop00", SHOP00)
    assert shop00.resources[0].fields == (FieldDrift("primary_color", "#1000ab", "#ff0000"),)
    assert (shop01.name, shop01.account) == ("shop01", SHOP01)
    assert shop01.resources[0].fields == (FieldDrift("business_name", "Shop 1 Ltd", "Hand Edit"),)


def test_text_totals_first_then_one_line_per_account() -> None:
    assert render_text(_recorded()).splitlines() == [
        "Drift in stack fleet: 2 account(s), 2 of 3 resources, 2 field(s).",
        f'  shop00 ({SHOP00}): branding.primary_color: "#1000ab" declared -> "#ff0000" in Stripe',
        f'  shop01 ({SHOP01}): branding.business_name: "Shop 1 Ltd" declared -> "Hand Edit" in Stripe',
    ]


def test_markdown_is_a_table_with_a_row_per_account() -> None:
    lines = render_markdown(_recorded()).splitlines()
    assert lines[0] == "### ⚠️ Drift in stack `fleet`: 2 account(s), 2 of 3 resources, 2 field(s)."
    assert lines[2:] == [
        "| account | ID | what differs (declared → in Stripe) |",
        "|---|---|---|",
        f'| shop00 | {SHOP00} | branding.primary_color: "#1000ab" declared → "#ff0000" in Stripe |',
        f'| shop01 | {SHOP01} | branding.business_name: "Shop 1 Ltd" declared → "Hand Edit" in Stripe |',
    ]


def test_json_carries_totals_accounts_and_fields() -> None:
    body = json.loads(render_json(_recorded()))
    assert body["drifted"] is True and body["totals"]["accounts_drifted"] == 2
    assert [(a["name"], a["account"], a["resources"][0]["type"], a["resources"][0]["fields"])
            for a in body["accounts"]] == [
        ("shop00", SHOP00, "AccountBranding", [{"field": "primary_color", "declared": "#1000ab", "live": "#ff0000"}]),
        ("shop01", SHOP01, "AccountBranding",
         [{"field": "business_name", "declared": "Shop 1 Ltd", "live": "Hand Edit"}]),
    ]


def test_a_failed_refresh_raises_with_the_engines_messages() -> None:
    with pytest.raises(DriftError) as failed:
        parse_events((EVENTS / "failed.jsonl").read_text().splitlines(), "fleet")
    message = str(failed.value)
    assert 'AccountBranding "shop00-branding": Stripe answered 503 to GET /v1/accounts/' + SHOP00 in message
    assert len(message.splitlines()) == 4  # three accounts and the engine's "preview failed"


def _fleet_report(count: int) -> DriftReport:
    colour = (FieldDrift("primary_color", "#000000", "#ffffff"),)
    drifts = [ResourceDrift(f"urn:x::shop{i:04d}-branding", f"shop{i:04d}-branding", "AccountBranding",
                            f"shop{i:04d}", f"acct_{i:016d}", fields=colour) for i in range(count)]
    return DriftReport("prod", checked=2 * count, drifts=drifts)


def test_a_thousand_accounts_stay_one_line_each_and_fold_in_markdown() -> None:
    report = _fleet_report(1000)
    text = render_text(report).splitlines()
    assert text[0] == "Drift in stack prod: 1000 account(s), 1000 of 2000 resources, 1000 field(s)."
    assert len(text) == 1001
    markdown = render_markdown(report)
    assert "<details><summary>1000 accounts drifted: show each</summary>" in markdown
    assert len(markdown) <= 60_000  # under GitHub's comment limit, with a pointer to the rest
    assert "more account(s): run `portal-infra drift --stack prod --format json`" in markdown
    assert "<details>" not in render_markdown(_fleet_report(MARKDOWN_FOLD_AFTER))


def test_no_drift_says_so() -> None:
    report = DriftReport("dev", checked=5)
    assert render_text(report) == "No drift in stack dev: 5 resources match Stripe.\n"
    assert json.loads(render_json(report))["drifted"] is False


def test_nested_fields_secrets_and_bookkeeping() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}
    declared = {"features": {"invoice_history": {"enabled": True}}, "__provider": secret, "owner": "a",
                "business_profile": {"headline": "Hi"}, "token": secret}
    live = {"features": {"invoice_history": {"enabled": False}}, "__provider": "other", "owner": "b",
            "business_profile": {"headline": "Hi | there"}, "token": secret}
    assert field_drifts(declared, live) == (
        FieldDrift("business_profile.headline", "Hi", "Hi | there"),
        FieldDrift("features.invoice_history.enabled", True, False),
    )


def test_the_refresh_runs_without_auto_approve_and_with_the_event_log() -> None:
    env = refresh_env({"PULUMI_SKIP_CONFIRMATIONS": "true", "HOME": "/h"})
    assert env == {"HOME": "/h", "PULUMI_DEBUG_COMMANDS": "true"}
