"""The stack config: the model, its JSON Schema file, layering over the base, and promotion's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.promote import changes, portable, promote
from portal_infra.specs import SpecError
from portal_infra.specs.layers import difference, merge
from portal_infra.specs.lookup import FoundPrice, resolve_prices
from portal_infra.specs.stack import parse_stack_config, stack_file_schema
from portal_infra.stackfiles import find_project

REPO = Path(__file__).resolve().parents[2]


def test_the_schema_file_in_the_repo_matches_the_model() -> None:
    committed = json.loads((REPO / "schema" / "stack-file.schema.json").read_text())
    assert committed == stack_file_schema(), (
        "schema/stack-file.schema.json is stale: run `.venv/bin/portal-infra schema > schema/stack-file.schema.json`")


def test_every_committed_stack_is_valid_over_the_base() -> None:
    project = find_project(REPO / "stacks")
    for stack in ("dev", "staging", "prod"):
        config = parse_stack_config(project.effective(stack))
        assert config.portal is not None and config.portal.retention is not None
    assert parse_stack_config(project.effective("prod")).allowLive is True


def test_bad_values_name_their_yaml_path() -> None:
    with pytest.raises(SpecError) as caught:
        parse_stack_config({"mode": "prod", "allowLiv": True, "portal": {
            "business_profile": {"headline": "x" * 61},
            "features": {"subscription_update": {"enabled": True, "products": [{"prices": ["price_A"]}]}}}})
    paths = {p.path for p in caught.value.problems}
    assert {"mode", "allowLiv", "portal.business_profile.headline"} <= paths
    assert any("did you mean 'allowLive'" in p.fix for p in caught.value.problems)
    with pytest.raises(SpecError) as caught:
        parse_stack_config({"portal": {"features": {"subscription_update": {
            "enabled": True, "products": [{"prices": ["price_A"]}]}}}})
    assert [p.path for p in caught.value.problems] == ["portal.features.subscription_update.products[0].product"]


def test_a_stack_overrides_the_base_and_null_removes() -> None:
    base = {"portal": {"name": "A", "metadata": {"team": "x", "tier": "y"}, "features": {"f": [1, 2]}}}
    own = {"portal": {"name": "B", "metadata": {"team": None}, "features": {"f": [3]}}}
    merged = merge(base, own)
    assert merged == {"portal": {"name": "B", "metadata": {"tier": "y"}, "features": {"f": [3]}}}
    assert merge(base, difference(base, merged)) == merged
    assert difference(base, base) is None


def test_lookup_keys_resolve_to_this_accounts_ids_and_missing_ones_are_all_named() -> None:
    declared: dict[str, Any] = {"features": {"subscription_update": {"enabled": True, "products": [
        {"prices": [{"lookup_key": "starter_monthly"}, {"lookup_key": "starter_yearly"}]},
        {"product": "prod_P", "prices": [{"lookup_key": "pro_monthly"}, "price_Extra"]}]}}}
    found = {"starter_monthly": FoundPrice("price_SM", "prod_S"), "starter_yearly": FoundPrice("price_SY", "prod_S"),
             "pro_monthly": FoundPrice("price_PM", "prod_P")}
    resolved, problems = resolve_prices(declared, found, "stack dev's Stripe account (test mode)")
    assert problems == []
    assert resolved["features"]["subscription_update"]["products"] == [
        {"product": "prod_S", "prices": ["price_SM", "price_SY"]},
        {"product": "prod_P", "prices": ["price_PM", "price_Extra"]}]
    _, problems = resolve_prices(declared, {}, "stack staging's Stripe account (test mode)")
    assert [p.problem for p in problems] == [
        f"no active price has lookup key {k!r} in stack staging's Stripe account (test mode)"
        for k in ("starter_monthly", "starter_yearly", "pro_monthly")]


def test_portable_part_leaves_out_where_and_as_whom() -> None:
    config = {"mode": "live", "allowLive": True, "stripeApiBase": "https://api.stripe.com", "stripeApiKey": "[secret]",
              "pinned": ["portal.name"], "portal": {"name": "prod", "metadata": {"a": "b"}},
              "fleet": {"accounts": [{"name": "shop", "account": "acct_1", "branding": {"icon": "x.png"}}]}}
    assert portable(config, {"portal.name"}) == {
        "portal": {"metadata": {"a": "b"}}, "fleet": {"accounts": [{"name": "shop", "branding": {"icon": "x.png"}}]}}
    assert changes({"a": {"b": 1, "c": 2}}, {"a": {"b": 2, "d": 3}}) == [
        "  ~ a.b: 1 -> 2", "  + a.d: 3", "  - a.c: 2"]


def _project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "p", "runtime": "python", "config": {
        "portal-infra:base": {"type": "object", "default": {"portal": {
            "name": "Acme", "business_profile": {"headline": "Old"},
            "features": {"invoice_history": {"enabled": True}}}}}}}))
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  portal-infra:mode: test\n  portal-infra:stripeApiBase: http://127.0.0.1:1\n"
        "  portal-infra:pinned: [portal.name]\n"
        "  portal-infra:portal:\n    name: Acme (dev)\n    business_profile:\n      headline: New\n")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "# prod: live\nconfig:\n  portal-infra:mode: live\n  portal-infra:allowLive: true\n"
        "  portal-infra:stripeApiKey:\n    secure: v1:abc\n  other:key: kept\n")
    return tmp_path


def test_promote_dry_run_shows_only_portable_changes_and_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    project = _project(tmp_path)
    before = (project / "Pulumi.prod.yaml").read_text()
    assert promote("dev", "prod", dry_run=True, project_dir=project, env={}) == 0
    out = capsys.readouterr().out
    assert '  ~ portal.business_profile.headline: "Old" -> "New"' in out
    assert "1 change(s)" in out and "dry run: nothing written" in out
    assert (project / "Pulumi.prod.yaml").read_text() == before


def test_promote_writes_the_smallest_override_and_keeps_the_rest(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert promote("dev", "prod", dry_run=False, project_dir=project, env={}) == 0
    text = (project / "Pulumi.prod.yaml").read_text()
    assert text.startswith("# prod: live")
    config = yaml.safe_load(text)["config"]
    assert config == {"portal-infra:mode": "live", "portal-infra:allowLive": True,
                      "portal-infra:stripeApiKey": {"secure": "v1:abc"}, "other:key": "kept",
                      "portal-infra:portal": {"business_profile": {"headline": "New"}}}
    effective = find_project(project).effective("prod")
    assert effective["portal"]["name"] == "Acme"  # pinned in dev: dev's name stays in dev
    assert promote("dev", "prod", dry_run=True, project_dir=project, env={}) == 0


def test_promote_refuses_fleet_accounts_the_target_lacks(tmp_path: Path, capsys: Any) -> None:
    project = _project(tmp_path)
    dev = project / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text() + "  portal-infra:fleet:\n    accounts:\n"
                   "      - {name: shop, account: acct_1Dev, branding: {primary_color: '#000000'}}\n")
    before = (project / "Pulumi.prod.yaml").read_text()
    assert promote("dev", "prod", dry_run=False, project_dir=project, env={}) == 1
    assert "fleet account(s) shop of dev are not in prod" in capsys.readouterr().err
    assert (project / "Pulumi.prod.yaml").read_text() == before

    prod = project / "Pulumi.prod.yaml"
    prod.write_text(before + "  portal-infra:fleet:\n    accounts:\n      - {name: shop, account: acct_1Live}\n")
    assert promote("dev", "prod", dry_run=False, project_dir=project, env={}) == 0
    (account,) = find_project(project).effective("prod")["fleet"]["accounts"]
    assert account == {"name": "shop", "account": "acct_1Live", "branding": {"primary_color": "#000000"}}


def test_editors_accept_every_committed_stack_file_and_flag_a_typo() -> None:
    import jsonschema

    schema = json.loads((REPO / "schema" / "stack-file.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for stack in ("dev", "staging", "prod"):
        data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())
        assert list(validator.iter_errors(data)) == [], stack
    typo = {"config": {"portal-infra:mode": "prod", "portal-infra:portl": {},
                       "portal-infra:portal": {"business_profile": {"headlin": "x"}, "name": None}}}
    problems = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(typo)}
    assert problems == {"config/portal-infra:mode", "config/portal-infra:portl", "config/portal-infra:portal"}
