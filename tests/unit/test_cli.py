"""The `portal-infra` command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

from portal_infra.cli import main
from portal_infra.testing import free_port
from portal_infra.testing.stripe_mock import wait_for_port
from tests.examples import full

REPO = Path(__file__).resolve().parents[2]


def test_validate_accepts_every_committed_stack() -> None:
    for stack in ("dev", "staging", "prod"):
        assert main(["validate", str(REPO / "stacks" / f"Pulumi.{stack}.yaml")]) == 0


def test_validate_names_the_bad_field(tmp_path: Path, capsys: object) -> None:
    bad = full()
    bad["business_profile"]["headline"] = "x" * 61
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump({"config": {"portal-infra:portal": bad}}))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "portal-infra:portal.business_profile.headline" in err


def _sigint_as_at_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_fake_stripe_serves_on_loopback_and_saves_state(tmp_path: Path) -> None:
    port = free_port()
    state = tmp_path / "fake.json"
    # Started as a terminal starts it (SIGINT at its default), even when this test run itself was
    # started from a background job with SIGINT ignored: the fake keeps an ignored SIGINT ignored.
    proc = subprocess.Popen([sys.executable, "-m", "portal_infra.cli", "fake-stripe", "--port", str(port),
                             "--stripe-mock", "none", "--state-file", str(state)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_sigint_as_at_a_terminal)
    try:
        wait_for_port(port, 30, proc)  # type: ignore[arg-type]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/health", timeout=10) as resp:
            assert json.loads(resp.read()) == {"ok": True, "stripe_mock": None}
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert f"fake Stripe on http://127.0.0.1:{port}" in err.decode()
    assert "stores" in json.loads(state.read_text())


def test_validate_refuses_a_key_in_plain_text_without_printing_it(tmp_path: Path, capsys: object) -> None:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump({"config": {"portal-infra:stripeApiKey": "sk_test_PlainText4242",
                                               "portal-infra:portal": full()}}))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "plain text" in err and "sk_test_PlainText4242" not in err
