"""`make bench BENCH_ARGS="--pull 1000"`: `portal-infra pull` over N connected accounts.

The fake (its own process, bench/stripe_fake.py) holds a platform with N branded accounts. pull runs
twice: at the fake's own speed (no pacing: portal-infra's own cost), then as Stripe would answer, with
100 ms a request and Stripe's test-mode limits emulated under the default pacing (24/s; one
configuration list per account is one endpoint, whose 25/s makes N/25 s a floor). Each run's requests
are counted from the fake's log and checked against pull's promise: ceil(N/100) account pages, one
configuration list per account and one for the platform, one read of the platform account, nothing
else. Figures go to bench/results/pull-<time>.json.
"""

from __future__ import annotations

import io
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from portal_infra.pull import pull

from . import measure
from .stripe_fake import UNPACED_PER_SECOND, FakeProcess, diff_counters, rate_floor

KEY = "sk_test_BenchPull4242"
RUNS = (("fake speed, unpaced", 0), ("100 ms, Stripe test limits, default pacing", 100))


def _accounts(n: int) -> list[dict[str, Any]]:
    return [{"id": f"acct_1Bench{i:018d}", "type": "standard",
             "settings": {"branding": {"primary_color": f"#{(i * 2654435761) % 0xFFFFFF:06x}",
                                       "secondary_color": "#f6f9fc"}},
             "business_profile": {"name": f"Shop {i}", "support_email": f"help@shop{i}.example"}}
            for i in range(n)]


def expected(n: int) -> dict[str, int]:
    return {"GET /v1/account": 1, "GET /v1/accounts": max(1, math.ceil(n / 100)),
            "GET /v1/billing_portal/configurations": n + 1}


def run(n: int, out: Path) -> dict[str, Any]:
    record = measure.new_record(accounts=n, expected_requests=expected(n), runs={})
    with tempfile.TemporaryDirectory(prefix="portal-infra-bench-pull-") as tmp:
        root = Path(tmp)
        (root / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "bench-pull", "runtime": "python"}))
        with FakeProcess(root / "fake.log") as fake:
            fake.control.seed(accounts=_accounts(n))
            for name, latency in RUNS:
                fake.emulate(latency)
                pacing = {} if latency else {"portal-infra:rateLimits": {"test": UNPACED_PER_SECOND,
                                                                          "endpoint": UNPACED_PER_SECOND}}
                (root / "Pulumi.bench.yaml").write_text(yaml.safe_dump({"config": pacing}))
                before = fake.control.counters()
                started = time.perf_counter()
                result = pull("bench", project_dir=root, env={"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": fake.url},
                              err=io.StringIO())
                seconds = time.perf_counter() - started
                routes = diff_counters(before, fake.control.counters())
                record["runs"][name] = {
                    "seconds": round(seconds, 2), "requests": routes, "requests_total": sum(routes.values()),
                    "as_promised": routes == expected(n), "stripe_floor_seconds": round(rate_floor(routes), 1),
                    "accounts_written": result.accounts, "file_lines": result.path.read_text().count("\n"),
                }
                print(f"[bench] pull, {n} accounts, {name}: {seconds:.1f} s, {sum(routes.values())} requests "
                      f"({routes.get('GET /v1/accounts', 0)} account pages), Stripe's floor "
                      f"{rate_floor(routes):.1f} s", file=sys.stderr, flush=True)
    measure.save_record(record, out, "pull")
    return record
