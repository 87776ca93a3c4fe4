"""Docs that cannot rot (issue 19): the reference is what the schema generates, every block marked
runnable runs against the fake and passes, every relative link resolves, the README stays short, and
every setting and environment variable the code reads is documented."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest

from portal_infra.plugin.reference import generate
from portal_infra.specs.stack import StackConfig

from .blocks import REPO, Block, anchors, links, pages, runnable
from .conftest import DocsWorld

README_MAX_LINES = 200
BLOCKS = [b for page in pages() for b in runnable(page)]


def test_reference_pages_are_what_the_schema_generates() -> None:
    out = REPO / "docs" / "reference"
    want = generate(REPO)
    stale = [n for n, text in want.items() if not (out / n).is_file() or (out / n).read_text() != text]
    extra = [p.name for p in out.glob("*.md") if p.name not in want]
    assert not stale and not extra, (f"stale: {stale}, no longer generated: {extra}; run `make docs` "
                                     "(python -m portal_infra.plugin.reference)")


def test_every_resource_of_the_schema_has_a_page_with_an_example() -> None:
    want = generate(REPO)
    for name, text in want.items():
        if name in ("README.md", "provider.md"):
            continue
        assert "<!-- runnable: python-program -->" in text, f"docs/reference/{name}: no runnable Python example"


@pytest.mark.e2e
@pytest.mark.parametrize("block", [
    # A page's blocks run in page order against one repository copy (later blocks see what earlier ones
    # made), so under `pytest -n` (make test) each page is one xdist group: one worker, in order.
    pytest.param(b, id=b.where, marks=pytest.mark.xdist_group(f"docs:{b.page.relative_to(REPO)}")) for b in BLOCKS])
def test_runnable_block(block: Block, docs_world: DocsWorld) -> None:
    outcome = docs_world.run(block)
    assert outcome.returncode == block.exit, (
        f"{block.where} ({block.kind}) exited {outcome.returncode}, expected {block.exit}:\n"
        f"{block.text}\n--- output ---\n{outcome.output[-6000:]}")


def test_a_broken_example_fails(docs_world: DocsWorld) -> None:
    """The check has teeth: a runnable stack file declaring the platform's portal, given a headline Stripe
    refuses (61 characters), fails; so would any other broken block (see docs/contributing.md)."""
    (block,) = [b for b in BLOCKS
                if b.kind == "stack-config" and "portal-infra:portal:" in b.text and "headline: " in b.text][:1]
    broken = dataclasses.replace(block, text=block.text.replace("headline: ", "headline: " + "x" * 61, 1))
    assert broken.text != block.text, f"{block.where}: expected a headline to break"
    outcome = docs_world.run(broken)
    assert outcome.returncode != 0 and "60" in outcome.output, outcome.output


def test_every_relative_link_resolves() -> None:
    broken: list[str] = []
    for page in pages():
        for line, target in links(page):
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{page.relative_to(REPO)}:{line}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{page.relative_to(REPO)}:{line}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_performance_table_is_the_bench_report() -> None:
    page = (REPO / "docs" / "performance.md").read_text()
    m = re.search(r"<!-- bench/results/latest.md -->\n(.*?)\n<!-- end bench/results/latest.md -->", page, re.S)
    assert m, "docs/performance.md: the markers around the bench table are missing"
    assert m.group(1).strip() == (REPO / "bench" / "results" / "latest.md").read_text().strip(), (
        "docs/performance.md: the table differs from bench/results/latest.md; run `make docs`")


def test_readme_is_a_front_door() -> None:
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"
    assert "docs/installation-configuration.md" in "\n".join(lines)


def _read_env_names() -> set[str]:
    """Environment variables the package, scripts and Makefile read by name (their own, not Pulumi's)."""
    files = subprocess.run(["git", "ls-files", "portal_infra", "scripts", "Makefile", "docker"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    names: set[str] = set()
    for name in files:
        path = REPO / name
        if path.is_file() and (path.suffix in ("", ".py", ".sh", ".yml", ".go") or path.name == "Makefile"):
            names |= set(re.findall(r"\b(PORTAL_INFRA_[A-Z0-9_]+|STRIPE_API_[A-Z]+|FAKE_STRIPE_PORT|STRIPE_MOCK_[A-Z_]*"
                                    r"PORT|STATE_[A-Z_]+)\b", path.read_text(errors="replace")))
    return names


def test_every_setting_and_environment_variable_is_documented() -> None:
    page = (REPO / "docs" / "installation-configuration.md").read_text()
    settings = [f"portal-infra:{key}" for key in [*StackConfig.model_fields, "base"]]
    missing = [s for s in settings if f"`{s}`" not in page]
    missing += sorted(v for v in _read_env_names() if f"`{v}`" not in page)
    assert not missing, f"docs/installation-configuration.md does not mention: {missing}"
