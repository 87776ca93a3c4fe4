"""`portal-infra preview-branding`: how each account's customer portal will look, before and after a change.

An approximation of the portal's first screen per account (Stripe does not document its layout), as
HTML and as a PNG taken with headless Chromium, plus an index of every account side by side.
"""

from .chromium import ChromiumError, find_chromium
from .page import CONTRAST_BADGE, LAYOUT
from .preview import PreviewResult, preview_branding, preview_stack

__all__ = ["CONTRAST_BADGE", "LAYOUT", "ChromiumError", "PreviewResult", "find_chromium", "preview_branding",
           "preview_stack"]
