"""One definition, dev -> staging, through the real pulumi CLI and the `portal-infra` command.

dev and staging are two Stripe accounts (two fakes) with different price IDs behind the same lookup
keys. The project is the repository's own: its Pulumi.yaml base and its dev and staging stack files.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.testing import PulumiCLI, StripeMock, offline_env
from portal_infra.testing.fake import FakeStripe
from tests.e2e.conftest import repo_project

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
KEY = "sk_test_EnvironmentsE2e42"
PORTAL_INFRA = str(REPO / ".venv" / "bin" / "portal-infra")
LOOKUP_KEYS = ("starter_monthly", "starter_yearly", "pro_monthly", "team_monthly")


def _repo_project(tmp_path: Path) -> Path:
    project = repo_project(tmp_path, ("dev", "staging"))
    # The portal is what moves between stacks here; fleet, platform and domain have their own e2e.
    dev = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())
    for key in ("fleet", "platform", "domain"):
        dev["config"].pop(f"portal-infra:{key}", None)
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(dev, sort_keys=False))
    return project


def _seed(fake: FakeStripe, prefix: str, keys: tuple[str, ...] = LOOKUP_KEYS) -> None:
    """An account's catalog: its own IDs, the shared lookup keys."""
    def price(key: str, product: str) -> dict[str, Any]:
        camel = "".join(p.title() for p in key.split("_"))
        return {"id": f"price_{prefix}{camel}", "product": f"prod_{prefix}{product}", "lookup_key": key,
                "unit_amount": 1000, "recurring": {"interval": "month"}}

    products = {"starter_monthly": "Starter", "starter_yearly": "Starter", "pro_monthly": "Pro", "team_monthly": "Team"}
    fake.seed({"products": [{"id": f"prod_{prefix}{p}", "name": p} for p in ("Starter", "Pro", "Team")],
               "prices": [price(key, products[key]) for key in keys],
               "coupons": [{"id": "stay-25-off", "percent_off": 25}]})


def _promote(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PORTAL_INFRA, "promote", *args, "--project-dir", str(project)],
                          capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", **(env or {})})


def _configuration(fake: FakeStripe) -> dict[str, Any]:
    (owned,) = [c for c in fake.backend.store("test", None).configurations.items.values()
                if c["metadata"].get("portal_infra_owner")]
    return dict(owned)


def test_one_definition_promoted_from_dev_to_staging(tmp_path: Path, stripe_mock: StripeMock,
                                                     fake_stripe: Any) -> None:
    project = _repo_project(tmp_path)
    dev, staging = fake_stripe.fake, FakeStripe(stripe_mock_url=stripe_mock.url).start()
    try:
        _seed(dev, "Dev")
        _seed(staging, "Staging", LOOKUP_KEYS[:3])  # team_monthly comes later
        env = offline_env(tmp_path / "state", tmp_path / "home", python=str(REPO / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_KEY": KEY})
        cli = PulumiCLI(project, env, log_path=tmp_path / "pulumi.log")
        bases = {"dev": {"STRIPE_API_BASE": dev.url}, "staging": {"STRIPE_API_BASE": staging.url}}

        def pulumi(stack: str, *args: str) -> Any:
            return cli.run(*args, "--stack", stack, env=bases[stack])

        outputs = {}
        for stack in ("dev", "staging"):
            cli.run("stack", "init", stack, check=True)
            pulumi(stack, "up", "--yes", "--skip-preview").check()
            outputs[stack] = json.loads(pulumi(stack, "stack", "output", "--json").check().stdout)
        # The same definition, each account's own IDs.
        assert outputs["dev"]["price_lookup_keys"] == {
            "starter_monthly": "price_DevStarterMonthly", "starter_yearly": "price_DevStarterYearly",
            "pro_monthly": "price_DevProMonthly"}
        assert outputs["staging"]["price_lookup_keys"] == {
            k: v.replace("Dev", "Staging") for k, v in outputs["dev"]["price_lookup_keys"].items()}
        assert outputs["staging"]["retention"] == {"configuration_id": outputs["staging"]["configuration_id"],
                                                   "coupon": "stay-25-off"}
        assert _configuration(staging)["features"]["subscription_update"]["products"][1]["prices"] == [
            "price_StagingProMonthly"]
        nothing = _promote(project, "dev", "staging", "--dry-run")
        assert nothing.returncode == 0 and "0 change(s)" in nothing.stdout

        # A change starts in dev: a new headline and a third product, by lookup key.
        dev_file = project / "Pulumi.dev.yaml"
        data = yaml.safe_load(dev_file.read_text())
        data["config"]["portal-infra:portal"]["business_profile"] = {"headline": "Manage your Acme team plan"}
        data["config"]["portal-infra:portal"]["features"] = {"subscription_update": {"products": [
            {"prices": [{"lookup_key": "starter_monthly"}, {"lookup_key": "starter_yearly"}]},
            {"prices": [{"lookup_key": "pro_monthly"}], "adjustable_quantity": {"enabled": True, "minimum": 1,
                                                                                "maximum": 50}},
            {"prices": [{"lookup_key": "team_monthly"}]}]}}
        dev_file.write_text(yaml.safe_dump(data, sort_keys=False))
        pulumi("dev", "up", "--yes", "--skip-preview").check()

        staging_file = project / "Pulumi.staging.yaml"
        before = staging_file.read_text()
        dry = _promote(project, "dev", "staging", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        changed = [line for line in dry.stdout.splitlines() if line.startswith("  ")]
        assert [line.split(":")[0] for line in changed] == [
            "  ~ portal.business_profile.headline", "  ~ portal.features.subscription_update.products"]
        assert "team_monthly" in changed[1]
        for never in ("stripeApiBase", "mode:", "Acme customer portal (dev)", "dev.acme.example"):
            assert never not in "\n".join(changed)
        assert staging_file.read_text() == before

        # With a key for staging at hand, promote checks the lookup keys there first.
        staging_key = {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": staging.url}
        refused = _promote(project, "dev", "staging", env=staging_key)
        assert refused.returncode == 1
        assert "1 lookup key(s) of dev have no active price in staging's account: team_monthly" in refused.stderr
        assert staging_file.read_text() == before
        _seed(staging, "Staging", ("team_monthly",))

        done = _promote(project, "dev", "staging", env=staging_key)
        assert done.returncode == 0, done.stderr
        assert "lookup keys checked in staging's account (test mode): 4 of 4 found" in done.stdout
        promoted = yaml.safe_load(staging_file.read_text())["config"]
        assert promoted["portal-infra:portal"]["name"] == "Acme customer portal (staging)"  # pinned
        assert "portal-infra:stripeApiBase" not in promoted

        preview = pulumi("staging", "preview", "--diff")
        assert preview.returncode == 0, preview.output
        assert "Manage your Acme team plan" in preview.stdout
        assert "price_StagingTeamMonthly" in preview.stdout  # resolved in staging's own account
        assert "price_Dev" not in preview.stdout
        pulumi("staging", "up", "--yes", "--skip-preview").check()
        live = _configuration(staging)
        assert live["business_profile"]["headline"] == "Manage your Acme team plan"
        assert [p["prices"] for p in live["features"]["subscription_update"]["products"]] == [
            ["price_StagingStarterMonthly", "price_StagingStarterYearly"], ["price_StagingProMonthly"],
            ["price_StagingTeamMonthly"]]
        assert pulumi("staging", "preview", "--expect-no-changes").returncode == 0

        # A lookup key staging's account lacks fails preview, naming the key and the stack.
        data = yaml.safe_load(staging_file.read_text())
        data["config"]["portal-infra:portal"]["features"]["subscription_update"]["products"].append(
            {"prices": [{"lookup_key": "ghost_monthly"}]})
        staging_file.write_text(yaml.safe_dump(data, sort_keys=False))
        writes = len([r for r in staging.requests() if r["method"] == "POST"])
        failed = pulumi("staging", "preview")
        assert failed.returncode != 0
        assert "no active price has lookup key 'ghost_monthly' in stack staging's Stripe account (test mode)" \
            in failed.output
        assert len([r for r in staging.requests() if r["method"] == "POST"]) == writes
        assert KEY not in (tmp_path / "pulumi.log").read_text()
    finally:
        staging.stop()
