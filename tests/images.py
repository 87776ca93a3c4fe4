"""Images made on the fly for branding tests: real encoders (Pillow), sizes and shapes chosen per test."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image


def png(path: Path, width: int = 128, height: int = 128, colour: tuple[int, int, int] = (10, 125, 94)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), colour).save(path, format="PNG")
    return path


def jpeg(path: Path, width: int = 256, height: int = 128) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (200, 30, 30)).save(path, format="JPEG")
    return path


def svg_named_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" '
                    'height="256" fill="#0a7d5e"/></svg>')
    return path


def big_png(path: Path) -> Path:
    """A valid PNG over Stripe's 512 KB limit: random pixels do not compress."""
    path.parent.mkdir(parents=True, exist_ok=True)
    side = 460
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buf = io.BytesIO()
    noise.save(buf, format="PNG")
    data = buf.getvalue()
    assert len(data) > 512 * 1024, len(data)
    path.write_bytes(data)
    return path
