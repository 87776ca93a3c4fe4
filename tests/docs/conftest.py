"""One fake Stripe and one temporary copy of the repository per page, shared by every runnable block
of the docs (tests/docs/blocks.py says how a block is marked)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from portal_infra.testing import StripeMock, offline_env
from portal_infra.testing.fake import FakeStripe
from portal_infra.testing.tools import _lookup

from .blocks import REPO, Block

# A throw-away test key for the fake; the docs' placeholder `sk_test_...` stands for it.
KEY = "sk_test_DocsExampleKey4242"
PLACEHOLDERS = {"sk_test_...": KEY, "rk_test_...": "rk_test_DocsExampleKey4242"}
# The connected account the reference examples brand.
EXAMPLE_ACCOUNT = "acct_1DocsExample000000000"
TIMEOUT = 300
STAMP = ".portal-infra-stamp"


@dataclass
class Outcome:
    returncode: int
    output: str


@dataclass
class DocsWorld:
    root: Path
    fake_url: str
    copies: dict[Path, Path] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def repo_copy(self, page: Path) -> Path:
        """A copy of the repository's tracked files, one per page, with the venvs and tools linked in."""
        if page not in self.copies:
            dest = self.root / f"repo-{len(self.copies)}"
            tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
            for name in tracked.decode().split("\0"):
                src = REPO / name
                if name and src.is_file() and not src.is_symlink():
                    (dest / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest / name)
            if (REPO / ".tools").is_dir():  # copied: bootstrap in the copy rewrites its own paths.env
                shutil.copytree(REPO / ".tools", dest / ".tools")
            # The venvs by their parts, with a copy of bootstrap's stamp (the copy's requirements are the
            # repository's): bootstrap (make up) finds them up to date and never reinstalls the shared venv from
            # the copy, nor writes through a link into it.
            for venv in (".venv", "policy/venv"):
                if (REPO / venv).is_dir():
                    (dest / venv).mkdir(parents=True)
                    for part in (REPO / venv).iterdir():
                        if part.name != STAMP:
                            (dest / venv / part.name).symlink_to(part)
                    if (REPO / venv / STAMP).is_file():
                        shutil.copy2(REPO / venv / STAMP, dest / venv / STAMP)
            (dest / "stacks" / ".venv").symlink_to("../.venv")
            self.copies[page] = dest
        return self.copies[page]

    def env(self, state: Path, **extra: str) -> dict[str, str]:
        (state / ".state").mkdir(exist_ok=True)
        env = offline_env(state / ".state", state / ".pulumi-home", python=str(REPO / ".venv" / "bin" / "python"),
                          extra={"STRIPE_API_BASE": self.fake_url, "STRIPE_API_KEY": KEY, **extra})
        env.pop("PULUMI_SKIP_CONFIRMATIONS", None)  # as a person's shell: commands say --yes themselves
        return env

    def run(self, block: Block) -> Outcome:
        text = block.text
        for placeholder, value in PLACEHOLDERS.items():
            text = text.replace(placeholder, value)
        if block.kind == "sh":
            return self._sh(self.repo_copy(block.page), text)
        if block.kind == "stack-config":
            # validate checks the stack config model; preview adds what each resource checks (a fleet
            # account's portal and branding, images, lookup keys in the account).
            copy = self.repo_copy(block.page)
            stack = f"docs{next(self.counter)}"
            (copy / "stacks" / f"Pulumi.{stack}.yaml").write_text(text)
            return self._sh(copy, f".venv/bin/portal-infra validate stacks/Pulumi.{stack}.yaml && "
                                  f"scripts/pulumi stack select --create {stack} && scripts/pulumi preview -s {stack}")
        if block.kind == "pytest":
            where = self.root / f"pytest-{next(self.counter)}"
            where.mkdir()
            (where / "test_doc_example.py").write_text(text)
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_doc_example.py"]
            proc = subprocess.run(command, cwd=where, env=self.env(where), capture_output=True, text=True,
                                  timeout=TIMEOUT, check=False)
            return Outcome(proc.returncode, proc.stdout + proc.stderr)
        return self._program(block.kind, text)

    def _sh(self, cwd: Path, script: str) -> Outcome:
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=self.env(cwd),
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
        return Outcome(proc.returncode, proc.stdout + proc.stderr)

    def _program(self, kind: str, text: str) -> Outcome:
        n = next(self.counter)
        project = self.root / f"program-{n}"
        project.mkdir()
        (project / "assets").symlink_to(REPO / "stacks" / "assets")
        env = self.env(project)
        if kind == "python-program":
            (project / "Pulumi.yaml").write_text(yaml.safe_dump({
                "name": "docs-example", "runtime": {"name": "python", "options": {"virtualenv": str(REPO / ".venv")}}}))
            (project / "__main__.py").write_text(text)
        else:
            host = _lookup("PORTAL_INFRA_YAML_HOST_DIR")
            if not host:
                pytest.skip("no Pulumi YAML language host: run scripts/bootstrap.sh yaml")
            (project / "Pulumi.yaml").write_text(text)
            env["PATH"] = os.pathsep.join([host, str(REPO / ".venv" / "bin"), env["PATH"]])
        # Each program its own stack (the ownership marker is project/stack/resource), destroyed at the end
        # so the next example may manage the same connected account.
        script = (f"pulumi stack select --create ex{n} && pulumi up --yes --skip-preview && "
                  "pulumi destroy --yes --skip-preview")
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=project, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
        return Outcome(proc.returncode, proc.stdout + proc.stderr)


def _seed() -> dict[str, object]:
    """What the dev stack and the reference examples name, as a Stripe account would hold it."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from dev import catalog  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    # The dev stack's catalog (one account holds one price per lookup key; staging is another account).
    seed = catalog("dev")
    seed["accounts"] = [*seed["accounts"], {"id": EXAMPLE_ACCOUNT}]
    return seed


@pytest.fixture(scope="session")
def docs_world(tmp_path_factory: pytest.TempPathFactory, stripe_mock: StripeMock) -> Iterator[DocsWorld]:
    fake = FakeStripe(stripe_mock_url=stripe_mock.url).start()
    try:
        fake.seed(_seed())
        yield DocsWorld(tmp_path_factory.mktemp("docs"), fake.url)
    finally:
        fake.stop()
