"""The provider plugin through the real pulumi CLI against the fake: a program with no portal-infra
import registers `portal-infra:index:PortalConfiguration`, and the engine runs the plugin it finds on
PATH (the venv's `pulumi-resource-portal-infra`)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from portal_infra.testing import offline_env
from portal_infra.testing.pulumi_cli import pulumi_dir
from tests.e2e.conftest import KEY, REPO, FakeDeployment

pytestmark = pytest.mark.e2e

# Plain Pulumi: no portal_infra import, no generated SDK; only the type token and the properties.
PROGRAM = '''
import pulumi

# Not `portal-infra:name`: the project shares the package's config namespace, and the engine reads the
# provider inputs `name` and `version` as the plugin's own name and version.
config = pulumi.Config()
portal = pulumi.CustomResource("portal-infra:index:PortalConfiguration", "portal", {
    "name": config.get("portalName") or "Plugin portal",
    "business_profile": {"headline": "Manage your plan"},
    "features": {"invoice_history": {"enabled": True},
                 "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]}},
    "is_default": None,
    "mode": None,
})
pulumi.export("configuration_id", portal.id)
pulumi.export("mode", portal.mode)
'''


def _with_plugin_on_path(d: FakeDeployment) -> None:
    (d.project_dir / "__main__.py").write_text(PROGRAM)
    d.cli.env["PATH"] = f"{REPO / '.venv' / 'bin'}:{d.cli.env['PATH']}"
    # The key as a secret provider setting this time, not from the environment.
    d.cli.env.pop("STRIPE_API_KEY", None)


def test_plugin_lifecycle(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _with_plugin_on_path(d)
    d.cli.select_stack(d.stack)
    d.write_stack({"portalName": "Plugin portal"})
    d.cli.set_config([("portal-infra:stripeApiKey", KEY)], secret=True)
    timings: dict[str, float] = {}

    def timed(step: str, *args: str) -> str:
        started = time.monotonic()
        run = d.cli.run(*args)
        timings[step] = time.monotonic() - started
        assert run.returncode == 0, f"{step}: exit {run.returncode}\n{run.stdout}\n{run.stderr}"
        return run.stdout

    up = timed("up", "up", "--yes", "--skip-preview")
    assert "portal-infra:index:PortalConfiguration" in up
    config_id = str(d.cli.outputs()["configuration_id"])
    assert d.cli.outputs()["mode"] == "test"
    (made,) = d.owned()
    assert made["id"] == config_id and made["name"] == "Plugin portal"
    assert made["metadata"]["portal_infra_owner"] == "portal-infra/dev/portal"
    assert made["features"]["customer_update"]["allowed_updates"] == ["email", "address"]

    timed("preview clean", "preview", "--expect-no-changes")

    d.write_stack({"portalName": "Plugin portal, renamed"})
    change = timed("preview change", "preview", "--diff")
    assert "Plugin portal, renamed" in change and "~ portal-infra:index:PortalConfiguration" in change
    timed("up change", "up", "--yes", "--skip-preview")
    (changed,) = d.owned()
    assert changed["id"] == config_id and changed["name"] == "Plugin portal, renamed"

    d.stripe.v1.billing_portal.configurations.update(
        config_id, params={"business_profile": {"headline": "Edited in the Dashboard"}})
    refresh = timed("refresh", "refresh", "--yes", "--skip-preview", "--diff")
    assert "Edited in the Dashboard" in refresh
    state = json.loads(d.cli.export())["deployment"]["resources"]
    (portal,) = [r for r in state if r["type"] == "portal-infra:index:PortalConfiguration"]
    assert portal["inputs"]["business_profile"]["headline"] == "Edited in the Dashboard"
    assert portal["id"] == config_id
    # The plugin is a real provider: no pickled provider in the state.
    assert "__provider" not in portal["outputs"]
    (provider,) = [r for r in state if r["type"] == "pulumi:providers:portal-infra"]
    assert set(provider["inputs"]) <= {"mode", "stripeApiKey", "version"}

    exported = d.cli.export()
    assert KEY not in exported
    assert KEY not in "".join(p.read_text(errors="replace") for p in Path(d.project_dir.parent / "state").rglob("*")
                              if p.is_file())
    assert KEY not in d.logs()

    timed("destroy", "destroy", "--yes", "--skip-preview")
    (retired,) = d.owned()
    assert retired["id"] == config_id and retired["active"] is False
    print("plugin e2e timings (s):", {k: round(v, 1) for k, v in timings.items()})


def test_plugin_refuses_a_bad_value_at_preview_without_a_request(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _with_plugin_on_path(d)
    d.cli.env["STRIPE_API_KEY"] = KEY  # the key from the environment this time
    (d.project_dir / "__main__.py").write_text(PROGRAM.replace('{"enabled": True},', '{"enabled": "yes"},', 1))
    d.cli.select_stack(d.stack)
    d.write_stack({})
    d.recorder.clear()
    preview = d.cli.preview()
    assert preview.returncode != 0
    assert "features.invoice_history.enabled" in preview.output
    assert d.recorder.requests == []


def test_get_schema_from_the_plugin(tmp_path: Path) -> None:
    """`pulumi package get-schema` launches the plugin and prints the committed schema."""
    env = offline_env(tmp_path / "state", tmp_path / "home")
    plugin = REPO / ".venv" / "bin" / "pulumi-resource-portal-infra"
    run = subprocess.run([str(pulumi_dir() / "pulumi"), "package", "get-schema", str(plugin)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert printed == json.loads((REPO / "schema" / "pulumi-schema.json").read_text())
    business = printed["resources"]["portal-infra:index:PortalConfiguration"]["inputProperties"]["business_profile"]
    assert business["description"] == "The business information shown to customers in the portal."
