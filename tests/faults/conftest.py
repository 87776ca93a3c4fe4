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
from tests.e2e.conftest import make_project
from tests.images import jpeg, png

REPO = Path(__file__).resolve().parents[2]
# Recognisable, so any leak is found by searching for it; stripe-mock wants letters and digits.
KEY = "sk_test_FaultCanary7f3a9e1bQz"
KEY_TAIL = KEY.removeprefix("sk_test_")
MINIMAL_PORTAL: dict[str, Any] = {"features": {"invoice_history": {"enabled": True}}}

PROGRAM = textwrap.dedent('''
    """`fleet:count` portal configurations named portal-000, portal-001, ... (tests/faults), dealt over
    `fleet:providers` explicit provider processes (0: the default provider), and
    whatever the stack program makes of the `portal-infra:` keys (fleet, domain, platform)."""
    import pulumi

    from portal_infra.program import run
    from portal_infra.resources import PortalConfiguration
    from portal_infra.resources.provider_pool import DynamicProviderPool

    run()  # first: it checks the whole `portal-infra:` stack config before anything registers
    fleet = pulumi.Config("fleet")
    portal = fleet.get_object("portal") or {"features": {"invoice_history": {"enabled": True}}}
    pool = DynamicProviderPool(fleet.get_int("providers") or 0)
    made = [PortalConfiguration(f"portal-{i:03d}", portal, opts=pool.options(i))
            for i in range(fleet.get_int("count") or 0)]
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
                  extra: dict[str, Any] | None = None, providers: int = 0, **settings: Any) -> None:
        """Write the stack file: `count` configurations, plus portal-infra settings by key."""
        config: dict[str, Any] = {"portal-infra:mode": "test", "fleet:count": count,
                                  "fleet:portal": portal or MINIMAL_PORTAL, "fleet:providers": providers}
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
        return [r for r in self.fake.requests() if r["path"].startswith(("/v1/", "/v2/"))]


@dataclass(frozen=True)
class Branded:
    """Connected accounts with branding: the `portal-infra:fleet` config and what each should show."""

    config: dict[str, Any]
    accounts: dict[str, dict[str, Any]]  # account ID -> {primary_color, business_name, icon, logo (bytes)}


def branded_accounts(fleet: Fleet, count: int, *, prefix: str = "shop") -> Branded:
    """`count` connected accounts, seeded in the fake, each with its own icon and logo."""
    entries, accounts = [], {}
    for i in range(count):
        name, account = f"{prefix}{i:02d}", f"acct_1Fault{prefix.title()}{i:02d}".ljust(24, "0")
        icon = png(fleet.project_dir / "assets" / f"{name}-icon.png", colour=(i, 100, 200 - i))
        logo = jpeg(fleet.project_dir / "assets" / f"{name}-logo.jpg", width=200 + i)
        branding = {"icon": f"assets/{icon.name}", "logo": f"assets/{logo.name}",
                    "primary_color": f"#10{i:02x}ab", "business_name": f"Shop {i} Ltd"}
        entries.append({"name": name, "account": account, "branding": branding})
        accounts[account] = {"primary_color": branding["primary_color"], "business_name": branding["business_name"],
                             "icon": icon.read_bytes(), "logo": logo.read_bytes()}
    fleet.control.seed(accounts=[{"id": a} for a in accounts])
    return Branded({"accounts": entries}, accounts)


def branding_problems(fleet: Fleet, branded: Branded) -> list[str]:
    """Where the fake's accounts differ from what `branded` declares: colours, name, each image shown
    from a platform File holding its bytes, and exactly one platform File per distinct image."""
    problems = []
    backend = fleet.fake.backend
    with backend.lock:
        platform = backend.store("test", None)
        by_bytes: dict[tuple[str, bytes], list[str]] = {}
        for file_id, data in platform.file_contents.items():
            by_bytes.setdefault((platform.files.items[file_id]["purpose"], data), []).append(file_id)
        problems += [f"{len(ids)} platform files of one {purpose} image" for (purpose, _), ids in by_bytes.items()
                     if len(ids) > 1]
        for account_id, want in branded.accounts.items():
            account = platform.accounts.items[account_id]
            shown = account["settings"]["branding"]
            if shown.get("primary_color") != want["primary_color"]:
                problems.append(f"{account_id}: primary_color {shown.get('primary_color')}")
            if account["business_profile"].get("name") != want["business_name"]:
                problems.append(f"{account_id}: business_profile.name {account['business_profile'].get('name')}")
            for role in ("icon", "logo"):
                if platform.file_contents.get(shown.get(role) or "") != want[role]:
                    problems.append(f"{account_id}: {role} is not a platform File of the declared image")
    return problems


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
    project = make_project(tmp_path, PROGRAM)
    try:
        yield Fleet(fleet_cli(tmp_path, project, fake.url, runs), fake, project, runs=runs)
    finally:
        fake.stop()
    # Item 7 for every fault test: no output of any run carries the key.
    assert_key_absent([r.output for r in runs], "the output of a pulumi run")
