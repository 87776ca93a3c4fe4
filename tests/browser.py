"""Headless Chromium for the tests that take pictures: found, or the reason it is not.

In CI (CI=true) a missing browser fails the test with the reason and the fix: .ci/run installs Debian's
chromium (scripts/chromium.sh --install), so a missing one is a broken machine, never a silent skip.
Elsewhere such a test skips, saying how to install it.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from portal_infra.branding_preview import ChromiumError, find_chromium


def require_chromium() -> str:
    try:
        return find_chromium()
    except ChromiumError as err:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs headless Chromium for the branding pictures: {err}", pytrace=False)
        pytest.skip(str(err))


def colour(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _pixels(png: Path, box: tuple[int, int, int, int] | None = None) -> list[bytes]:
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        data = (rgb.crop(box) if box else rgb).tobytes()
    return [data[i:i + 3] for i in range(0, len(data), 3)]


def share_of(png: Path, box: tuple[int, int, int, int], rgb: tuple[int, int, int]) -> float:
    """The share of the pixels in `box` (left, top, right, bottom) that are exactly `rgb`."""
    pixels = _pixels(png, box)
    return pixels.count(bytes(rgb)) / len(pixels)


def count_of(png: Path, rgb: tuple[int, int, int]) -> int:
    return _pixels(png).count(bytes(rgb))


def width_of(png: Path) -> int:
    with Image.open(png) as image:
        return int(image.size[0])


class Links(HTMLParser):
    """Every href and src in a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "src" and value:
                self.srcs.append(value)
