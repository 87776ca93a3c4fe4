"""`pulumi up` killed with SIGKILL at random moments, then the README's recovery (issue 11, item 4)."""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults.conftest import Fleet, branded_accounts, branding_problems
from tests.processes import kill_tree

pytestmark = pytest.mark.e2e
# Each trial is a test of its own (they run side by side under `make test`), and each kill point is drawn
# from its own stretch of the run, so together they cover a kill early, midway and late. 20 configurations
# and 3 branded accounts show what 50 and 5 did (each resource's create and each account's read, uploads and
# update can be cut off); the fleet sizes that measure time are `make bench`'s.
TRIALS = 5
RESOURCES = 20
BRANDED = 3
# An up from empty makes about 1 request per configuration (its create; one list page serves the
# ownership scan) and 4 per branded account (a read, two uploads on the platform and the update): at least
# 32 here, so a kill point under this always lands mid-run.
KILL_WITHIN_REQUESTS = RESOURCES + 2 * BRANDED


def kill_point(trial: int, trials: int, seed: int, low: int = 0) -> int:
    """A repeatable request count in trial's own stretch of [low, KILL_WITHIN_REQUESTS)."""
    span = KILL_WITHIN_REQUESTS - low
    return random.Random(seed + trial).randrange(low + trial * span // trials, low + (trial + 1) * span // trials)


def _up_killed_after(fleet: Fleet, requests: int) -> bool:
    """Start `pulumi up`, and SIGKILL it and every process it started once the fake has seen `requests` more
    API requests. False when the up finished first."""
    seen = len(fleet.api_requests())
    proc = subprocess.Popen([fleet.cli.binary, "up", "--yes", "--skip-preview", "--non-interactive"],
                            cwd=fleet.project_dir, env=fleet.cli.env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(fleet.api_requests()) - seen < requests:
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "pulumi up made no progress"
        time.sleep(0.01)
    kill_tree(proc.pid)
    proc.wait()
    return True


# The same trials on a platform that uses Accounts v2 (issue 26): its account writes are JSON POSTs to
# /v2/core/accounts/{id}; one kill point, drawn from the whole run (the v1 trials spread five over it).
V2_TRIALS = 1


TRIAL_IDS = [*(("v1", t) for t in range(TRIALS)), *(("v2", t) for t in range(V2_TRIALS))]


@pytest.mark.parametrize(("api", "trial"), TRIAL_IDS)
def test_a_killed_up_converges_after_the_documented_recovery(fleet: Fleet, api: str, trial: int) -> None:
    fleet.select(f"kill-{api}-{trial}")
    branded = branded_accounts(fleet, BRANDED, prefix=f"kill{api}{trial}x")
    settings: dict[str, object] = {"rateLimits": {"test": 500, "files": 500}, "fleet": branded.config}
    if api == "v2":
        fleet.control.platform(accounts="v2")
        settings["accountsApi"] = "v2"
    fleet.configure(RESOURCES, **settings)
    at = kill_point(trial, TRIALS if api == "v1" else V2_TRIALS, seed=11)
    assert _up_killed_after(fleet, at), f"trial {trial}: the up finished before its {at}th request"

    # README, "Failure and recovery": a killed `pulumi up`.
    state = Path(fleet.cli.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    for attrs in state.rglob("*.attrs"):
        if attrs.stat().st_size == 0:
            attrs.unlink()
    fleet.cli.run("cancel", "--yes", check=True)
    fleet.cli.up()
    fleet.cli.run("refresh", "--yes", "--clear-pending-creates", check=True)

    owned = fleet.owned()
    assert len(owned) == RESOURCES, f"trial {trial} (killed after {at} requests): {len(owned)} configurations"
    assert all(c["active"] for c in owned)
    assert branding_problems(fleet, branded) == [], f"trial {trial}: branding half applied"
    ids = {r["id"] for r in fleet.state_resources() if r["type"].endswith("PortalConfiguration")}
    assert ids == {c["id"] for c in owned}, f"trial {trial}: state and Stripe disagree"
    assert fleet.cli.preview("--expect-no-changes").returncode == 0, f"trial {trial}: preview not clean"
    if api == "v2":
        routes = {r["route"] for r in fleet.api_requests()}
        assert "POST /v2/core/accounts/{id}" in routes and not {r for r in routes if r.startswith("POST /v1/accounts")}
