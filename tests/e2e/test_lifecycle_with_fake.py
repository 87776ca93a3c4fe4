"""Refresh, drift, adoption, retirement and crash recovery: the real pulumi CLI against the fake."""

from __future__ import annotations

import copy
import json
import subprocess
import time
from typing import Any

import pytest

from tests.e2e.conftest import FakeDeployment
from tests.examples import for_fake
from tests.processes import kill_tree

pytestmark = pytest.mark.e2e
CONFIGS = "/v1/billing_portal/configurations"


def _portal() -> dict[str, Any]:
    return for_fake()


def _deploy(d: FakeDeployment, portal: dict[str, Any] | None = None, **options: Any) -> str:
    config = copy.deepcopy(portal or _portal())
    if options:
        config["portal_infra"] = options
    d.write_config(config)
    d.cli.select_stack(d.stack)
    d.cli.up()
    return str(d.cli.outputs()["configuration_id"])


def _state_resources(d: FakeDeployment) -> list[str]:
    return [r["type"] for r in json.loads(d.cli.export())["deployment"].get("resources", [])]


def test_drift_is_refreshed_and_repaired(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    config_id = _deploy(d)
    assert d.cli.run("refresh", "--yes", "--expect-no-changes").returncode == 0

    d.stripe.v1.billing_portal.configurations.update(config_id, params={
        "business_profile": {"headline": "Edited in the Dashboard"},
        "features": {"invoice_history": {"enabled": False}},
    })
    d.stripe.v1.billing_portal.configurations.update(config_id, params={"active": False})

    refresh = d.cli.run("refresh", "--yes", "--diff")
    assert refresh.returncode == 0
    assert "Edited in the Dashboard" in refresh.stdout
    state = json.loads(d.cli.export())["deployment"]["resources"]
    (portal,) = [r for r in state if r["type"].endswith("PortalConfiguration")]
    assert portal["inputs"]["business_profile"]["headline"] == "Edited in the Dashboard"
    assert portal["inputs"]["active"] is False
    assert portal["inputs"]["features"]["invoice_history"]["enabled"] is False

    d.recorder.clear()
    d.cli.up()
    (repair,) = d.recorder.matching("POST", CONFIGS)
    assert repair.params == {
        "active": "true",
        "business_profile[headline]": "Manage your Acme subscription",
        "features[invoice_history][enabled]": "true",
    }
    live = d.stripe.v1.billing_portal.configurations.retrieve(config_id)
    assert live.active and live.business_profile.headline == "Manage your Acme subscription"
    assert d.cli.preview("--expect-no-changes").returncode == 0

    d.cli.destroy()
    assert d.stripe.v1.billing_portal.configurations.retrieve(config_id).active is False


def test_a_configuration_gone_from_stripe_leaves_the_state(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    _deploy(d)
    d.fake.control.reset()
    d.cli.refresh()
    assert not any(t.endswith("PortalConfiguration") for t in _state_resources(d))
    d.cli.up()
    assert len(d.owned()) == 1


def test_adopting_the_default_updates_it_and_never_deactivates_it(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    (default,) = d.stripe.v1.billing_portal.configurations.list(params={"is_default": True}).data
    before = len(d.configurations())
    config_id = _deploy(d, adopt="default")
    assert config_id == default.id
    assert len(d.configurations()) == before
    assert d.stripe.v1.billing_portal.configurations.retrieve(default.id).name == "Acme portal"
    assert d.cli.preview("--expect-no-changes").returncode == 0
    d.recorder.clear()
    destroyed = d.cli.destroy()
    assert "is the account's default; it stays active" in destroyed.output
    assert d.recorder.matching("POST", CONFIGS) == []
    assert d.stripe.v1.billing_portal.configurations.retrieve(default.id).active is True


def test_adopting_an_existing_id_updates_it_without_creating(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    existing = d.stripe.v1.billing_portal.configurations.create(params={
        "features": {"invoice_history": {"enabled": True}}, "name": "Made by hand"})
    before = len(d.configurations())
    config_id = _deploy(d, adopt=existing.id)
    assert config_id == existing.id
    assert len(d.configurations()) == before
    assert d.stripe.v1.billing_portal.configurations.retrieve(existing.id).name == "Acme portal"


def test_adopting_an_unknown_id_fails_clearly(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.write_config({**_portal(), "portal_infra": {"adopt": "bpc_doesNotExist"}})
    d.cli.select_stack(d.stack)
    run = d.cli.up(check=False)
    assert run.returncode != 0
    assert "adopt: no portal configuration bpc_doesNotExist" in run.output


def test_retain_leaves_the_configuration_active(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    config_id = _deploy(d, on_delete="retain")
    assert "retained in Stripe" in d.cli.destroy().output
    assert d.stripe.v1.billing_portal.configurations.retrieve(config_id).active is True


def test_killed_up_after_stripe_created_leaves_no_duplicate(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    d.write_config(_portal())
    d.cli.select_stack(d.stack)
    # Stripe creates the configuration, then its answer is held until the client is gone.
    d.fake.control.add_fault(method="POST", path=f"re:{CONFIGS}", when="after", pause=True, nth=1)
    proc = subprocess.Popen([d.cli.binary, "up", "--yes", "--skip-preview", "--non-interactive"],
                            cwd=d.project_dir, env=d.cli.env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while d.fake.control.paused() < 1:
        assert proc.poll() is None and time.monotonic() < deadline, "pulumi up never reached the create"
        time.sleep(0.05)
    kill_tree(proc.pid)  # its plugins too, which a killed pulumi leaves running
    proc.wait()
    d.fake.control.release()
    d.fake.control.clear_faults()
    assert len(d.owned()) == 1  # Stripe has it; Pulumi's state does not

    # What a person runs next (README, "After a killed pulumi up").
    d.cli.run("cancel", "--yes", check=True)
    d.cli.up()
    d.cli.run("refresh", "--yes", "--clear-pending-creates", check=True)

    owned = d.owned()
    assert len(owned) == 1
    assert d.cli.outputs()["configuration_id"] == owned[0]["id"]
    assert d.cli.preview("--expect-no-changes").returncode == 0


def test_server_errors_and_rate_limits_during_up_leave_exactly_one(fake_deployment: FakeDeployment) -> None:
    d = fake_deployment
    # The create is applied, then answered 500; stripe-python retries with the same Idempotency-Key.
    d.fake.control.add_fault(method="POST", path=f"re:{CONFIGS}", when="after", status=500, nth=1)
    # Two list calls are refused with 429 and no retry hint; portal-infra backs off and retries.
    d.fake.control.add_fault(method="GET", path=CONFIGS, status=429, rate=1.0, times=2)
    config_id = _deploy(d)
    assert [c["id"] for c in d.owned()] == [config_id]
    posts = [r for r in d.fake.control.requests() if r["route"] == f"POST {CONFIGS}"]
    assert len(posts) == 2 and posts[0]["headers"]["idempotency-key"] == posts[1]["headers"]["idempotency-key"]
