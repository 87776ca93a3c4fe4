"""`pulumi up` killed with SIGKILL while its state lives in an S3-compatible bucket (versitygw on
loopback), then the README's recovery "On S3-compatible state" (issue 17)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from portal_infra.drift import EXIT_CLEAN, EXIT_DRIFT
from portal_infra.testing.s3_server import S3Server
from tests.faults.conftest import Fleet, branded_accounts, branding_problems
from tests.faults.test_killed_up import BRANDED, KILL_WITHIN_REQUESTS, RESOURCES, _up_killed_after, kill_point

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TRIALS = 2
LOCKS = ".pulumi/locks/organization/portal-infra/"


def _locks(s3: S3Server, stack: str) -> list[str]:
    return [o.key for o in s3.list_objects("state", f"{LOCKS}{stack}/")]


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_killed_up_with_s3_state_converges_after_cancel(fleet: Fleet, s3_server: S3Server, trial: int) -> None:
    fleet.cli.env.update(s3_server.env("state"))
    stack = f"s3-kill-{trial}"
    fleet.select(stack)
    branded = branded_accounts(fleet, BRANDED, prefix=f"sthree{trial}x")
    fleet.configure(RESOURCES, rateLimits={"test": 500, "files": 500}, fleet=branded.config)
    # Past the first quarter, so the engine has surely taken its lock before the kill.
    at = kill_point(trial, TRIALS, seed=17, low=KILL_WITHIN_REQUESTS // 4)
    assert _up_killed_after(fleet, at), f"trial {trial}: the up finished before its {at}th request"

    # The dead run's lock is an object in the bucket; every run that writes state refuses until
    # `pulumi cancel` deletes it. S3 writes an object whole, with its metadata, so there is no
    # `.attrs` file to find empty: the file backend's extra step has nothing to do here.
    assert len(_locks(s3_server, stack)) == 1, f"trial {trial}: no lock object left by the killed up"
    refused = fleet.cli.up(check=False)
    assert refused.returncode != 0 and "currently locked by 1 lock(s)" in refused.output, refused.output
    assert not [o.key for o in s3_server.list_objects("state") if o.key.endswith(".attrs")]
    # The refresh preview takes no lock: a nightly drift report still runs beside a dead run's lock.
    report = subprocess.run([str(REPO / ".venv" / "bin" / "portal-infra"), "drift", "--stack", stack],
                            cwd=fleet.project_dir, env=fleet.cli.env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert report.returncode in (EXIT_CLEAN, EXIT_DRIFT), report.stderr
    fleet.cli.run("cancel", "--yes", check=True)
    assert _locks(s3_server, stack) == []

    fleet.cli.up()
    fleet.cli.run("refresh", "--yes", "--clear-pending-creates", check=True)
    owned = fleet.owned()
    assert len(owned) == RESOURCES and all(c["active"] for c in owned), f"trial {trial} (after {at} requests)"
    assert branding_problems(fleet, branded) == [], f"trial {trial}: branding half applied"
    ids = {r["id"] for r in fleet.state_resources() if r["type"].endswith("PortalConfiguration")}
    assert ids == {c["id"] for c in owned}, f"trial {trial}: state and Stripe disagree"
    assert fleet.cli.preview("--expect-no-changes").returncode == 0, f"trial {trial}: preview not clean"
    assert _locks(s3_server, stack) == []
