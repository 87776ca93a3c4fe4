"""Branding images, checked the way Stripe will check them, before anything is uploaded.

Stripe takes icons and logos as Files with purpose `business_icon` / `business_logo`: JPEG, PNG or
GIF, at most 512 KB, at least 128x128 px, and a square icon (STRIPE.md section 3). The type comes
from the bytes (Pillow), never from the file name: an SVG named `logo.png` is refused here, not by
Stripe halfway through an `up`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from .problems import SpecProblem

ImageRole = Literal["icon", "logo"]

MAX_BYTES = 512 * 1024
MIN_SIDE = 128
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}
PURPOSE: dict[ImageRole, str] = {"icon": "business_icon", "logo": "business_logo"}
FILE_ID_PREFIX = "file_"


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    sha256: str
    kind: str
    width: int
    height: int
    size: int


def is_file_id(value: str) -> bool:
    """An image given as an existing Stripe File (`file_…`) rather than a local path."""
    return value.startswith(FILE_ID_PREFIX) and "/" not in value and "." not in value


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inspect_image(field: str, value: str, role: ImageRole, base_dir: Path | None = None) -> ImageInfo | SpecProblem:
    """The image at `value` (relative to `base_dir`), or the problem that Stripe would refuse it for."""
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        return SpecProblem(field, f"no image file at {str(path)!r}",
                           "give the path of a PNG, JPEG or GIF (relative to the Pulumi program's directory), "
                           "or the ID of an uploaded File (file_…)")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        return SpecProblem(field, f"{value!r} is {len(data) // 1024} KB; Stripe accepts at most {MAX_BYTES // 1024} KB",
                           "compress or scale the image below 512 KB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        fmt, width, height = "", 0, 0
    if fmt not in FORMATS:
        shown = f"a {fmt} image" if fmt else "not an image Pillow can read"
        return SpecProblem(field, f"{value!r} is {shown} (judged by its bytes, not its name); "
                                  "Stripe accepts only PNG, JPEG or GIF",
                           "export the image as PNG, JPEG or GIF")
    if width < MIN_SIDE or height < MIN_SIDE:
        return SpecProblem(field, f"{value!r} is {width}x{height} px; Stripe needs at least {MIN_SIDE}x{MIN_SIDE}",
                           f"use an image at least {MIN_SIDE} px on each side")
    if role == "icon" and width != height:
        return SpecProblem(field, f"{value!r} is {width}x{height} px; an icon must be square",
                           "crop or pad the icon to a square")
    return ImageInfo(path=path, sha256=sha256_of(data), kind=FORMATS[fmt], width=width, height=height,
                     size=len(data))
