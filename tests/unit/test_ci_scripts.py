"""The scripts the example GitHub Actions workflows call (scripts/ci/), run as the workflows run them,
with stand-ins for the commands they wrap; preview and up through the real CLI are in tests/e2e."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CI = REPO / "scripts" / "ci"


def _stand_in(path: Path, body: str) -> Path:
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(("status", "note"), [(0, "no drift"), (2, "drifted"), (1, "could not tell (exit 1)")])
def test_drift_report_goes_to_the_summary_and_its_status_to_the_job(tmp_path: Path, status: int, note: str) -> None:
    drift = _stand_in(tmp_path / "portal-infra", f'echo "args: $*"; echo "| account | field |"; exit {status}')
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    run = subprocess.run([str(CI / "job_summary.py"), "drift", "--stack", "prod"], capture_output=True, text=True,
                         env={**os.environ, "PORTAL_INFRA": str(drift), "GITHUB_STEP_SUMMARY": str(summary)})
    assert run.returncode == status
    assert "args: drift --stack prod --format markdown" in run.stdout  # the job log has it too
    assert summary.read_text() == (f"earlier step\n### portal-infra drift: stack `prod`: {note}\n\n"
                                   "args: drift --stack prod --format markdown\n| account | field |\n\n")


def test_state_login_builds_the_s3_url_and_names_what_is_missing(tmp_path: Path) -> None:
    pulumi = _stand_in(tmp_path / "pulumi", 'echo "$@"')
    env = {"PATH": os.environ["PATH"], "PULUMI": str(pulumi), "STATE_BUCKET": "state", "STATE_ENDPOINT": "s3.lan:9000",
           "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"}
    run = subprocess.run([str(CI / "state-login.sh")], capture_output=True, text=True, env=env, check=True)
    assert run.stdout == "login s3://state?endpoint=s3.lan:9000&s3ForcePathStyle=true&region=us-east-1\n"
    run = subprocess.run([str(CI / "state-login.sh")], capture_output=True, text=True, check=True,
                         env={**env, "STATE_REGION": "eu-west-1", "STATE_DISABLE_SSL": "true"})
    assert run.stdout.endswith("&region=eu-west-1&disableSSL=true\n")
    del env["STATE_ENDPOINT"], env["AWS_SECRET_ACCESS_KEY"]
    run = subprocess.run([str(CI / "state-login.sh")], capture_output=True, text=True, env=env)
    assert run.returncode == 2 and run.stdout == ""
    assert "STATE_ENDPOINT AWS_SECRET_ACCESS_KEY not set" in run.stderr


def test_setup_puts_pulumi_and_the_venv_on_the_jobs_path(tmp_path: Path) -> None:
    github_path = tmp_path / "path"
    subprocess.run([str(CI / "setup.sh")], check=True, env={**os.environ, "GITHUB_PATH": str(github_path)})
    pulumi_dir, venv_bin = github_path.read_text().splitlines()
    assert (Path(pulumi_dir) / "pulumi").exists() and venv_bin == str(REPO / ".venv" / "bin")


def test_a_summary_fence_outlasts_backticks_in_the_output() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("job_summary", CI / "job_summary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.fenced("a ```` b") == "`````diff\na ```` b\n`````\n"
    output = "Previewing\n\nResources:\n    ~ 1 to update\n    3 unchanged\n\nDuration: 2s\n"
    assert module.resource_counts(output) == "~ 1 to update, 3 unchanged"
    assert len(module.pulumi_summary("preview", "s", 1, "x" * 2_000_000).encode()) < module.SUMMARY_LIMIT


@pytest.mark.skipif(shutil.which("go") is None and not (Path.home() / ".cache/portal-infra/actionlint/bin").exists(),
                    reason="actionlint builds with Go, and Go is not installed")
def test_actionlint_passes_the_example_workflows_and_catches_a_broken_one(tmp_path: Path) -> None:
    assert subprocess.run([str(CI / "actionlint.sh")], capture_output=True, text=True).returncode == 0
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ secrets.X.y.z }}\n        uses: actions/checkout@v4\n")
    run = subprocess.run([str(CI / "actionlint.sh"), str(broken)], capture_output=True, text=True)
    assert run.returncode != 0 and "broken.yml" in run.stdout
