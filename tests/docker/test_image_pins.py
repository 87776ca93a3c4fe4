"""Every place that names a stripe-mock release names the same one (no engine needed)."""

from __future__ import annotations

import re

from portal_infra.testing.containers import DEFAULT_IMAGE
from tests.docker.conftest import COMPOSE_FILE, REPO, _stripe_mock_image


def test_compose_file_plugin_and_bootstrap_pin_the_same_stripe_mock() -> None:
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text()
    pinned = re.search(r"^STRIPE_MOCK_VERSION=(v[0-9.]+)", bootstrap, re.MULTILINE)
    assert pinned, "scripts/bootstrap.sh pins no STRIPE_MOCK_VERSION"
    assert _stripe_mock_image() == DEFAULT_IMAGE == f"stripe/stripe-mock:{pinned.group(1)}", COMPOSE_FILE


def test_compose_file_publishes_on_loopback_only() -> None:
    ports = re.findall(r'^\s+- "([^"]+)"$', COMPOSE_FILE.read_text(), re.MULTILINE)
    assert ports and all(p.startswith("127.0.0.1:") for p in ports), ports
