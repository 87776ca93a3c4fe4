"""PULUMI_SKIP_CHECKPOINTS for fleets: a `pulumi up` killed with -9 at any point converges on the next
run, with no duplicate and nothing half-done.

With checkpoints skipped the engine writes the state once, at the end, so a killed run leaves the
state as it was before that run. What the killed run did in Stripe is then recovered by
portal-infra itself: a create finds its configuration by the ownership marker and takes it over, an
update is re-sent with the same idempotency key (Stripe replays it), and a deactivation is harmless
to repeat. Each trial kills a run of a 6-resource fleet spread over 2 provider processes while
Stripe holds a reply whose change it has already made.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from bench.fleet import resource_name
from bench.measure import descendants
from bench.scenarios import STACK, fleet_env, fleet_project, write_fleet_stack
from portal_infra.testing import PulumiCLI

pytestmark = pytest.mark.e2e
N = 6
PROVIDERS = 2
CONFIGS = "/v1/billing_portal/configurations"


def _owned(fake: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for config in fake.fake.backend.store("test", None).configurations.items.values():
        owner = (config.get("metadata") or {}).get("portal_infra_owner")
        if owner:
            out.setdefault(owner, []).append(dict(config))
    return out


def _killed(cli: PulumiCLI, fake: Any, command: list[str], *, method: str, path: str, nth: int) -> None:
    """Run `pulumi <command>` until Stripe has applied the nth matching request, then kill -9 it."""
    fake.control.add_fault(method=method, path=path, when="after", pause=True, nth=nth)
    proc = subprocess.Popen([cli.binary, *command, "--yes", "--skip-preview", "--non-interactive"],
                            cwd=cli.project_dir, env=cli.env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while fake.control.paused() < 1:
        assert proc.poll() is None and time.monotonic() < deadline, f"pulumi {command} never reached request {nth}"
        time.sleep(0.05)
    # The whole tree, as a lost machine would: pulumi's plugins run in process groups of their own.
    tree = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()
    fake.control.release()
    fake.control.clear_faults()
    cli.run("cancel", "--yes", check=True)  # the dead run's lock


def _state(cli: PulumiCLI) -> dict[str, Any]:
    deployment: dict[str, Any] = json.loads(cli.export())["deployment"]
    return deployment


def _assert_converged(cli: PulumiCLI, fake: Any, changed: int) -> None:
    owned = _owned(fake)
    assert sorted(owned) == sorted(f"portal-infra/{STACK}/{resource_name(i)}" for i in range(N))
    assert all(len(configs) == 1 and configs[0]["active"] for configs in owned.values())
    state = _state(cli)
    assert not state.get("pending_operations")
    ids = {r["id"] for r in state["resources"] if r["type"].startswith("pulumi-python:dynamic")}
    assert ids == {configs[0]["id"] for configs in owned.values()}
    headlines = sorted(c[0]["business_profile"]["headline"].endswith("(v2)") for c in owned.values())
    assert headlines == [False] * (N - changed) + [True] * changed
    assert cli.preview("--expect-no-changes").returncode == 0


@pytest.fixture
def fleet(tmp_path: Path, fake_stripe: Any) -> PulumiCLI:
    project = fleet_project(tmp_path)
    write_fleet_stack(project, kind="portal", n=N, providers=PROVIDERS)
    cli = PulumiCLI(project, fleet_env(tmp_path, fake_stripe.url, skip_checkpoints=True), tmp_path / "pulumi.log")
    cli.select_stack(STACK)
    return cli


def test_killed_create_converges(fleet: PulumiCLI, fake_stripe: Any) -> None:
    _killed(fleet, fake_stripe, ["up"], method="POST", path=f"re:{CONFIGS}", nth=3)
    assert len(_owned(fake_stripe)) >= 3 and not _state(fleet).get("resources")  # Stripe has them, state not
    fleet.up()
    _assert_converged(fleet, fake_stripe, changed=0)


def test_killed_update_converges(fleet: PulumiCLI, fake_stripe: Any) -> None:
    fleet.up()
    write_fleet_stack(fleet.project_dir, kind="portal", n=N, changed=3, providers=PROVIDERS)
    _killed(fleet, fake_stripe, ["up"], method="POST", path=f"re:{CONFIGS}/bpc_.*", nth=2)
    # Stripe has some of the updates (other requests in flight go on); the state, written only at the end, none.
    in_stripe = [c for configs in _owned(fake_stripe).values() for c in configs
                 if c["business_profile"]["headline"].endswith("(v2)")]
    in_state = [r for r in _state(fleet)["resources"]
                if (r.get("outputs", {}).get("business_profile") or {}).get("headline", "").endswith("(v2)")]
    assert len(in_stripe) >= 2 and not in_state
    fleet.up()
    _assert_converged(fleet, fake_stripe, changed=3)


def test_killed_destroy_converges(fleet: PulumiCLI, fake_stripe: Any) -> None:
    fleet.up()
    _killed(fleet, fake_stripe, ["destroy"], method="POST", path=f"re:{CONFIGS}/bpc_.*", nth=3)
    retired = [c for configs in _owned(fake_stripe).values() for c in configs if not c["active"]]
    ours = [r for r in _state(fleet)["resources"] if r["type"].startswith("pulumi-python:dynamic")]
    assert len(retired) >= 3 and len(ours) == N
    fleet.destroy()
    assert not [r for r in _state(fleet).get("resources") or [] if r["type"].startswith("pulumi-python:dynamic")]
    assert all(not c["active"] for configs in _owned(fake_stripe).values() for c in configs)
    assert len(_owned(fake_stripe)) == N
