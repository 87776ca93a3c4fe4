"""Rules on PortalConfiguration: what a customer may do in the portal, and what it tells them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .kinds import PORTAL_CONFIGURATION, dig, label
from .stack_mode import LIVE_ONLY, applies

# In the stack file: the platform's portal, or a connected account's (fleet defaults or the account).
_WHERE = "in portal-infra:portal (or the fleet account's portal) in the stack file"


def _cancel(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """features.subscription_cancel when customers may cancel in the portal, else None."""
    cancel = dig(props, "features", "subscription_cancel")
    if isinstance(cancel, Mapping) and cancel.get("enabled") is True:
        return cancel
    return None


def _collects_cancellation_reasons(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != PORTAL_CONFIGURATION:
        return
    cancel = _cancel(args.props)
    applies_here, mode = applies(args.get_config())
    if cancel is None or not applies_here or dig(cancel, "cancellation_reason", "enabled") is True:
        return
    report(f"{label('PortalConfiguration', args.name, args.props)} lets customers cancel in {mode} without "
           "asking why: set features.subscription_cancel.cancellation_reason.enabled: true, with its options, "
           f"{_WHERE}", None)


def _prorates_immediate_cancellation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != PORTAL_CONFIGURATION:
        return
    cancel = _cancel(args.props)
    applies_here, mode = applies(args.get_config())
    if cancel is None or not applies_here or cancel.get("mode") != "immediately":
        return
    # Stripe's default proration_behavior is `none` (it fills it in when the field is not sent).
    proration = cancel.get("proration_behavior") or "none"
    if proration != "none":
        return
    report(f"{label('PortalConfiguration', args.name, args.props)} cancels subscriptions immediately with no "
           f"proration in {mode} (proration_behavior: {proration}), so a customer loses the rest of a period "
           "already paid for: set features.subscription_cancel.proration_behavior: create_prorations, or mode: "
           f"at_period_end, {_WHERE}", None)


def _has_headline(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != PORTAL_CONFIGURATION:
        return
    headline = dig(args.props, "business_profile", "headline")
    if isinstance(headline, str) and headline.strip():
        return
    report(f"{label('PortalConfiguration', args.name, args.props)} has no headline, so the portal shows "
           f"customers no line about the business: set business_profile.headline {_WHERE}", None)


def _live_rule(name: str, description: str, validate: ResourceValidation) -> ResourceValidationPolicy:
    """A rule for the stack modes its `modes` setting names: live unless a stack's policy config widens it."""
    return ResourceValidationPolicy(name=name, description=f"{description}, in the stack modes the `modes` setting "
                                    "names (default: live).", validate=validate,
                                    config_schema=PolicyConfigSchema(properties=LIVE_ONLY))


LIVE_COLLECTS_CANCELLATION_REASONS = _live_rule(
    "live-collects-cancellation-reasons",
    "A portal where customers can cancel asks them why (cancellation_reason.enabled)",
    _collects_cancellation_reasons)

NO_IMMEDIATE_CANCEL_WITHOUT_PRORATION = _live_rule(
    "no-immediate-cancel-without-proration",
    "No portal cancels immediately with proration_behavior none (Stripe's default)",
    _prorates_immediate_cancellation)

HEADLINE_PRESENT = ResourceValidationPolicy(
    name="headline-present",
    description="Every portal configuration has a business_profile.headline.",
    validate=_has_headline,
)
