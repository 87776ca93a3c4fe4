"""pull reads with the stack's key and settings, under the same guardrails as every command: refused
before any request, with the fix, never the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal_infra.cli import main
from portal_infra.pull import pull
from portal_infra.stripe_api import StripeSetupError

LIVE_KEY = "sk_live_" "PullGuardKey4242"  # split: no live-key look-alike in the source


def _project(tmp_path: Path, stack: dict[str, object] | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "p", "runtime": "python"}))
    if stack is not None:
        (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": stack}))
    return tmp_path


def test_a_live_key_needs_a_live_stack_that_allows_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(StripeSetupError, match="this stack is for test mode") as err:
        pull("prod", project_dir=project, env={"STRIPE_API_KEY": LIVE_KEY})
    assert LIVE_KEY not in str(err.value)
    _project(tmp_path, {"portal-infra:mode": "live"})
    with pytest.raises(StripeSetupError, match="allowLive: true"):
        pull("prod", project_dir=project, env={"STRIPE_API_KEY": LIVE_KEY})
    _project(tmp_path, {"portal-infra:mode": "live", "portal-infra:allowLive": True})
    with pytest.raises(StripeSetupError, match=r"refusing to send a live-mode key to http://127\.0\.0\.1:9"):
        pull("prod", project_dir=project, env={"STRIPE_API_KEY": LIVE_KEY, "STRIPE_API_BASE": "http://127.0.0.1:9"})
    assert not (tmp_path / "Pulumi.prod.yaml").read_text().count("portal-infra:portal")


def test_the_cli_names_the_missing_key_and_the_bad_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    assert main(["pull", "--stack", "dev", "--project-dir", str(project)]) == 1
    assert "no Stripe API key: export STRIPE_API_KEY" in capsys.readouterr().err
    assert main(["pull", "--stack", "dev", "--project-dir", str(project), "--metadata", "tier"]) == 1
    assert "--metadata: 'tier' is not key=value" in capsys.readouterr().err
