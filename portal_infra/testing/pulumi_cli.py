"""The real `pulumi` CLI, run offline: a file backend, a passphrase secrets provider, no update
check, no plugin downloads, and the venv's Python for the program and the dynamic providers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..stripe_api.keys import redact
from .tools import pulumi_dir


def offline_env(state_dir: Path, home: Path, *, python: str | None = None,
                passphrase: str = "", extra: Mapping[str, str] | None = None) -> dict[str, str]:
    bin_dir = pulumi_dir()
    env = dict(os.environ)
    env.update({
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "PULUMI_BACKEND_URL": f"file://{state_dir}",
        "PULUMI_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "PULUMI_PYTHON_CMD": python or sys.executable,
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        "NO_COLOR": "1",
    })
    env.pop("PULUMI_ACCESS_TOKEN", None)
    env.update(extra or {})
    return env


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> Run:
        if self.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(self.args)} exited {self.returncode}\n{self.stdout}\n{self.stderr}"
            )
        return self


class PulumiCLI:
    """One project directory, one backend, one stack at a time."""

    def __init__(self, project_dir: Path, env: Mapping[str, str], log_path: Path | None = None) -> None:
        self.project_dir = project_dir
        self.env = dict(env)
        self.log_path = log_path
        self.binary = str(pulumi_dir() / "pulumi")

    def run(self, *args: str, env: Mapping[str, str] | None = None, check: bool = False,
            timeout: float = 600, stdin: str | None = None) -> Run:
        full = [*args, "--non-interactive"]
        proc = subprocess.run(
            [self.binary, *full], cwd=self.project_dir, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, check=False, input=stdin,
        )
        result = Run(list(full), proc.returncode, proc.stdout, proc.stderr)
        if self.log_path is not None:
            # Logged as the run printed it, with anything key-shaped scrubbed as a second guard.
            text = redact(f"$ pulumi {' '.join(full)}\n{proc.stdout}{proc.stderr}\n[exit {proc.returncode}]\n")
            with self.log_path.open("a") as log:
                log.write(text)
        return result.check() if check else result

    def select_stack(self, stack: str) -> None:
        self.run("stack", "select", "--create", stack, check=True)

    def up(self, *extra: str, check: bool = True) -> Run:
        return self.run("up", "--yes", "--skip-preview", *extra, check=check)

    def preview(self, *extra: str, check: bool = False) -> Run:
        return self.run("preview", *extra, check=check)

    def destroy(self, *extra: str, check: bool = True) -> Run:
        return self.run("destroy", "--yes", "--skip-preview", *extra, check=check)

    def refresh(self, *extra: str, check: bool = True) -> Run:
        return self.run("refresh", "--yes", "--skip-preview", *extra, check=check)

    def outputs(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.run("stack", "output", "--json", check=True).stdout)
        return out

    def export(self) -> str:
        return self.run("stack", "export", check=True).stdout

    def set_config(self, pairs: Sequence[tuple[str, str]], *, secret: bool = False) -> None:
        for key, value in pairs:
            if secret:
                # On stdin, so the secret is never on a command line (ps, shell history, logs).
                self.run("config", "set", "--secret", key, check=True, stdin=value)
            else:
                self.run("config", "set", key, value, check=True)
