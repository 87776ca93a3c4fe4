"""Portal sessions for applications: open the customer portal, optionally straight into a cancellation
flow with the stack's retention offer.

Stripe applies a retention coupon per session (`flow_data.subscription_cancel.retention`), never per
configuration (STRIPE.md section 2), so the stack exports `retention: {configuration_id, coupon}` and
the application passes both here:

    outputs = ...  # the stack's outputs (pulumi stack output --json), or your own config
    session = create_portal_session(client, customer="cus_…", configuration=outputs["retention"]["configuration_id"],
                                    cancel_subscription="sub_…", retention_coupon=outputs["retention"]["coupon"])
    redirect(session.url)
"""

from __future__ import annotations

from typing import Any

import stripe


def create_portal_session(
    client: stripe.StripeClient,
    *,
    customer: str,
    configuration: str | None = None,
    return_url: str | None = None,
    cancel_subscription: str | None = None,
    retention_coupon: str | None = None,
    locale: str | None = None,
    stripe_account: str | None = None,
) -> stripe.billing_portal.Session:
    """A billing portal session (`POST /v1/billing_portal/sessions`); its `url` is short-lived, so make
    one per visit.

    `cancel_subscription`: open the cancellation flow for this subscription. `retention_coupon`: offer
    this coupon in that flow before the customer cancels (needs `cancel_subscription`).
    `stripe_account`: act as a connected account.
    """
    if not customer:
        raise ValueError("customer is required: the ID (cus_…) of the customer the portal is for")
    if retention_coupon and not cancel_subscription:
        raise ValueError("a retention coupon is offered in a cancellation flow: pass cancel_subscription=<sub_…> "
                         "with retention_coupon")
    params: dict[str, Any] = {"customer": customer}
    if configuration:
        params["configuration"] = configuration
    if return_url:
        params["return_url"] = return_url
    if locale:
        params["locale"] = locale
    if cancel_subscription:
        cancel: dict[str, Any] = {"subscription": cancel_subscription}
        if retention_coupon:
            cancel["retention"] = {"type": "coupon_offer", "coupon_offer": {"coupon": retention_coupon}}
        params["flow_data"] = {"type": "subscription_cancel", "subscription_cancel": cancel}
    options: dict[str, Any] = {"stripe_account": stripe_account} if stripe_account else {}
    session: stripe.billing_portal.Session = client.v1.billing_portal.sessions.create(
        params=params,  # type: ignore[arg-type]
        options=options,  # type: ignore[arg-type]
    )
    return session
