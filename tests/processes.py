"""Ending a process the way a lost machine or a CI time-out does: it and everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Every process started by `pid`, directly or not."""
    out: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                children = [int(c) for c in (task / "children").read_text().split()]
                out.extend(children)
                todo.extend(children)
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and all its descendants at once.

    Killing pulumi's process group is not enough: pulumi starts its language host and providers
    in process groups of their own, and they outlive a killed CLI.
    """
    tree = [pid, *descendants(pid)]
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)
