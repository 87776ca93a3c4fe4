"""Which Stripe the acceptance suite runs against, the key guard, and the bookkeeping of what a run makes.

`PORTAL_INFRA_ACCEPTANCE=fake` (the default, what `make test` runs): the suite starts portal-infra's fake
(validated by stripe-mock) with a throw-away test key. `PORTAL_INFRA_ACCEPTANCE=stripe` (`make
test-stripe`): Stripe itself at https://api.stripe.com (or `STRIPE_API_BASE`), with `STRIPE_API_KEY`,
which must be a test-mode key. The guard below runs before any fixture, so a missing, live or malformed
key stops the run before a single request is sent.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import stripe

from portal_infra.specs.account_wire import wrong_api
from portal_infra.stripe_api.keys import BASE_ENV, KEY_ENV, STRIPE_API_BASE, Connection, StripeSetupError, key_mode

TARGET_ENV = "PORTAL_INFRA_ACCEPTANCE"
TARGETS = ("fake", "stripe")
# Which Accounts API the run's connected accounts are made and managed through: v1, v2, or detect (the
# default against Stripe: v2 where the platform has it, else v1). Against the fake both run.
ACCOUNTS_API_ENV = "PORTAL_INFRA_ACCOUNTS_API"
ACCOUNTS_API_CHOICES = ("detect", "v1", "v2")
V2_INCLUDE = ["configuration.merchant", "defaults"]
# Metadata on everything a run makes, so a person (or a later sweep) can find it in the Dashboard.
# Not `portal_infra_…`: stack metadata may not use that prefix (portal-infra's own markers).
TAG = "portal-infra-acceptance"
# Stripe answers a 400 (not a 429) past 5 account creations a second in test mode (docs.stripe.com/rate-limits,
# "Connect account creation"); one every half second stays far under it.
ACCOUNT_CREATION_INTERVAL = 0.5

NEEDS_KEY = f"""\
make test-stripe runs portal-infra's whole lifecycle against a real Stripe account in TEST mode.
It needs a test-mode key of an account with Connect enabled, either a secret key or a restricted key
with write access to Customer portal, Connect accounts, Files, Products, Prices and Customers:

    export {KEY_ENV}=sk_test_...      # or rk_test_...
    make test-stripe

It creates 3 connected accounts, 4 portal configurations, a product, a price and a customer,
all tagged with metadata {TAG}=<run id>. Afterwards it deletes the accounts and
the customer, deactivates the configurations and archives the product and price.

The accounts are made through the Accounts API the platform takes ({ACCOUNTS_API_ENV}=detect, the
default; or v1 or v2). Accounts v2 is not available to a test-mode key: for a platform on Accounts v2
use a sandbox's key (Dashboard > Sandboxes), where v2 accounts are closed at the end instead."""


class Refused(Exception):
    """The run cannot start: the message says why and what is needed. It never contains the key."""


@dataclass(frozen=True)
class Target:
    name: str  # fake | stripe
    api_key: str = field(repr=False)
    api_base: str

    @property
    def files_base(self) -> str:
        return Connection(self.api_key, self.api_base, "test").files_base

    def client(self, **options: Any) -> stripe.StripeClient:
        # Retries cover what Stripe marks retryable (409, 5xx, lock_timeout via Stripe-Should-Retry).
        return stripe.StripeClient(self.api_key, base_addresses={"api": self.api_base, "files": self.files_base},
                                   max_network_retries=3, **options)


def target_name(env: Mapping[str, str]) -> str:
    name = env.get(TARGET_ENV, "fake").strip() or "fake"
    if name not in TARGETS:
        raise Refused(f"{TARGET_ENV}={name!r}: use fake (the default; portal-infra's own fake) or stripe "
                      "(Stripe test mode, with STRIPE_API_KEY)")
    return name


def stripe_target(env: Mapping[str, str]) -> Target:
    """Stripe in test mode, or a refusal that names what is needed. Decided from the key's prefix alone."""
    api_key = env.get(KEY_ENV, "").strip()
    if not api_key:
        raise Refused(f"{KEY_ENV} is not set.\n\n{NEEDS_KEY}")
    if api_key.startswith(("sk_live_", "rk_live_")):
        raise Refused(f"{KEY_ENV} is a LIVE-mode key: refused, and nothing was sent to Stripe. The acceptance "
                      "suite creates and deletes accounts and objects, so it only ever runs in test mode; "
                      f"use the account's sk_test_… or rk_test_… key.\n\n{NEEDS_KEY}")
    try:
        mode = key_mode(api_key)  # the project's own rule for well-formed keys (no request made)
    except StripeSetupError as err:
        raise Refused(f"{KEY_ENV} is not usable: {err}. Nothing was sent to Stripe.\n\n{NEEDS_KEY}") from None
    if mode != "test":  # key_mode knows only test and live; kept in case it learns more
        raise Refused(f"{KEY_ENV} is not a test-mode key.\n\n{NEEDS_KEY}")
    return Target("stripe", api_key, (env.get(BASE_ENV) or STRIPE_API_BASE).rstrip("/"))


def accounts_api_choice(env: Mapping[str, str]) -> str:
    choice = env.get(ACCOUNTS_API_ENV, "detect").strip() or "detect"
    if choice not in ACCOUNTS_API_CHOICES:
        raise Refused(f"{ACCOUNTS_API_ENV}={choice!r}: use detect (the default), v1 or v2")
    return choice


def v2_refusal(err: stripe.StripeError) -> str | None:
    """What to do when Stripe refused Accounts v2 for this key, recognised by the rule the provider uses
    (specs/account_wire.py `wrong_api`, from STRIPE.md 4.1's observed answers)."""
    message = str(getattr(getattr(err, "error", None), "message", None) or err.user_message or err)
    why = wrong_api("v2", err.code, message)
    if why is None:
        return None
    return (f"Stripe refused Accounts v2: {why}. For this suite, set {ACCOUNTS_API_ENV}=v1, or run it with a "
            f"sandbox's key (Dashboard > Sandboxes) on a platform enrolled in v2. Stripe said: {message}")


def detect_accounts_api(client: stripe.StripeClient) -> str:
    """v2 when this key may list Accounts v2 (one GET, which changes nothing), else v1."""
    try:
        client.v2.core.accounts.list(params={"limit": 1})
    except stripe.StripeError as err:
        if v2_refusal(err) is not None:
            return "v1"
        raise
    return "v2"


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


@dataclass
class Made:
    """What a run made in Stripe, and how to take it back: newest first, each step tried even when an
    earlier one fails; what could not be cleaned is returned, to be reported."""

    client: stripe.StripeClient
    run_id: str
    undo: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)

    @property
    def tag(self) -> dict[str, str]:
        return {TAG: self.run_id}

    def later(self, what: str, action: Callable[[], Any]) -> None:
        self.undo.append((what, action))

    def account(self, params: dict[str, Any]) -> stripe.Account:
        """A connected account in test mode, paced under Stripe's account-creation limit, deleted at the end."""
        time.sleep(ACCOUNT_CREATION_INTERVAL)
        try:
            account = self.client.v1.accounts.create(params={**params, "metadata": self.tag})
        except stripe.InvalidRequestError as err:
            # "Accounts v1 support for new Connect integrations": an error may send a new platform to v2.
            if wrong_api("v1", err.code, str(err)):
                raise Refused(f"Stripe refused to create an account with Accounts v1 on this platform: set "
                              f"{ACCOUNTS_API_ENV}=v2 (or detect) and use a sandbox's key. Stripe said: {err}"
                              ) from None
            raise
        self.later(f"delete account {account.id}", lambda: _expect_deleted(self.client.v1.accounts.delete(account.id)))
        return account

    def account_v2(self, params: dict[str, Any]) -> str:
        """A connected account made with Accounts v2 (`POST /v2/core/accounts`), closed at the end
        (`POST /v2/core/accounts/{id}/close` with every configuration it has, as its params require)."""
        time.sleep(ACCOUNT_CREATION_INTERVAL)
        try:
            account = self.client.v2.core.accounts.create(params={**params, "metadata": self.tag,
                                                                  "include": V2_INCLUDE})  # type: ignore[typeddict-item]
        except stripe.StripeError as err:
            hint = v2_refusal(err)
            if hint:
                raise Refused(hint) from None
            raise
        applied = list(account.applied_configurations or [])
        self.later(f"close account {account.id}",
                   lambda: self.client.v2.core.accounts.close(account.id, params={
                       "applied_configurations": applied}))  # type: ignore[typeddict-item]
        return str(account.id)

    def customer(self, **params: Any) -> stripe.Customer:
        customer = self.client.v1.customers.create(params={**params, "metadata": self.tag})
        self.later(f"delete customer {customer.id}",
                   lambda: _expect_deleted(self.client.v1.customers.delete(customer.id)))
        return customer

    def priced_product(self, lookup_key: str) -> stripe.Price:
        """A product with one monthly price carrying `lookup_key`; archived at the end (Stripe does not
        delete a product that has prices)."""
        product = self.client.v1.products.create(params={"name": f"portal-infra acceptance {self.run_id}",
                                                         "metadata": self.tag})
        self.later(f"archive product {product.id}",
                   lambda: self.client.v1.products.update(product.id, params={"active": False}))
        price = self.client.v1.prices.create(params={
            "product": product.id, "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"},
            "lookup_key": lookup_key, "metadata": self.tag})
        self.later(f"archive price {price.id}",
                   lambda: self.client.v1.prices.update(price.id, params={"active": False}))
        return price

    def sweep_configurations(self) -> None:
        """Deactivate the platform's active configurations tagged with this run, e.g. made by an `up`
        whose state was lost; Stripe cannot delete configurations."""
        self.later("deactivate this run's platform configurations", self._deactivate_tagged)

    def _deactivate_tagged(self) -> None:
        listed = self.client.v1.billing_portal.configurations.list(params={"active": True, "limit": 100})
        for configuration in listed.auto_paging_iter():
            tagged = configuration.metadata.to_dict().get(TAG) if configuration.metadata else None
            if tagged == self.run_id and not configuration.is_default:
                self.client.v1.billing_portal.configurations.update(configuration.id, params={"active": False})

    def clean(self) -> list[str]:
        problems = []
        while self.undo:
            what, action = self.undo.pop()
            try:
                action()
            except Exception as err:  # every step is tried; the failures are reported together
                problems.append(f"{what}: {type(err).__name__}: {err}")
        return problems


def _expect_deleted(reply: Any) -> None:
    if not getattr(reply, "deleted", False):
        raise AssertionError(f"Stripe did not answer deleted: true ({reply})")


def file_of(client: stripe.StripeClient, file_id: str, account: str) -> stripe.File:
    """The File an account's branding names: the platform's first (where portal-infra uploads), else the
    account's own (Files it uploaded in its own Dashboard), as STRIPE.md section 4 says to read them."""
    with contextlib.suppress(stripe.InvalidRequestError, stripe.PermissionError):
        return client.v1.files.retrieve(file_id)
    return client.v1.files.retrieve(file_id, options={"stripe_account": account})
