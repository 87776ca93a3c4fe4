"""PORTAL_INFRA_STRIPE_MOCK=docker: stripe-mock as a container, published on loopback only, its
output in the log file, and gone once stopped."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from portal_infra.testing import StripeMock
from portal_infra.testing.containers import LABEL, docker
from tests.docker.conftest import _skip_reason

pytestmark = pytest.mark.docker


def _ours() -> dict[str, str]:
    """Our stripe-mock containers now running: id -> the host address of its HTTP port."""
    ids = docker("ps", "--quiet", "--no-trunc", "--filter", f"label={LABEL}").split()
    return {cid: docker("port", cid, "12111/tcp").strip() for cid in ids}


def test_container_is_published_on_loopback_logged_and_removed(tmp_path: Path) -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    log = tmp_path / "stripe-mock.log"
    mock = StripeMock(log, Path("docker")).start()
    try:
        (container,) = [cid for cid, addr in _ours().items() if addr == f"127.0.0.1:{mock.port}"]
        request = urllib.request.Request(f"{mock.url}/v1/billing_portal/configurations",
                                         headers={"Authorization": "Bearer sk_test_containerCheck"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert reply.status == 200
        assert "Request: GET /v1/billing_portal/configurations" in mock.request_lines()
    finally:
        mock.stop()
    assert container not in _ours()
    assert docker("ps", "--all", "--quiet", "--no-trunc", "--filter", f"id={container}").strip() == ""
    assert "Request: GET /v1/billing_portal/configurations" in log.read_text(errors="replace")
