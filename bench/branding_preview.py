"""`make bench BENCH_ARGS="--branding-preview 100"`: pictures of N accounts, cold and then warm.

A throw-away project with a fleet of N branded accounts (ten icons between them, colours of their own)
is pictured by `portal-infra preview-branding` twice into the same directory: cold (every picture taken
by the pool of headless Chromium processes) and warm (nothing changed: nothing may be rendered). Figures
go to bench/results/branding-preview-<time>.json; nothing here is asserted on time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from portal_infra.branding_preview import preview_stack

from . import measure


def _project(root: Path, n: int) -> None:
    (root / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "bench-branding", "runtime": "python"}))
    for i in range(10):
        Image.new("RGB", (128, 128), (20 * i, 120, 200 - 15 * i)).save(root / f"icon-{i}.png")
    accounts = [{"name": f"account-{i:04d}", "account": f"acct_1Bench{i:018d}",
                 "portal": {"business_profile": {"headline": f"Your subscription with shop {i}"}},
                 "branding": {"icon": f"icon-{i % 10}.png", "primary_color": f"#{(i * 2654435761) % 0xFFFFFF:06x}",
                              "business_name": f"Shop {i}"}} for i in range(n)]
    fleet = {"defaults": {"portal": {"features": {"invoice_history": {"enabled": True},
                                                  "payment_method_update": {"enabled": True}}},
                          "branding": {"secondary_color": "#f6f9fc"}},
             "accounts": accounts}
    (root / "Pulumi.bench.yaml").write_text(yaml.safe_dump({"config": {"portal-infra:fleet": fleet}}))


def run(n: int, out: Path, processes: int | None = None) -> dict[str, Any]:
    record = measure.new_record(accounts=n, runs={})
    with tempfile.TemporaryDirectory(prefix="portal-infra-bench-preview-") as tmp:
        root = Path(tmp)
        _project(root, n)
        for name in ("cold", "warm"):
            started = time.perf_counter()
            result = preview_stack("bench", project_dir=root, out=root / "out", use_state=False,
                                   processes=processes)
            seconds = time.perf_counter() - started
            record["runs"][name] = {"seconds": round(seconds, 2), "render_seconds": round(result.render_seconds, 2),
                                    "rendered": result.rendered, "browsers": result.browsers,
                                    "pictures": len(result.accounts)}
            print(f"[bench] branding preview, {n} accounts, {name}: {seconds:.1f} s, rendered {result.rendered} "
                  f"with {result.browsers} Chromium process(es)", file=sys.stderr, flush=True)
    measure.save_record(record, out, "branding-preview")
    return record
