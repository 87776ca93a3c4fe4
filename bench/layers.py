"""`make bench BENCH_ARGS=--layers`: how fast portal-infra's layers are, one request at a time.

Figures, not assertions: tests never time anything. The layers:
  spec       validate a full configuration and build its create and update params (in process)
  stripe     POST a full create through StripeGateway to a local stripe-mock (real HTTP)
  fake       the same through the stateful fake, which asks stripe-mock first
  pulumi     the real CLI against stripe-mock: up (create), preview (no change), up (update), destroy
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from portal_infra.specs import parse_portal_configuration
from portal_infra.specs.wire import create_params, declared, update_params
from portal_infra.stripe_api import StripeGateway, resolve
from portal_infra.testing import PulumiCLI, StripeMock, offline_env
from portal_infra.testing.fake import FakeStripe
from portal_infra.testing.recorder import RecordingProxy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.examples import full  # noqa: E402

KEY = "sk_test_benchKey"


def _timings(fn: Callable[[], Any], n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return {"n": n, "p50_ms": 1000 * statistics.median(samples),
            "p90_ms": 1000 * samples[int(0.9 * (n - 1))], "max_ms": 1000 * samples[-1]}


def bench_spec() -> dict[str, Any]:
    data = full()
    old = declared(parse_portal_configuration(data))

    def once() -> None:
        spec = parse_portal_configuration(data)
        create_params(spec)
        update_params(old, declared(spec))

    return _timings(once, 2000)


def bench_stripe(mock: StripeMock) -> dict[str, Any]:
    gateway = StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": mock.url}), max_retries=0)
    params = create_params(parse_portal_configuration(full()))
    counter = iter(range(10**9))
    return _timings(lambda: gateway.post("/v1/billing_portal/configurations", params,
                                         idempotency_key=f"bench-{next(counter)}"), 300)


def bench_fake(mock: StripeMock) -> dict[str, Any]:
    """The same create through the stateful fake, which first asks stripe-mock to validate it."""
    fake = FakeStripe(stripe_mock_url=mock.url).start()
    try:
        gateway = StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": fake.url}), max_retries=0)
        params = create_params(parse_portal_configuration(full()))
        params["features"]["subscription_update"]["products"] = ""  # the fake checks products exist
        params["features"]["subscription_update"]["default_allowed_updates"] = ["quantity"]
        del params["features"]["subscription_cancel"]["cancellation_reason"]["feedback_options"]
        counter = iter(range(10**9))
        return _timings(lambda: gateway.post("/v1/billing_portal/configurations", params,
                                             idempotency_key=f"bench-{next(counter)}"), 300)
    finally:
        fake.stop()


def bench_pulumi(mock: StripeMock, work: Path) -> dict[str, Any]:
    project = work / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(yaml.safe_dump({
        "name": "portal-infra", "runtime": {"name": "python", "options": {"virtualenv": str(ROOT / ".venv")}}}))
    shutil.copy(ROOT / "stacks" / "__main__.py", project / "__main__.py")
    config = {"config": {"portal-infra:mode": "test", "portal-infra:portal": full()}}
    (project / "Pulumi.bench.yaml").write_text(yaml.safe_dump(config))
    (work / "state").mkdir()
    out: dict[str, Any] = {}
    with RecordingProxy(mock.url) as proxy:
        env = offline_env(work / "state", work / "home", python=str(ROOT / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_BASE": proxy.url, "STRIPE_API_KEY": KEY})
        cli = PulumiCLI(project, env)
        cli.select_stack("bench")

        def step(name: str, fn: Callable[[], Any]) -> None:
            proxy.clear()
            start = time.perf_counter()
            fn()
            out[name] = {"seconds": round(time.perf_counter() - start, 3), "stripe_requests": len(proxy.requests)}

        step("up_create", cli.up)
        step("preview_no_change", lambda: cli.preview("--expect-no-changes", check=True))
        config["config"]["portal-infra:portal"]["business_profile"]["headline"] = "Benchmarked"
        (project / "Pulumi.bench.yaml").write_text(yaml.safe_dump(config))
        step("up_update", cli.up)
        step("destroy", cli.destroy)
    return out


def run_layers() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, StripeMock(Path(tmp) / "stripe-mock.log") as mock:
        return {
            "spec_validate_and_build_params": bench_spec(),
            "stripe_mock_create_roundtrip": bench_stripe(mock),
            "fake_stripe_create_roundtrip": bench_fake(mock),
            "pulumi_cli_lifecycle": bench_pulumi(mock, Path(tmp)),
        }
