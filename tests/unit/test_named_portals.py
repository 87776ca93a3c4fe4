"""Named portals (`portal-infra:portals`): names, adoption claims, resource names and promotion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from portal_infra.promote import portable, promote
from portal_infra.specs import SpecError
from portal_infra.specs.stack import parse_stack_config, stack_file_schema
from portal_infra.stackfiles import find_project

FEATURES = {"invoice_history": {"enabled": True}}


def _portal(**options: Any) -> dict[str, Any]:
    return {"features": FEATURES, **({"portal_infra": options} if options else {})}


def _problems(config: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        parse_stack_config(config)
    return {p.path: f"{p.problem}; {p.fix}" for p in caught.value.problems}


def test_each_named_portal_is_a_portal_with_its_own_resource_name() -> None:
    config = parse_stack_config({"portal": _portal(), "portals": {
        "b2b": {**_portal(adopt="default"), "retention": {"coupon": "stay"}}, "9-lives": _portal()}})
    declared = [(d.path, d.resource_name, d.name) for d in config.declared_portals()]
    assert declared == [("portal", "portal", None), ("portals.b2b", "portal-b2b", "b2b"),
                        ("portals.9-lives", "portal-9-lives", "9-lives")]
    # Top-level resource names must stay distinct from each other and from the stack's other resources.
    assert len({name for _, name, _ in declared} | {"platform", "domain", "fleet"}) == len(declared) + 3


@pytest.mark.parametrize("name", ["B2B", "b_2", "a.b", "", "x" * 41, "ünï"])
def test_a_name_outside_lowercase_letters_digits_and_dashes_is_refused_with_its_path(name: str) -> None:
    problems = _problems({"portals": {name: _portal()}})
    assert list(problems) == [f"portals.{name}"]
    assert "1 to 40 lowercase letters, digits and dashes" in problems[f"portals.{name}"]


def test_a_named_portal_is_checked_like_the_single_one() -> None:
    problems = _problems({"portals": {"eu": {"business_profile": {"headline": "x" * 61}, "feature": {}},
                                      "us": {"business_profile": {"headline": "Hi"}}}})
    assert set(problems) == {"portals.eu.business_profile.headline", "portals.eu.feature"}
    problems = _problems({"portals": {"us": {"business_profile": {"headline": "Hi"}}}})
    assert list(problems) == ["portals.us.features"]


def test_one_adopted_configuration_is_claimed_once_across_portal_and_portals() -> None:
    problems = _problems({"portal": _portal(adopt="default"), "portals": {
        "a": _portal(adopt="default"), "b": _portal(adopt="bpc_1"), "c": _portal(adopt="bpc_1"),
        "d": _portal(adopt="bpc_2")}})
    assert problems == {
        "portals.a.portal_infra.adopt": "adopts the account's default configuration, already adopted at "
                                        "portal.portal_infra.adopt; a configuration is managed from one declaration "
                                        "only: remove one of the two adopts",
        "portals.c.portal_infra.adopt": "adopts bpc_1, already adopted at portals.b.portal_infra.adopt; "
                                        "a configuration is managed from one declaration only: remove one of the "
                                        "two adopts"}
    parse_stack_config({"portals": {"a": _portal(adopt="default"), "b": _portal(adopt="bpc_1")}})


def test_the_schema_takes_named_portals_and_flags_a_bad_name() -> None:
    validator = jsonschema.Draft202012Validator(stack_file_schema())
    good = {"config": {"portal-infra:portals": {"eu": {"features": FEATURES, "portal_infra": {"adopt": "default"}},
                                                "gone": None}}}
    assert list(validator.iter_errors(good)) == []
    bad = {"config": {"portal-infra:portals": {"EU": {"features": FEATURES}, "us": {"nme": "x"}}}}
    assert len(list(validator.iter_errors(bad))) == 2


def _project(tmp_path: Path, dev: dict[str, Any], prod: dict[str, Any]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "p", "runtime": "python"}))
    for stack, config in (("dev", dev), ("prod", prod)):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(
            {"config": {f"portal-infra:{k}": v for k, v in config.items()}}))
    return tmp_path


def test_named_portals_are_promoted_by_path_and_pinned_paths_stay(tmp_path: Path, capsys: Any) -> None:
    dev = {"mode": "test", "pinned": ["portals.eu.name"], "portals": {
        "eu": {"name": "EU (dev)", "features": FEATURES, "business_profile": {"headline": "New"},
               "portal_infra": {"adopt": "bpc_Dev1"}},
        "us": {"features": FEATURES}}}
    prod = {"mode": "live", "allowLive": True, "portals": {
        "eu": {"name": "EU", "features": FEATURES, "business_profile": {"headline": "Old"},
               "portal_infra": {"adopt": "bpc_Live1", "on_delete": "retain"}}}}
    project = _project(tmp_path, dev, prod)
    assert promote("dev", "prod", dry_run=False, project_dir=project, env={}) == 0
    out = capsys.readouterr().out
    assert '  ~ portals.eu.business_profile.headline: "Old" -> "New"' in out
    assert "  + portals.us: " in out and '  - portals.eu.portal_infra: {"on_delete": "retain"}' in out
    assert "bpc_" not in "".join(line for line in out.splitlines() if line.startswith("  "))
    promoted = find_project(project).effective("prod")["portals"]
    # prod keeps its name (pinned in dev) and the ID it adopts in its own account.
    assert promoted == {"eu": {"name": "EU", "features": FEATURES, "business_profile": {"headline": "New"},
                               "portal_infra": {"adopt": "bpc_Live1"}},
                        "us": {"features": FEATURES}}
    parse_stack_config(find_project(project).effective("prod"))
    assert promote("dev", "prod", dry_run=True, project_dir=project, env={}) == 0
    assert "0 change(s)" in capsys.readouterr().out


def test_adopt_default_is_portable_and_adopted_ids_are_not() -> None:
    config = {"portal": _portal(adopt="default"), "portals": {"a": _portal(adopt="bpc_X"),
                                                              "b": _portal(adopt="bpc_Y", on_delete="retain")}}
    assert portable(config, set()) == {"portal": _portal(adopt="default"), "portals": {
        "a": _portal(), "b": _portal(on_delete="retain")}}


def test_the_committed_schema_file_has_named_portals() -> None:
    committed = json.loads((Path(__file__).resolve().parents[2] / "schema" / "stack-file.schema.json").read_text())
    assert "portal-infra:portals" in committed["properties"]["config"]["properties"]
