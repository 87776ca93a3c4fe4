"""The Python language host the engine starts must stop when the engine closes it.

The engine closes a plugin with SIGINT and kills it only 5 seconds later. A process started from a
non-interactive shell's background job (`pulumi up &`, nohup, many CI runners) inherits SIGINT as
ignored; a host that kept it ignored made every `pulumi up` and `preview` wait those 5 seconds.
"""

from __future__ import annotations

import signal
import subprocess

import pytest

from portal_infra.testing.tools import pulumi_dir

pytestmark = pytest.mark.e2e


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_the_language_host_stops_on_sigint_even_when_started_with_it_ignored() -> None:
    host = subprocess.Popen([str(pulumi_dir() / "pulumi-language-python"), "127.0.0.1:1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ignore_sigint)
    try:
        assert host.stdout is not None
        port = host.stdout.readline().strip()
        assert port.isdigit(), f"the host did not print its port: {port!r}"
        host.send_signal(signal.SIGINT)
        # A host that ignores SIGINT never exits by itself; the engine would kill it after 5 s.
        assert host.wait(timeout=30) is not None
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
