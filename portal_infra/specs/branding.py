"""What a user declares for a connected account's look: `settings.branding` and the customer-facing
`business_profile` fields (STRIPE.md sections 3 and 4).

Stripe's API writes these only for *connected* accounts (`POST /v1/accounts/{id}`); the platform's
own account is Dashboard-only and is compared, never written (`PlatformSettingsSpec`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from .common import UNKNOWN, URL_MAX, Spec, Url, stripe_id
from .images import ImageInfo, ImageRole, inspect_image, is_file_id
from .problems import SpecError, SpecProblem, problems_from_validation

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# One @, no spaces, a dot in the domain: what Stripe's Dashboard accepts, without chasing RFC 5322.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-]+$")


def _check_color(value: str) -> str:
    if value != UNKNOWN and not _HEX.match(value):
        raise ValueError(f"{value!r} is not a colour in #rrggbb form; write six hex digits, like #0a7d5e "
                         "(quote it in YAML: '#0a7d5e')")
    return value.lower() if value != UNKNOWN else value


def _check_email(value: str) -> str:
    if value != UNKNOWN and not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address; write it like support@example.com")
    return value


def _check_phone(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    if value != UNKNOWN and (not _PHONE_CHARS.match(value) or not 7 <= digits <= 15):
        raise ValueError(f"{value!r} is not a phone number; write 7 to 15 digits, ideally in international "
                         "form like +1 415 555 0100")
    return value


def _check_image_ref(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty; give a local image path or a File ID (file_…), or leave the field out")
    return value


HexColor = Annotated[str, AfterValidator(_check_color)]
Email = Annotated[str, Field(max_length=URL_MAX), AfterValidator(_check_email)]
Phone = Annotated[str, Field(max_length=URL_MAX), AfterValidator(_check_phone)]
ImageRef = Annotated[str, AfterValidator(_check_image_ref)]
BusinessName = Annotated[str, Field(min_length=1, max_length=URL_MAX)]

# Declared field -> Stripe's place for it on the account object.
BRANDING_FIELDS = ("icon", "logo", "primary_color", "secondary_color")
PROFILE_FIELDS = {"business_name": "name", "support_email": "support_email", "support_phone": "support_phone",
                  "support_url": "support_url", "url": "url"}
IMAGE_FIELDS: tuple[ImageRole, ...] = ("icon", "logo")


class BrandingLook(Spec):
    """The fields a connected account's branding is made of (shared by fleets as defaults)."""

    icon: ImageRef | None = None
    logo: ImageRef | None = None
    primary_color: HexColor | None = None
    secondary_color: HexColor | None = None
    business_name: BusinessName | None = None
    support_email: Email | None = None
    support_phone: Phone | None = None
    support_url: Url | None = None
    url: Url | None = None


class AccountBrandingSpec(BrandingLook):
    account: Annotated[str, stripe_id("acct_")]


class PlatformSettingsSpec(Spec):
    """The platform's own Dashboard-only settings, as the stack expects them to be."""

    business_name: BusinessName | None = None
    primary_color: HexColor | None = None
    secondary_color: HexColor | None = None


def parse_account_branding(data: Any, base_dir: Path | None = None) -> tuple[AccountBrandingSpec,
                                                                             dict[str, ImageInfo]]:
    """Validate declared branding, images included; raise SpecError listing every problem."""
    try:
        spec = AccountBrandingSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, AccountBrandingSpec)) from None
    problems: list[SpecProblem] = []
    images: dict[str, ImageInfo] = {}
    declared = [f for f in BRANDING_FIELDS + tuple(PROFILE_FIELDS) if getattr(spec, f) is not None]
    if not declared:
        problems.append(SpecProblem("(top level)", "declares no branding or business profile field",
                                    "declare at least one, e.g. primary_color: '#0a7d5e'"))
    for role in IMAGE_FIELDS:
        value = getattr(spec, role)
        if value is None or value == UNKNOWN or is_file_id(value):
            continue
        found = inspect_image(role, value, role, base_dir)
        if isinstance(found, SpecProblem):
            problems.append(found)
        else:
            images[role] = found
    if problems:
        raise SpecError(problems)
    return spec, images


def parse_platform_settings(data: Any) -> PlatformSettingsSpec:
    try:
        return PlatformSettingsSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, PlatformSettingsSpec)) from None
