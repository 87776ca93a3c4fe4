"""Fleet-sized stacks against the fake, through the real pulumi CLI, with faults injected.

Every run's raw output (not the scrubbed log) is kept, and each test ends by checking that the
recognisable key below appears in none of it (acceptance item 7 for tests 1-6).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.testing import PulumiCLI, Run, offline_env
from portal_infra.testing.fake import FakeStripe, FakeStripeControl
from portal_infra.testing.stripe_mock import StripeMock

REPO = Path(__file__).resolve().parents[2]
# Recognisable, so any leak is found by searching for it; stripe-mock wants letters and digits.
KEY = "sk_test_FaultCanary7f3a9e1bQz"
KEY_TAIL = KEY.removeprefix("sk_test_")
MINIMAL_PORTAL: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}}

PROGRAM = textwrap.dedent('''
    """`fleet:count` portal configurations named portal-000, portal-001, ... (tests/faults)."""
    import pulumi

    from portal_infra.resources import PortalConfiguration

    fleet = pulumi.Config("fleet")
    portal = fleet.get_object("portal") or {"features": {"invoice_history": {"enabled": True}}}
    made = [PortalConfiguration(f"portal-{i:03d}", portal) for i in range(fleet.get_int("count") or 0)]
    for name, spec in (fleet.get_object("extra") or {}).items():
        options = spec.pop("portal_infra", None) or {}
        made.append(PortalConfiguration(name, spec, **options))
    pulumi.export("configuration_ids", [c.id for c in made])
''')


class RecordingCLI(PulumiCLI):
    """PulumiCLI that keeps every run's raw output, for the secret-hygiene check."""

    def __init__(self, project_dir: Path, env: Mapping[str, str], log_path: Path, runs: list[Run]) -> None:
        super().__init__(project_dir, env, log_path)
        self.runs = runs

    def run(self, *args: str, env: Mapping[str, str] | None = None, check: bool = False,
            timeout: float = 600, stdin: str | None = None) -> Run:
        result = super().run(*args, env=env, check=False, timeout=timeout, stdin=stdin)
        self.runs.append(result)
        return result.check() if check else result


@dataclass
class Fleet:
    cli: RecordingCLI
    fake: FakeStripe
    project_dir: Path
    stack: str = "fleet"
    runs: list[Run] = field(default_factory=list)

    @property
    def control(self) -> FakeStripeControl:
        return FakeStripeControl(self.fake.url)

    def configure(self, count: int, *, portal: dict[str, Any] | None = None,
                  extra: dict[str, Any] | None = None, **settings: Any) -> None:
        """Write the stack file: `count` configurations, plus portal-infra settings by key."""
        config: dict[str, Any] = {"portal-infra:mode": "test", "fleet:count": count,
                                  "fleet:portal": portal or MINIMAL_PORTAL}
        if extra:
            config["fleet:extra"] = extra
        config.update({f"portal-infra:{k}": v for k, v in settings.items()})
        path = self.project_dir / f"Pulumi.{self.stack}.yaml"
        # Keep what `stack init` wrote (the passphrase's salt).
        existing: dict[str, Any] = yaml.safe_load(path.read_text()) if path.exists() else {}
        path.write_text(yaml.safe_dump({**existing, "config": config}))

    def select(self, stack: str | None = None) -> None:
        self.stack = stack or self.stack
        self.cli.select_stack(self.stack)

    def owned(self, stack: str | None = None) -> list[dict[str, Any]]:
        """Active configurations that this project's stack owns, as the fake holds them."""
        prefix = f"portal-infra/{stack or self.stack}/"
        with self.fake.backend.lock:
            items = list(self.fake.backend.store("test", None).configurations.items.values())
        return [dict(c) for c in items
                if str((c.get("metadata") or {}).get("portal_infra_owner", "")).startswith(prefix)]

    def state_resources(self) -> list[dict[str, Any]]:
        resources: list[dict[str, Any]] = json.loads(self.cli.export())["deployment"].get("resources", [])
        return resources

    def api_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.fake.requests() if r["path"].startswith("/v1/")]


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "portal-infra",
        "runtime": {"name": "python", "options": {"virtualenv": str(REPO / ".venv")}},
    }))
    (project / "__main__.py").write_text(PROGRAM)
    (tmp_path / "state").mkdir()
    return project


def fleet_cli(tmp_path: Path, project: Path, base: str, runs: list[Run]) -> RecordingCLI:
    env = offline_env(tmp_path / "state", tmp_path / "pulumi-home", python=str(REPO / ".venv" / "bin" / "python"),
                      extra={"STRIPE_API_BASE": base, "STRIPE_API_KEY": KEY})
    return RecordingCLI(project, env, tmp_path / "pulumi.log", runs)


def assert_key_absent(texts: list[str], where: str) -> None:
    for text in texts:
        assert KEY not in text and KEY_TAIL not in text, f"the Stripe key appears in {where}"


@pytest.fixture
def fleet(tmp_path: Path, stripe_mock: StripeMock) -> Iterator[Fleet]:
    """A project of `fleet:count` configurations deployed to a fresh fake (validated by stripe-mock)."""
    fake = FakeStripe(stripe_mock_url=stripe_mock.url).start()
    runs: list[Run] = []
    project = make_project(tmp_path)
    try:
        yield Fleet(fleet_cli(tmp_path, project, fake.url, runs), fake, project, runs=runs)
    finally:
        fake.stop()
    # Item 7 for every fault test: no output of any run carries the key.
    assert_key_absent([r.output for r in runs], "the output of a pulumi run")
