"""`portal-infra preview-branding`: a page and a picture of each account's portal, before and after.

Per account: the look the stack declares now (look.py) and, when the stack has been deployed, the
look it last deployed (deployed.py). A changed account's picture shows both. Pictures are taken by
a small pool of headless Chromium processes (chromium.py) and reused while nothing they show has
changed: each picture is keyed by the hash of its page's HTML and the bytes of its images, recorded
in the output directory's `.render-cache.json`, so a second run with nothing changed renders nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..specs.stack import StackConfig, parse_stack_config
from ..stackfiles import find_project
from ..testing.tools import ToolMissing, pulumi_dir
from .chromium import Shot, render
from .deployed import Deployed, read_deployed
from .look import Account, current_accounts
from .page import IndexEntry, Page, Status, account_page, index_page

CACHE_FILE = ".render-cache.json"
# Bumped when the renderer changes how a page becomes a picture, so old pictures are not reused.
_RENDERER = "portal-infra-preview-1"


@dataclass(frozen=True)
class AccountResult:
    account: Account
    status: Status
    page: Path
    picture: Path
    rendered: bool
    contrast_failures: int


@dataclass
class PreviewResult:
    out: Path
    index: Path
    state_source: str
    accounts: list[AccountResult] = field(default_factory=list)
    browsers: int = 0
    render_seconds: float = 0.0

    @property
    def rendered(self) -> int:
        return sum(a.rendered for a in self.accounts)

    def summary(self) -> str:
        changed = sum(a.status == "changed" for a in self.accounts)
        new = sum(a.status == "new" for a in self.accounts)
        failing = [a for a in self.accounts if a.contrast_failures]
        lines = [f"{len(self.accounts)} account(s): {changed} changed since the last deploy, {new} new, "
                 f"{len(self.accounts) - changed - new} unchanged ({self.state_source})"]
        if self.rendered:
            lines.append(f"rendered {self.rendered} picture(s) with {self.browsers} Chromium process(es) in "
                         f"{self.render_seconds:.1f} s; {len(self.accounts) - self.rendered} unchanged, reused")
        else:
            lines.append(f"rendered nothing: all {len(self.accounts)} picture(s) are unchanged since the last run")
        for a in failing:
            lines.append(f"below WCAG AA contrast: {a.account.title} ({a.contrast_failures} colour(s)), see "
                         f"{a.picture}")
        lines.append(f"index: {self.index}")
        return "\n".join(lines)


def _status(account: Account, deployed: Deployed) -> Status:
    before = deployed.looks.get(account.account)
    if before is None:
        return "new"
    return "unchanged" if before.identity() == account.look.identity() else "changed"


def cache_key(page: Page) -> str:
    digest = hashlib.sha256(_RENDERER.encode())
    digest.update(f"{page.width}x{page.height}\0".encode())
    digest.update(page.html.encode())
    for name in sorted(page.assets):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(page.assets[name]).digest())
    return digest.hexdigest()


def preview_branding(stack_name: str, stack: StackConfig, program_dir: Path, deployed: Deployed, out: Path, *,
                     processes: int | None = None) -> PreviewResult:
    """Write every account's page and picture under `out`, and the index; render only what changed."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "assets").mkdir(exist_ok=True)
    cache_path = out / CACHE_FILE
    try:
        cache: dict[str, str] = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    result = PreviewResult(out, out / "index.html", deployed.source)
    shots: list[Shot] = []
    entries: list[IndexEntry] = []
    fresh: dict[str, str] = {}
    for account in current_accounts(stack, program_dir):
        status = _status(account, deployed)
        page = account_page(account, deployed.looks.get(account.account), status)
        html_path, png_path = out / f"{account.key}.html", out / f"{account.key}.png"
        for name, data in page.assets.items():
            asset = out / "assets" / name
            if not asset.exists():
                asset.write_bytes(data)
        if not html_path.exists() or html_path.read_text() != page.html:
            html_path.write_text(page.html)
        key = cache_key(page)
        fresh[png_path.name] = key
        stale = cache.get(png_path.name) != key or not png_path.exists()
        if stale:
            shots.append(Shot(html_path, png_path, page.width, page.height))
        failing = len(account.look.contrast_failures())
        result.accounts.append(AccountResult(account, status, html_path, png_path, stale, failing))
        entries.append(IndexEntry(account, status, failing))
    started = time.perf_counter()
    result.browsers = render(shots, processes)
    result.render_seconds = time.perf_counter() - started
    result.index.write_text(index_page(stack_name, entries, deployed.source))
    for gone in set(cache) - set(fresh):  # accounts no longer in the stack
        for path in (out / gone, (out / gone).with_suffix(".html")):
            path.unlink(missing_ok=True)
    # Written after the pictures exist, so an interrupted run renders again what it did not finish.
    cache_path.write_text(json.dumps(fresh, indent=0, sort_keys=True) + "\n")
    return result


def preview_stack(stack_name: str, *, project_dir: Path, out: Path | None = None, state_file: Path | None = None,
                  use_state: bool = True, processes: int | None = None) -> PreviewResult:
    """The whole command: the stack file read the way `portal-infra validate` reads it (raises SpecError or
    StackFileError naming the bad value), its deployed state, then the pages and pictures."""
    project = find_project(project_dir)
    stack = parse_stack_config(project.effective(stack_name))
    if not use_state:
        deployed = Deployed({}, "deployed state not read (--no-state): every account is new")
    else:
        try:
            pulumi: Path | None = pulumi_dir() / "pulumi"
        except ToolMissing:
            pulumi = None
        deployed = read_deployed(project.root, project.program_dir, stack_name, state_file=state_file, pulumi=pulumi)
    target = out or project.root / "branding-preview" / stack_name
    return preview_branding(stack_name, stack, project.program_dir, deployed, target, processes=processes)
