"""A throw-away Pulumi project per test: the repo's stack program, its own stack file and state,
the real pulumi CLI, and a recording proxy in front of stripe-mock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.testing import PulumiCLI, RecordingProxy, Run, StripeMock, offline_env

REPO = Path(__file__).resolve().parents[2]
# stripe-mock wants a "valid looking" key: letters and digits after the prefix.
KEY = "sk_test_E2eSecretKey4242xyz"


@dataclass
class Deployment:
    cli: PulumiCLI
    recorder: RecordingProxy
    mock: StripeMock
    project_dir: Path
    log_path: Path
    stack: str = "dev"
    runs: list[Run] = field(default_factory=list)

    def write_config(self, portal: dict[str, Any], **extra: Any) -> None:
        self.write_stack({"portal": portal, **extra})

    def write_stack(self, config: dict[str, Any]) -> None:
        """The stack file with exactly these `portal-infra:` keys (and the test mode)."""
        path = self.project_dir / f"Pulumi.{self.stack}.yaml"
        existing: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
        secure = {k: v for k, v in (existing.get("config") or {}).items() if isinstance(v, dict) and "secure" in v}
        existing["config"] = {"portal-infra:mode": "test", **{f"portal-infra:{k}": v for k, v in config.items()},
                              **secure}
        path.write_text(yaml.safe_dump(existing, sort_keys=False))

    def logs(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def make_project(tmp_path: Path, program: str | None = None) -> Path:
    """A Pulumi project on the repo's venv running `program` (default: the repo's stack program),
    with a state directory beside it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "portal-infra",
        "runtime": {"name": "python", "options": {"virtualenv": str(REPO / ".venv")}},
    }))
    if program is None:
        shutil.copy(REPO / "stacks" / "__main__.py", project / "__main__.py")
    else:
        (project / "__main__.py").write_text(program)
    (tmp_path / "state").mkdir()
    return project


def repo_project(tmp_path: Path, stacks: tuple[str, ...] = ("dev",)) -> Path:
    """The repository's own project (its Pulumi.yaml base, stack program, images and these stack files) in
    a directory of its own, on the repo's venv, with a state directory beside it."""
    project = tmp_path / "project"
    project.mkdir()
    data = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    data["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
    data.pop("main"), data.pop("stackConfigDir")
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    shutil.copy(REPO / "stacks" / "__main__.py", project / "__main__.py")
    shutil.copytree(REPO / "stacks" / "assets", project / "assets")
    for stack in stacks:
        shutil.copy(REPO / "stacks" / f"Pulumi.{stack}.yaml", project / f"Pulumi.{stack}.yaml")
    (tmp_path / "state").mkdir(exist_ok=True)
    return project


def _cli(tmp_path: Path, project: Path, base: str, **extra: str) -> PulumiCLI:
    env = offline_env(tmp_path / "state", tmp_path / "pulumi-home", python=str(REPO / ".venv" / "bin" / "python"),
                      extra={"STRIPE_API_BASE": base, **extra})
    if "STRIPE_API_KEY" not in extra:
        env.pop("STRIPE_API_KEY", None)
    return PulumiCLI(project, env, log_path=tmp_path / "pulumi.log")


@pytest.fixture
def deployment(tmp_path: Path, stripe_mock: StripeMock) -> Iterator[Deployment]:
    """A project deployed to stripe-mock behind a recording proxy."""
    project = make_project(tmp_path)
    with RecordingProxy(stripe_mock.url) as recorder:
        cli = _cli(tmp_path, project, recorder.url)
        yield Deployment(cli, recorder, stripe_mock, project, tmp_path / "pulumi.log")


@dataclass
class FakeDeployment(Deployment):
    """A project deployed to the stateful fake (validated by stripe-mock); `.stripe` edits out of band."""

    fake: Any = None
    stripe: Any = None

    def configurations(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.fake.fake.backend.store("test", None).configurations.items.values()]

    def owned(self) -> list[dict[str, Any]]:
        return [c for c in self.configurations() if c["metadata"].get("portal_infra_owner")]


@pytest.fixture
def fake_deployment(tmp_path: Path, stripe_mock: StripeMock, fake_stripe: Any,
                    stripe_client: Any) -> Iterator[FakeDeployment]:
    project = make_project(tmp_path)
    with RecordingProxy(fake_stripe.url) as recorder:
        cli = _cli(tmp_path, project, recorder.url, STRIPE_API_KEY=KEY)
        yield FakeDeployment(cli, recorder, stripe_mock, project, tmp_path / "pulumi.log", fake=fake_stripe,
                             stripe=stripe_client)
