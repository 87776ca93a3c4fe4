"""scripts/ci/job_summary.py as the example workflows run it (preview on a pull request, up on main),
through the real pulumi CLI against the fake: the job summary holds the outcome, the counts and the
diff, and the step's status is Pulumi's."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import FakeDeployment
from tests.examples import for_fake

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ci" / "job_summary.py"


def _step(d: FakeDeployment, operation: str, summary: Path) -> subprocess.CompletedProcess[str]:
    env = {**d.cli.env, "GITHUB_STEP_SUMMARY": str(summary),
           "PORTAL_INFRA": str(SCRIPT.parents[2] / ".venv" / "bin" / "portal-infra")}
    return subprocess.run([str(SCRIPT), operation, "--stack", d.stack], cwd=d.project_dir, capture_output=True,
                          text=True, timeout=600, env=env)


def test_preview_and_up_write_the_diff_into_the_job_summary(fake_deployment: FakeDeployment,
                                                             tmp_path: Path) -> None:
    d = fake_deployment
    portal = for_fake()
    d.write_config(portal)
    # A fresh state bucket has no stack yet: the step makes it from the stack file.
    up = _step(d, "up", tmp_path / "up.md")
    assert up.returncode == 0, up.stdout
    text = (tmp_path / "up.md").read_text()
    assert text.startswith("### pulumi up: stack `dev` succeeded\n\nResources: + 2 created\n")
    assert len(d.owned()) == 1

    changed = copy.deepcopy(portal)
    changed["business_profile"]["headline"] = "Manage it all here"
    d.write_config(changed)
    d.recorder.clear()
    preview = _step(d, "preview", tmp_path / "preview.md")
    assert preview.returncode == 0
    text = (tmp_path / "preview.md").read_text()
    assert "### pulumi preview: stack `dev` succeeded\n\nResources: ~ 1 to update, 1 unchanged\n" in text
    assert '\n```diff\n' in text and '"Manage your Acme subscription" => "Manage it all here"' in text
    assert "\x1b[" not in text
    assert [r for r in d.recorder.requests if r.method == "POST"] == []  # a preview writes nothing

    changed["business_profile"]["headline"] = "x" * 61
    d.write_config(changed)
    failed = _step(d, "preview", tmp_path / "failed.md")
    assert failed.returncode != 0
    text = (tmp_path / "failed.md").read_text()
    assert text.startswith(f"### pulumi preview: stack `dev` failed (exit {failed.returncode})\n")
    assert "<details open>" in text and "portal-infra:portal.business_profile.headline" in text


def test_the_nightly_drift_step_runs_portal_infra_drift(fake_deployment: FakeDeployment, tmp_path: Path) -> None:
    d = fake_deployment
    d.write_config(for_fake())
    assert _step(d, "up", tmp_path / "up.md").returncode == 0
    clean = _step(d, "drift", tmp_path / "a")
    assert clean.returncode == 0, clean.stdout
    assert (tmp_path / "a").read_text().startswith("### portal-infra drift: stack `dev`: no drift\n")

    (owned,) = d.owned()
    d.stripe.v1.billing_portal.configurations.update(owned["id"], params={
        "business_profile": {"headline": "Edited in the Dashboard"}})
    drifted = _step(d, "drift", tmp_path / "b")
    assert drifted.returncode == 2, drifted.stdout
    text = (tmp_path / "b").read_text()
    assert text.startswith("### portal-infra drift: stack `dev`: drifted\n") and "Edited in the Dashboard" in text
