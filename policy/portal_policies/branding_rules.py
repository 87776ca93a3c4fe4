"""Rules on AccountBranding: what a connected account's customers see and how they reach it."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .kinds import ACCOUNT_BRANDING, label

# The portal shows the icon, not the logo (STRIPE.md section 3), so the icon is the one that must be there.
_REQUIRED = ("icon", "support_email")


def _has_icon_and_support_email(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ACCOUNT_BRANDING:
        return
    missing = [f for f in _REQUIRED if not (isinstance(args.props.get(f), str) and args.props[f].strip())]
    if not missing:
        return
    report(f"{label('AccountBranding', args.name, args.props)} has no {' and no '.join(missing)}: set "
           f"{', '.join(f'branding.{f}' for f in missing)} for this account (or in fleet.defaults.branding) in "
           "the stack file", None)


BRANDED_ACCOUNT_HAS_ICON_AND_SUPPORT_EMAIL = ResourceValidationPolicy(
    name="branded-account-has-icon-and-support-email",
    description="Every branded connected account (AccountBranding) has an icon and a support email.",
    validate=_has_icon_and_support_email,
)
