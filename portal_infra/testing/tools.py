"""Where the tool binaries are: set by scripts/bootstrap.sh in .tools/paths.env, or by env vars,
or found on PATH (for users who installed pulumi and stripe-mock the usual way)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PULUMI_DIR_ENV = "PORTAL_INFRA_PULUMI_DIR"
STRIPE_MOCK_ENV = "PORTAL_INFRA_STRIPE_MOCK"
# The OpenAPI spec the pinned stripe-mock embeds (its Go module's embedded/openapi/spec3.json): the fake
# reads Stripe's max lengths from it (testing/fake/params.py).
STRIPE_SPEC_ENV = "PORTAL_INFRA_STRIPE_SPEC"
VERSITYGW_ENV = "PORTAL_INFRA_VERSITYGW"


class ToolMissing(RuntimeError):
    pass


def project_root(start: Path | None = None) -> Path | None:
    """The nearest directory at or above `start` holding Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    return None


def _paths_env() -> dict[str, str]:
    root = project_root() or project_root(Path(__file__).parent)
    if root is None or not (root / ".tools" / "paths.env").is_file():
        return {}
    out: dict[str, str] = {}
    for line in (root / ".tools" / "paths.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _lookup(env_name: str) -> str | None:
    return os.environ.get(env_name) or _paths_env().get(env_name)


def pulumi_dir() -> Path:
    found = _lookup(PULUMI_DIR_ENV)
    if found:
        return Path(found)
    on_path = shutil.which("pulumi")
    if on_path:
        return Path(on_path).resolve().parent
    raise ToolMissing("no pulumi CLI: run scripts/bootstrap.sh (or `make up`), or put pulumi on PATH")


def stripe_mock_binary() -> Path:
    found = _lookup(STRIPE_MOCK_ENV) or shutil.which("stripe-mock")
    if found:
        return Path(found)
    raise ToolMissing("no stripe-mock: run scripts/bootstrap.sh, or `go install github.com/stripe/stripe-mock@latest`")


def versitygw_binary() -> Path:
    found = _lookup(VERSITYGW_ENV) or shutil.which("versitygw")
    if found:
        return Path(found)
    raise ToolMissing("no versitygw (the S3-compatible server of the shared-state tests): run "
                      "`scripts/bootstrap.sh versitygw`")


def stripe_spec() -> Path | None:
    """The OpenAPI spec file, or None when bootstrap found none (the fake then checks no max lengths)."""
    found = _lookup(STRIPE_SPEC_ENV)
    return Path(found) if found else None


def end_process(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a server this module started: SIGTERM, then SIGKILL if it has not gone within 10 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
