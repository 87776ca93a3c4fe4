"""What the portal's first screen takes from an account, as the stack declares it now ("after").

Stripe's branding docs name what the portal uses: the icon (not the logo), the brand colour
(`primary_color`), the accent colour (`secondary_color`), the business name and the headline
(STRIPE.md section 3). The features that are on and the return link come from the account's portal
configuration. Accounts are read the way the stack program builds them (program.py): the platform from
`portal` and `platform`, each fleet account from its own blocks laid over the fleet's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..specs import SpecError
from ..specs.branding import BrandingLook
from ..specs.contrast import TextContrast, aa_failures
from ..specs.fleet import merged
from ..specs.images import is_file_id, sha256_of
from ..specs.problems import SpecProblem, problems_from_validation
from ..specs.stack import Portal, StackConfig

PLATFORM = "platform"
# The platform's own icon is a Dashboard setting no stack can declare.
PLATFORM_ICON_NOTE = "the platform's icon is set in the Dashboard"


@dataclass(frozen=True)
class Icon:
    """The icon to draw: its bytes when they can be had, else a sentence saying why not."""

    declared: str | None = None  # the path or File ID the stack (or the state) names
    data: bytes | None = field(default=None, repr=False)
    sha256: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Look:
    business_name: str | None
    headline: str | None
    primary_color: str | None
    secondary_color: str | None
    icon: Icon
    features: tuple[str, ...]
    return_url: str | None

    def contrast_failures(self) -> list[TextContrast]:
        return aa_failures(self.primary_color, self.secondary_color)

    def identity(self) -> tuple[Any, ...]:
        """What makes two looks the same picture: the icon counts by its content, not its path."""
        return (self.business_name, self.headline, self.primary_color, self.secondary_color,
                self.icon.sha256 or self.icon.declared, self.features, self.return_url)


@dataclass(frozen=True)
class Account:
    key: str  # `platform`, or the fleet account's name: its page and picture are named after it
    account: str | None  # acct_…; None for the platform itself
    look: Look

    @property
    def title(self) -> str:
        return "platform (your own account)" if self.account is None else f"{self.key} ({self.account})"


def feature_labels(features: Mapping[str, Any]) -> tuple[str, ...]:
    """The portal features that are on, as a customer would see them offered (Stripe's field names in)."""
    out: list[str] = []

    def on(name: str) -> Mapping[str, Any] | None:
        block = features.get(name)
        return block if isinstance(block, Mapping) and block.get("enabled") is True else None

    if (block := on("customer_update")) is not None:
        fields = ", ".join(str(f).replace("_", " ") for f in block.get("allowed_updates") or [])
        out.append(f"Update billing details ({fields})" if fields else "Update billing details")
    if on("payment_method_update") is not None:
        out.append("Update payment method")
    if on("invoice_history") is not None:
        out.append("Invoice history")
    if (block := on("subscription_update")) is not None:
        allowed = ", ".join(str(f).replace("_", " ") for f in block.get("default_allowed_updates") or [])
        out.append(f"Change plan ({allowed})" if allowed else "Change plan")
    if on("subscription_pause") is not None:
        out.append("Pause subscription")
    if (block := on("subscription_cancel")) is not None:
        mode = str(block.get("mode") or "at_period_end").replace("_", " ")
        out.append(f"Cancel subscription ({mode})")
    return tuple(out)


def icon_from_stack(value: str | None, program_dir: Path) -> Icon:
    if value is None:
        return Icon(note="no icon declared")
    if is_file_id(value):
        # Its bytes are in Stripe; the preview reads local files only, and never calls Stripe.
        return Icon(declared=value, sha256=value, note=f"Stripe File {value} (not fetched)")
    path = Path(value).expanduser()
    path = path if path.is_absolute() else program_dir / path
    try:
        data = path.read_bytes()
    except OSError:
        return Icon(declared=value, note=f"no image at {path}")
    return Icon(declared=value, data=data, sha256=sha256_of(data))


def current_accounts(stack: StackConfig, program_dir: Path) -> list[Account]:
    """Every account the stack shows a portal for, as declared now; raise SpecError naming a bad block."""
    out: list[Account] = []
    if stack.portal is not None or stack.platform is not None:
        platform = stack.platform
        portal = stack.portal
        out.append(Account(PLATFORM, None, Look(
            business_name=platform.business_name if platform else None,
            headline=portal.business_profile.headline if portal and portal.business_profile else None,
            primary_color=platform.primary_color if platform else None,
            secondary_color=platform.secondary_color if platform else None,
            icon=Icon(note=PLATFORM_ICON_NOTE),
            features=feature_labels(portal.features.model_dump(exclude_none=True)) if portal else (),
            return_url=str(portal.default_return_url) if portal and portal.default_return_url else None,
        )))
    fleet = stack.fleet
    problems: list[SpecProblem] = []
    for i, entry in enumerate(fleet.accounts if fleet else []):
        assert fleet is not None
        portal_block = merged(fleet.defaults.portal, entry.portal) or {}
        branding_block = dict(merged(fleet.defaults.branding, entry.branding) or {})
        branding_block.pop("on_delete", None)
        try:
            portal = Portal.model_validate(portal_block)
        except ValidationError as err:
            problems += problems_from_validation(err, Portal, f"fleet.accounts[{i}].portal")
            continue
        try:
            branding = BrandingLook.model_validate(branding_block)
        except ValidationError as err:
            problems += problems_from_validation(err, BrandingLook, f"fleet.accounts[{i}].branding")
            continue
        out.append(Account(entry.name, entry.account, Look(
            business_name=branding.business_name,
            headline=portal.business_profile.headline if portal.business_profile else None,
            primary_color=branding.primary_color,
            secondary_color=branding.secondary_color,
            icon=icon_from_stack(branding.icon, program_dir),
            features=feature_labels(portal.features.model_dump(exclude_none=True)),
            return_url=str(portal.default_return_url) if portal.default_return_url else None,
        )))
    if problems:
        raise SpecError(problems)
    return out
