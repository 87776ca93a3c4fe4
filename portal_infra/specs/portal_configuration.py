"""What a user declares for a billing portal configuration (`billing_portal.configuration`).

Field names are Stripe's own (shared/STRIPE.md section 1.3), so Stripe's docs read straight onto a
stack file. The model is pure: it validates, and `wire.py` maps it to Stripe's parameters and back.
Limits and cross-field rules Stripe enforces server-side (and stripe-mock does not) live here, so
invalid input fails `pulumi preview` instead of reaching Stripe.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, StrictBool, Tag, ValidationError

from .common import UNKNOWN, Metadata, Spec, StripeText, Url, stripe_id
from .problems import SpecError, SpecProblem, problems_from_validation

MAX_PRODUCTS = 10
HEADLINE_MAX = 60
NAME_MAX = 256
LOOKUP_KEY_MAX = 200

CustomerUpdateField = Literal["address", "email", "name", "phone", "shipping", "tax_id"]
CancellationReasonOption = Literal[
    "customer_service", "low_quality", "missing_features", "other",
    "switched_service", "too_complex", "too_expensive", "unused",
]
SubscriptionUpdateField = Literal["price", "promotion_code", "quantity"]
ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]


class BusinessProfile(Spec):
    headline: Annotated[str, Field(max_length=HEADLINE_MAX)] | None = None
    privacy_policy_url: Url | None = None
    terms_of_service_url: Url | None = None


class LoginPage(Spec):
    enabled: StrictBool


class CustomerUpdate(Spec):
    enabled: StrictBool
    allowed_updates: list[CustomerUpdateField] | None = None


class InvoiceHistory(Spec):
    enabled: StrictBool


class PaymentMethodUpdate(Spec):
    enabled: StrictBool
    payment_method_configuration: Annotated[str, stripe_id("pmc_")] | None = None


class CancellationReason(Spec):
    enabled: StrictBool
    options: list[CancellationReasonOption] | None = None
    feedback_options: list[StripeText] | None = None


class SubscriptionCancel(Spec):
    enabled: StrictBool
    mode: Literal["at_period_end", "immediately"] | None = None
    # Stripe's SDK documents only these two for cancellation; `always_invoice` is refused there.
    proration_behavior: Literal["create_prorations", "none"] | None = None
    cancellation_reason: CancellationReason | None = None


class AdjustableQuantity(Spec):
    enabled: StrictBool
    minimum: Annotated[int, Field(ge=0)] | None = None
    maximum: Annotated[int, Field(ge=1)] | None = None


class PriceLookup(Spec):
    """A price named by its lookup key. IDs differ between test and live mode (and between sandboxes),
    lookup keys need not: the provider resolves the key against the stack's own account at preview."""

    lookup_key: Annotated[str, Field(min_length=1, max_length=LOOKUP_KEY_MAX)]


def _price_ref_kind(value: Any) -> str:
    return "by-lookup-key" if isinstance(value, dict | PriceLookup) else "by-id"


# An ID (`price_…`) or `{lookup_key: …}`. The tags keep pydantic from reporting both union branches
# for one bad value; problems.py drops them from error paths.
PriceRef = Annotated[
    Annotated[Annotated[str, stripe_id("price_")], Tag("by-id")] | Annotated[PriceLookup, Tag("by-lookup-key")],
    Discriminator(_price_ref_kind),
]


class ProductUpdate(Spec):
    # Optional when a price is given by lookup key: the product then follows from the price.
    product: Annotated[str, stripe_id("prod_")] | None = None
    prices: Annotated[list[PriceRef], Field(min_length=1)]
    adjustable_quantity: AdjustableQuantity | None = None

    def lookup_keys(self) -> list[str]:
        return [p.lookup_key for p in self.prices if isinstance(p, PriceLookup)]


class ScheduleCondition(Spec):
    type: Literal["decreasing_item_amount", "shortening_interval"]


def _some_conditions(value: list[ScheduleCondition]) -> list[ScheduleCondition]:
    # An empty list goes on the wire as `conditions=""`, which Stripe takes on update but not on create:
    # stripe-python 16.1.0 types it `Literal['']|List[...]` in ConfigurationUpdateParams and `List[...]` in
    # ConfigurationCreateParams (stripe/params/billing_portal/), so Stripe answers parameter_invalid_empty.
    if not value:
        raise ValueError("is an empty list, which Stripe refuses when it creates a configuration; list at least "
                         "one condition (decreasing_item_amount or shortening_interval), or leave "
                         "schedule_at_period_end out")
    return value


class ScheduleAtPeriodEnd(Spec):
    conditions: Annotated[list[ScheduleCondition], AfterValidator(_some_conditions)]


class SubscriptionUpdate(Spec):
    enabled: StrictBool
    default_allowed_updates: list[SubscriptionUpdateField] | None = None
    products: Annotated[list[ProductUpdate], Field(max_length=MAX_PRODUCTS)] | None = None
    proration_behavior: ProrationBehavior | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None
    trial_update_behavior: Literal["continue_trial", "end_trial"] | None = None
    schedule_at_period_end: ScheduleAtPeriodEnd | None = None


class PauseInterval(Spec):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Annotated[int, Field(ge=1)] = 1


class PauseDuration(Spec):
    type: Literal["indefinite", "interval_options"]
    interval_options: list[PauseInterval] | None = None


class SubscriptionPause(Spec):
    """Only in API version 2026-10-28.endive and later (the version stripe 16.1.0 pins)."""

    enabled: StrictBool
    duration: PauseDuration | None = None


class Features(Spec):
    customer_update: CustomerUpdate | None = None
    invoice_history: InvoiceHistory | None = None
    payment_method_update: PaymentMethodUpdate | None = None
    subscription_cancel: SubscriptionCancel | None = None
    subscription_update: SubscriptionUpdate | None = None
    subscription_pause: SubscriptionPause | None = None


class PortalConfigurationSpec(Spec):
    """The Stripe-side fields of a portal configuration. `active` defaults to true, so a
    configuration deactivated out of band shows up as drift."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)] | None = None
    active: StrictBool = True
    default_return_url: Url | None = None
    metadata: Metadata | None = None
    business_profile: BusinessProfile | None = None
    login_page: LoginPage | None = None
    features: Features = Features()


_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def cross_field_problems(spec: PortalConfigurationSpec) -> list[SpecProblem]:
    """Rules that span fields; each names the field to change."""
    out: list[SpecProblem] = []
    f = spec.features
    declared = f.model_dump(exclude_none=True)
    if not declared:
        out.append(SpecProblem(
            "features", "declares no feature group; Stripe requires at least one on create",
            "add one, e.g. features.invoice_history.enabled: true",
        ))
    cancel = f.subscription_cancel
    if cancel is not None:
        if cancel.proration_behavior == "create_prorations" and cancel.mode != "immediately":
            out.append(SpecProblem(
                "features.subscription_cancel.proration_behavior",
                "'create_prorations' only applies when subscriptions cancel immediately",
                "set features.subscription_cancel.mode: immediately, or proration_behavior: none",
            ))
        reason = cancel.cancellation_reason
        if reason is not None and reason.enabled and not reason.options:
            out.append(SpecProblem(
                "features.subscription_cancel.cancellation_reason.options",
                "cancellation reasons are enabled but no options are listed",
                "list at least one option (e.g. too_expensive), or set enabled: false",
            ))
    update = f.subscription_update
    if update is not None:
        seen: set[str] = set()
        for i, product in enumerate(update.products or []):
            where = f"features.subscription_update.products[{i}]"
            if product.product is None and not product.lookup_keys():
                out.append(SpecProblem(f"{where}.product", "is required when every price is given by ID",
                                       "add product: prod_…, or name a price by {lookup_key: …}"))
            if product.product in seen and product.product not in (None, UNKNOWN):
                out.append(SpecProblem(f"{where}.product", f"{product.product} is listed twice",
                                       "list each product once, with all its prices"))
            if product.product is not None:
                seen.add(product.product)
            q = product.adjustable_quantity
            if q is not None and q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
                out.append(SpecProblem(
                    f"{where}.adjustable_quantity.minimum",
                    f"minimum {q.minimum} is above maximum {q.maximum}",
                    "make minimum less than or equal to maximum",
                ))
        if update.enabled and "price" in (update.default_allowed_updates or []) and not update.products:
            out.append(SpecProblem(
                "features.subscription_update.products",
                "customers may switch prices but no products are listed to switch between",
                "list the products and prices they may switch to, or drop 'price' from default_allowed_updates",
            ))
    pause = f.subscription_pause
    if pause is not None and pause.duration is not None:
        d = pause.duration
        if d.type == "interval_options" and not d.interval_options:
            out.append(SpecProblem("features.subscription_pause.duration.interval_options",
                                   "is required when duration.type is interval_options",
                                   "list at least one option, e.g. {interval: month, interval_count: 1}"))
        for i, opt in enumerate(d.interval_options or []):
            if opt.interval_count * _DAYS[opt.interval] > 3 * 366:
                out.append(SpecProblem(
                    f"features.subscription_pause.duration.interval_options[{i}].interval_count",
                    f"{opt.interval_count} {opt.interval}(s) is longer than the 3 years Stripe allows",
                    "use a shorter pause",
                ))
    return out


def parse_portal_configuration(data: Any) -> PortalConfigurationSpec:
    """Validate declared input; raise SpecError listing every problem."""
    try:
        spec = PortalConfigurationSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(problems_from_validation(err, PortalConfigurationSpec)) from None
    problems = cross_field_problems(spec)
    if problems:
        raise SpecError(problems)
    return spec


def price_lookup_keys(spec: PortalConfigurationSpec) -> list[str]:
    """Every lookup key the spec names, in order, once each."""
    update = spec.features.subscription_update
    keys = [k for product in (update.products or [] if update else []) for k in product.lookup_keys()]
    return list(dict.fromkeys(keys))
