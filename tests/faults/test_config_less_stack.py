"""A user's project whose stack has no config at all (issue 11, item 8)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from portal_infra.testing import Run
from tests.faults.conftest import Fleet, assert_key_absent, fleet_cli

pytestmark = pytest.mark.e2e

PROGRAM = textwrap.dedent('''
    import pulumi

    from portal_infra import PortalConfiguration

    portal = PortalConfiguration("portal", {"features": {"invoice_history": {"enabled": True}}})
    pulumi.export("configuration_id", portal.id)
''')


def test_a_stack_with_no_config_runs(fleet: Fleet, tmp_path: Path) -> None:
    # Key and address from the environment, the portal declared in Python: no stack config at all.
    (fleet.project_dir / "__main__.py").write_text(PROGRAM)
    runs: list[Run] = []
    cli = fleet_cli(tmp_path, fleet.project_dir, fleet.fake.url, runs)
    cli.select_stack("bare")
    # `stack init` writes only the passphrase's salt there.
    assert "config" not in yaml.safe_load((fleet.project_dir / "Pulumi.bare.yaml").read_text())

    cli.up()

    (configuration,) = fleet.owned("bare")
    assert cli.outputs() == {"configuration_id": configuration["id"]}
    assert cli.preview("--expect-no-changes").returncode == 0
    assert_key_absent([r.output for r in runs], "the output of a pulumi run")
