"""Wall time and peak memory of a command's whole process tree (pulumi, its language host, the
program, the provider processes), sampled from /proc; and the machine's load alongside."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; fields after the closing parenthesis are fixed.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(root: int) -> list[int]:
    """`root`'s descendants now. Pulumi starts its plugins in their own process groups, so killing
    pulumi's group leaves the language host and provider processes running."""
    tree = _children()
    found, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants right now."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        # A process may end between the listing and the read.
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    return total


def load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load1": round(one, 2), "load5": round(five, 2), "load15": round(fifteen, 2),
            "cpus": float(os.cpu_count() or 1)}


def new_record(**fields: Any) -> dict[str, Any]:
    """A benchmark's result record: when, the machine and its load at the start, then `fields`."""
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"), **fields,
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_at_start": load()}}


def save_record(record: dict[str, Any], out: Path, prefix: str) -> Path:
    """The record, with the load at its end, as `out/<prefix>-<when>.json`."""
    record["machine"]["load_at_end"] = load()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{prefix}-{record['when'].replace(':', '')}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"written to {path}", file=sys.stderr)
    return path


@dataclass
class Measured:
    returncode: int
    seconds: float
    peak_rss_bytes: int
    stdout: str
    stderr: str
    load_before: dict[str, float]
    cpu_seconds: float  # user + system of the whole tree: less sensitive to a busy machine than wall time
    started_at: float  # epoch seconds, to place the fake's request times within the run


def run(args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 3600,
        interval: float = 0.2) -> Measured:
    return run_all([(args, cwd, env)], timeout=timeout, interval=interval)


def run_all(commands: Sequence[tuple[Sequence[str], Path, Mapping[str, str]]], *, timeout: float = 3600,
            interval: float = 0.2) -> Measured:
    """Several commands side by side (stacks deployed in parallel), measured as one: wall time from
    the first start to the last end, the peak of their trees' summed memory, their summed CPU, the
    worst return code, and their outputs joined."""
    before = load()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started_at = time.time()
    start = time.perf_counter()
    procs = [subprocess.Popen(list(args), cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args, cwd, env in commands]
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(tree_rss(p.pid) for p in procs))
            done.wait(interval)

    outputs: list[tuple[str, str]] = [("", "")] * len(procs)

    def wait(i: int) -> None:
        outputs[i] = procs[i].communicate(timeout=timeout)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    waiters = [threading.Thread(target=wait, args=(i,)) for i in range(len(procs))]
    try:
        for w in waiters:
            w.start()
        for w in waiters:
            w.join()
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - start
    # Counts every descendant its parent waited for (pulumi waits for its plugins and programs).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    code = next((p.returncode for p in procs if p.returncode), 0)
    return Measured(code, seconds, peak, "".join(o for o, _ in outputs), "".join(e for _, e in outputs), before,
                    cpu, started_at)
