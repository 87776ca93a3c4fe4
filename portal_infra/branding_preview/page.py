"""The HTML of an account's picture and of the index. Pure: looks in, HTML text and asset bytes out.

The page is drawn at fixed positions (LAYOUT, CSS pixels = PNG pixels at scale 1) so a reader of the
PNG, person or test, knows where the header and the icon sit. It is an approximation of the portal's
first screen and says so on its face: Stripe does not document the portal's layout. What it draws
on each colour is the text colour specs/contrast.py assumes (white on the brand colour, dark on the
accent colour), so a contrast warning and the picture agree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from ..specs.contrast import AA_NORMAL_TEXT, DARK_TEXT, WHITE, shown
from .look import Account, Icon, Look

Status = Literal["new", "changed", "unchanged"]

NEUTRAL_BRAND = "#5a6275"  # drawn, and said to be, where no colour is declared
NEUTRAL_ACCENT = "#ffffff"
# The badge that marks a colour failing WCAG AA: a colour no other part of the page uses.
CONTRAST_BADGE = "#c8102e"
APPROXIMATION = "Approximation: Stripe does not document the portal's layout."
DRAWN_FROM = ("Drawn by portal-infra from what Stripe says the portal uses (icon, business name, headline, brand and "
              "accent colours), with the features that are on and the return link.")


@dataclass(frozen=True)
class Layout:
    note_height: int = 48
    margin: int = 24
    panel_width: int = 480
    panel_top: int = 64
    caption_height: int = 32
    header_height: int = 136
    icon_inset: int = 24  # from the header's left and top edges to the icon tile
    icon_tile: int = 64
    icon_size: int = 48
    height: int = 600

    @property
    def header_top(self) -> int:
        return self.panel_top + self.caption_height

    def panel_left(self, index: int) -> int:
        return self.margin + index * (self.panel_width + self.margin)

    def width(self, panels: int) -> int:
        return self.panel_left(panels)

    def header_box(self, index: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of panel `index`'s header, drawn in the brand colour."""
        left = self.panel_left(index)
        return left, self.header_top, left + self.panel_width, self.header_top + self.header_height

    def icon_box(self, index: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the icon image in panel `index`."""
        pad = (self.icon_tile - self.icon_size) // 2
        left = self.panel_left(index) + self.icon_inset + pad
        top = self.header_top + self.icon_inset + pad
        return left, top, left + self.icon_size, top + self.icon_size


LAYOUT = Layout()


@dataclass(frozen=True)
class Page:
    html: str
    assets: dict[str, bytes]  # file name under assets/ -> bytes
    width: int
    height: int


def asset_name(icon: Icon) -> str | None:
    if icon.data is None or icon.sha256 is None:
        return None
    data = icon.data
    ext = "png" if data.startswith(b"\x89PNG") else "jpg" if data.startswith(b"\xff\xd8") else "gif"
    return f"icon-{icon.sha256[:20]}.{ext}"


_STYLE = f"""
* {{ box-sizing: border-box; margin: 0; padding: 0; }}
body {{ font: 14px/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; background: #eef0f4; color: {DARK_TEXT};
       position: relative; overflow: hidden; }}
.note {{ position: absolute; left: 0; top: 0; right: 0; height: {LAYOUT.note_height}px; padding: 6px 24px;
        background: #fff4cc; color: #4a3b00; font-size: 11px; border-bottom: 1px solid #e0cf8a; }}
.panel {{ position: absolute; top: {LAYOUT.panel_top}px; width: {LAYOUT.panel_width}px; }}
.caption {{ height: {LAYOUT.caption_height}px; font-weight: bold; font-size: 13px; color: #3c4257; }}
.caption small {{ font-weight: normal; color: #697386; }}
header {{ position: relative; height: {LAYOUT.header_height}px; color: {WHITE}; }}
.tile {{ position: absolute; left: {LAYOUT.icon_inset}px; top: {LAYOUT.icon_inset}px; width: {LAYOUT.icon_tile}px;
        height: {LAYOUT.icon_tile}px; background: #ffffff; border-radius: 8px;
        padding: {(LAYOUT.icon_tile - LAYOUT.icon_size) // 2}px; }}
.tile img {{ display: block; width: {LAYOUT.icon_size}px; height: {LAYOUT.icon_size}px; image-rendering: auto; }}
.tile .none {{ font-size: 9px; color: #697386; line-height: 1.1; }}
.name {{ position: absolute; left: {LAYOUT.icon_inset + LAYOUT.icon_tile + 16}px; top: 28px; right: 16px;
        font-size: 20px; font-weight: bold; }}
.headline {{ position: absolute; left: {LAYOUT.icon_inset + LAYOUT.icon_tile + 16}px; top: 60px; right: 16px;
            font-size: 14px; }}
.return {{ position: absolute; left: {LAYOUT.icon_inset}px; bottom: 10px; right: 16px; font-size: 12px;
          color: {WHITE}; }}
main {{ height: 330px; padding: 16px 24px; }}
main h2 {{ font-size: 15px; margin-bottom: 8px; }}
main li {{ margin-left: 18px; }}
.button {{ display: inline-block; margin-top: 14px; padding: 8px 16px; border-radius: 6px; color: {WHITE};
          font-weight: bold; }}
.facts {{ font-size: 11px; color: #3c4257; margin-top: 8px; }}
.badge {{ background: {CONTRAST_BADGE}; color: #ffffff; font-size: 12px; font-weight: bold; padding: 6px 10px;
         margin-top: 6px; border-radius: 4px; }}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _panel(index: int, caption: str, look: Look, assets: dict[str, bytes]) -> str:
    brand = look.primary_color or NEUTRAL_BRAND
    accent = look.secondary_color or NEUTRAL_ACCENT
    name = asset_name(look.icon)
    if name is not None and look.icon.data is not None:
        assets[name] = look.icon.data
        icon = f'<img src="assets/{_e(name)}" alt="icon">'
    else:
        # The tile is small: its first words ("earlier icon", "no icon declared"); the facts say the rest.
        icon = f'<div class="none">{_e((look.icon.note or "no icon").split(":")[0][:40])}</div>'
    features = "".join(f"<li>{_e(f)}</li>" for f in look.features) or "<li>(no feature is on)</li>"
    back = (f'<a class="return" href="{_e(look.return_url)}">&larr; Return to {_e(look.business_name or "the site")}'
            f"</a>" if look.return_url else
            '<span class="return">&larr; Return link: the return_url your app gives each session</span>')
    badges = "".join(
        f'<div class="badge" data-contrast-fail="{_e(f.field)}">Below WCAG AA: {_e(f.text_name)} text on the '
        f"{_e(f.role)} {_e(f.background)} is {shown(f.ratio)} (needs {AA_NORMAL_TEXT}:1)</div>"
        for f in look.contrast_failures())
    icon_fact = look.icon.note or (f"icon {look.icon.declared}" if look.icon.declared else "")
    facts = (f"brand colour (primary_color) {_e(look.primary_color or f'not set, drawn {NEUTRAL_BRAND}')} &middot; "
             f"accent colour (secondary_color) {_e(look.secondary_color or 'not set')}"
             + (f"<br>{_e(icon_fact)}" if icon_fact else ""))
    return (
        f'<section class="panel" style="left: {LAYOUT.panel_left(index)}px">'
        f'<div class="caption">{caption}</div>'
        f'<header style="background: {_e(brand)}"><div class="tile">{icon}</div>'
        f'<div class="name">{_e(look.business_name or "(no business name declared)")}</div>'
        f'<div class="headline">{_e(look.headline or "")}</div>{back}</header>'
        f'<main style="background: {_e(accent)}; color: {DARK_TEXT}"><h2>What customers can do here</h2>'
        f'<ul>{features}</ul><span class="button" style="background: {_e(brand)}">Update subscription</span>'
        f'<div class="facts">{facts}</div>{badges}</main></section>'
    )


def account_page(account: Account, before: Look | None, status: Status) -> Page:
    """The account's first screen; a changed account shows what was deployed beside what the stack says."""
    assets: dict[str, bytes] = {}
    panels: list[str] = []
    if status == "changed" and before is not None:
        panels.append(_panel(0, "Before <small>(last deployed)</small>", before, assets))
        panels.append(_panel(1, "After <small>(this stack, not yet applied)</small>", account.look, assets))
    else:
        caption = {"new": "New <small>(not in the deployed state)</small>",
                   "unchanged": "Unchanged <small>(as last deployed)</small>",
                   "changed": "After"}[status]
        panels.append(_panel(0, caption, account.look, assets))
    width = LAYOUT.width(len(panels))
    body = (f'<div class="note" data-approximation><b>{_e(APPROXIMATION)}</b><br>{_e(account.title)}</div>'
            + "".join(panels))
    document = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(account.title)}</title>'
                f"<style>{_STYLE} body {{ width: {width}px; height: {LAYOUT.height}px; }}</style></head>"
                f"<body>{body}</body></html>")
    return Page(document, assets, width, LAYOUT.height)


@dataclass(frozen=True)
class IndexEntry:
    account: Account
    status: Status
    contrast_failures: int


def index_page(stack: str, entries: list[IndexEntry], state_source: str) -> str:
    """Every account side by side, each picture linking its page."""
    cards = []
    for entry in entries:
        key = _e(entry.account.key)
        flag = (f'<div class="badge">{entry.contrast_failures} colour(s) below WCAG AA</div>'
                if entry.contrast_failures else "")
        cards.append(f'<figure><a href="{key}.html"><img src="{key}.png" alt="{_e(entry.account.title)}"></a>'
                     f"<figcaption><a href=\"{key}.html\">{_e(entry.account.title)}</a> &middot; {entry.status}"
                     f"{flag}</figcaption></figure>")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branding preview: {_e(stack)}'
            f"</title><style>body {{ font: 14px sans-serif; margin: 24px; background: #eef0f4; }} "
            f".grid {{ display: flex; flex-wrap: wrap; gap: 16px; }} figure {{ background: #fff; padding: 8px; }} "
            f"img {{ height: 340px; display: block; }} .badge {{ background: {CONTRAST_BADGE}; color: #fff; "
            f"padding: 2px 6px; display: inline-block; margin-left: 6px; }}</style></head><body>"
            f"<h1>Branding preview: stack {_e(stack)}</h1><p><b>{_e(APPROXIMATION)}</b> {_e(DRAWN_FROM)}</p>"
            f"<p>Before: {_e(state_source)}</p>"
            f'<div class="grid">{"".join(cards)}</div></body></html>')
