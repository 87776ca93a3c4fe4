"""Test helpers at Stripe's edge: stripe-mock, a recording proxy, and the offline pulumi CLI.

Nothing here replaces portal-infra's own code: tests drive the real provider through the real
CLI, and only Stripe is stood in for.
"""

from .dns_server import LoopbackDNS
from .pulumi_cli import PulumiCLI, Run, offline_env
from .recorder import RecordedRequest, RecordingProxy
from .stripe_mock import StripeMock, free_port

__all__ = [
    "LoopbackDNS",
    "PulumiCLI",
    "RecordedRequest",
    "RecordingProxy",
    "Run",
    "StripeMock",
    "free_port",
    "offline_env",
]
