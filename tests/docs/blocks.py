"""The docs as data: pages, their fenced blocks marked runnable, their relative links.

A block is runnable when the line right before its opening fence is `<!-- runnable: KIND -->`, with
KIND one of:

  sh              bash (-e -o pipefail) in a temporary copy of this repository, in document order per
                  page (later blocks see what earlier ones made), against the fake
  python-program  a Pulumi program (`__main__.py`) in a temporary project; `pulumi up` must succeed
  yaml-program    a whole `Pulumi.yaml` (runtime: yaml) in a temporary project; `pulumi up` must succeed
  stack-config    a stack file (`config:` with portal-infra keys) in that copy: `portal-infra validate` and
                  `pulumi preview` of it must pass

  pytest          a test file, run with pytest (the portal-infra fixtures are installed with the package)

`exit=N` after the kind expects that exit status instead of 0 (`<!-- runnable: sh exit=2 -->`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KINDS = ("sh", "python-program", "yaml-program", "stack-config", "pytest")
MARKER = re.compile(r"^<!--\s*runnable:\s*(?P<kind>[\w-]+)(?P<opts>[^>]*?)\s*-->\s*$")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    kind: str
    text: str
    exit: int = 0

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def pages(root: Path = REPO) -> list[Path]:
    """README.md and every page under docs/ (the generated reference included; its hand-written sources in
    docs/reference/src/ are checked through the pages made from them)."""
    src = root / "docs" / "reference" / "src"
    return [root / "README.md", *sorted(p for p in (root / "docs").rglob("*.md") if src not in p.parents)]


def fenced(text: str) -> list[tuple[int, str, str, str]]:
    """(fence line, info string, body, the line before the fence) of each fenced block."""
    out: list[tuple[int, str, str, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+)(.*)$", lines[i])
        if m:
            fence, info, start = m.group(2), m.group(3).strip(), i
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            before = lines[start - 1] if start > 0 else ""
            out.append((start + 1, info, "\n".join(body) + "\n", before))
        i += 1
    return out


def runnable(page: Path) -> list[Block]:
    out: list[Block] = []
    for line, _, body, before in fenced(page.read_text()):
        m = MARKER.match(before.strip())
        if not m:
            continue
        kind = m.group("kind")
        if kind not in KINDS:
            raise ValueError(f"{page}:{line}: unknown runnable kind {kind!r} (one of {', '.join(KINDS)})")
        opts = dict(o.split("=", 1) for o in m.group("opts").split() if "=" in o)
        out.append(Block(page, line, kind, body, int(opts.get("exit", 0))))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to dashes."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in page.read_text().splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of each relative link outside code blocks and spans."""
    out: list[tuple[int, str]] = []
    in_fence = False
    for n, line in enumerate(page.read_text().splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for m in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            target = m.group(1) or m.group(2)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):
                out.append((n, target))
    return out
