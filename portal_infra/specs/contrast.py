"""Text contrast on an account's brand and accent colours, by WCAG 2.2's formula. Pure: colours in,
ratios and findings out; `AccountBranding`'s check and `portal-infra preview-branding` both use it.

W3C's definitions (WCAG 2.2, https://www.w3.org/TR/WCAG22/):
  relative luminance  L = 0.2126 R + 0.7152 G + 0.0722 B, each channel c = C8bit / 255 linearised as
                      c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4   (#dfn-relative-luminance)
  contrast ratio      (L1 + 0.05) / (L2 + 0.05), L1 the lighter colour's luminance (#dfn-contrast-ratio)
  AA, text            at least 4.5:1 for normal text (Success Criterion 1.4.3, Contrast (Minimum))
WCAG 2.0 wrote the threshold as 0.03928; no 8-bit channel value lies between the two, so both give the
same result for #rrggbb colours.

Which text each colour carries is our choice, not Stripe's: Stripe documents that the portal uses the
brand and accent colours, not how it draws text on them. portal-infra assumes what its preview draws:
white text on the brand colour (as on a button filled with it) and dark text (#1a1f36) on the accent
colour (as on a page tinted with it). A failure is a warning, never an error: Stripe accepts any colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
DARK_TEXT = "#1a1f36"


def _linear(channel_8bit: int) -> float:
    c = channel_8bit / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a `#rrggbb` colour: 0 for black, 1 for white."""
    value = colour.strip().lstrip("#")
    if len(value) != 6:
        raise ValueError(f"{colour!r} is not a colour in #rrggbb form")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio of two colours, from 1 (the same) to 21 (black on white); order does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown(ratio: float) -> str:
    """The ratio as people read it, rounded down: 4.499 must not print as a passing 4.50."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


@dataclass(frozen=True)
class TextContrast:
    """Text of colour `text` drawn on the account's `field` colour `background`."""

    field: str  # primary_color or secondary_color
    role: str  # what Stripe's Dashboard calls it: brand colour, accent colour
    background: str
    text: str
    text_name: str
    fix: str

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.text, self.background)

    @property
    def passes_aa(self) -> bool:
        return self.ratio >= AA_NORMAL_TEXT


# (field, Stripe's name for it, the text drawn on it, that text's name, which way to move the colour)
_TEXT_ON = (
    ("primary_color", "brand colour", WHITE, "white", "choose a darker primary_color"),
    ("secondary_color", "accent colour", DARK_TEXT, "dark", "choose a lighter secondary_color"),
)


def text_contrasts(primary_color: str | None, secondary_color: str | None) -> list[TextContrast]:
    """The text-on-colour pairs an account's declared colours make (an undeclared colour makes none)."""
    colours = {"primary_color": primary_color, "secondary_color": secondary_color}
    return [TextContrast(field, role, str(colours[field]).lower(), text, name, fix)
            for field, role, text, name, fix in _TEXT_ON if _is_colour(colours[field])]


def aa_failures(primary_color: str | None, secondary_color: str | None) -> list[TextContrast]:
    return [pair for pair in text_contrasts(primary_color, secondary_color) if not pair.passes_aa]


def describe(who: str, failure: TextContrast, primary_color: str | None, secondary_color: str | None) -> str:
    """One warning naming the account, both of its colours, the failing pair and its ratio, and the fix."""
    return (f"{who} (brand colour {primary_color or 'not set'}, accent colour {secondary_color or 'not set'}): "
            f"{failure.text_name} text ({failure.text}) on the {failure.role} {failure.field} {failure.background} "
            f"has a contrast ratio of {shown(failure.ratio)}, below WCAG 2.2 AA's {AA_NORMAL_TEXT}:1 for normal "
            f"text; Stripe accepts it, but customers may not read it: {failure.fix}")


def _is_colour(value: str | None) -> bool:
    try:
        relative_luminance(value or "")
    except ValueError:
        return False
    return True
