#!/usr/bin/env python3
"""Run one CI step and write what it did into the GitHub Actions job summary.

    scripts/ci/job_summary.py preview --stack staging   # pulumi preview --diff
    scripts/ci/job_summary.py up --stack prod           # pulumi up --yes --diff
    scripts/ci/job_summary.py drift --stack prod        # portal-infra drift --format markdown

The command's own output still goes to the job log as it runs; the summary ($GITHUB_STEP_SUMMARY, or
--summary FILE) gets a heading with the outcome, Pulumi's resource counts and the diff in a fenced
block (or drift's own Markdown). The step exits with the command's status, so a failed preview or
a drifted stack fails the job. Standard library only: it runs before and apart from the project's venv.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

# GitHub refuses a step summary over 1 MiB; the rest stays in the job log.
SUMMARY_LIMIT = 1000 * 1024
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_COUNTS = re.compile(r"^\s+(?:[+~-]|\+-|-\+)?\s*\d+ (?:to |un|created|updated|deleted|replaced|changed)")


def run(command: Sequence[str]) -> tuple[int, str]:
    """The command's exit status and output (stdout and stderr interleaved), echoed to the log as it comes."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return proc.wait(), _ANSI.sub("", "".join(lines))


def fenced(text: str) -> str:
    """`text` in a code fence longer than any run of backticks inside it, so it cannot close early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}diff\n{text.rstrip()}\n{fence}\n"


def resource_counts(output: str) -> str:
    """Pulumi's closing `Resources:` block, one line, e.g. `1 to update, 4 unchanged` (`up` prints its
    preview's block first, then what it did)."""
    lines = output.splitlines()
    for i in reversed(range(len(lines))):
        if lines[i].strip() == "Resources:":
            counts = [x.strip() for x in lines[i + 1:] if _COUNTS.match(x)]
            return ", ".join(counts)
    return ""


def pulumi_summary(operation: str, stack: str, status: int, output: str) -> str:
    outcome = "succeeded" if status == 0 else f"failed (exit {status})"
    counts = resource_counts(output)
    head = f"### pulumi {operation}: stack `{stack}` {outcome}\n\n"
    if counts:
        head += f"Resources: {counts}\n\n"
    body = output
    budget = SUMMARY_LIMIT - len(head) - 400
    if len(body.encode()) > budget:
        body = body.encode()[:budget].decode(errors="ignore")
        body += "\n… cut here: the whole output is in this job's log"
    return head + f"<details{' open' if status else ''}><summary>Output</summary>\n\n{fenced(body)}\n</details>\n"


def drift_summary(stack: str, status: int, output: str) -> str:
    # `portal-infra drift` exits 0 with no drift, 2 when drifted, anything else when it could not tell.
    note = {0: "no drift", 2: "drifted"}.get(status, f"could not tell (exit {status})")
    head = f"### portal-infra drift: stack `{stack}`: {note}\n\n"
    body = output if len(output.encode()) <= SUMMARY_LIMIT - len(head) else fenced("report too long: see the job log")
    return head + body.rstrip() + "\n"


def write_summary(text: str, path: str | None) -> None:
    if not path:
        print("job_summary: no GITHUB_STEP_SUMMARY (not in GitHub Actions); summary not written", file=sys.stderr)
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("operation", choices=("preview", "up", "drift"))
    parser.add_argument("--stack", required=True)
    parser.add_argument("--summary", default=os.environ.get("GITHUB_STEP_SUMMARY"),
                        help="file the Markdown is appended to (default: $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    if args.operation == "drift":
        status, output = run([os.environ.get("PORTAL_INFRA", "portal-infra"), "drift", "--stack", args.stack,
                              "--format", "markdown"])
        write_summary(drift_summary(args.stack, status, output), args.summary)
        return status
    pulumi = os.environ.get("PULUMI", "pulumi")
    # A stack is made on its first run against a fresh state bucket; its stack file already holds its settings.
    selected, output = run([pulumi, "stack", "select", "--create", args.stack, "--non-interactive"])
    if selected != 0:
        write_summary(pulumi_summary(args.operation, args.stack, selected, output), args.summary)
        return selected
    extra = ["--yes"] if args.operation == "up" else []
    status, output = run([pulumi, args.operation, "--stack", args.stack, "--diff", "--non-interactive", *extra])
    write_summary(pulumi_summary(args.operation, args.stack, status, output), args.summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
