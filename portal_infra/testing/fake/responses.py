"""HTTP in and out for each endpoint: pick the store, call the model, shape the reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .exceptions import StripeError, UnknownParam
from .models import AccountStore, Backend, accounts, accounts_v2, catalog, domains, files, portal

Obj = dict[str, Any]


@dataclass
class Request:
    backend: Backend
    mode: str
    account: str | None
    params: Obj
    args: dict[str, str]
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def store(self) -> AccountStore:
        return self.backend.store(self.mode, self.account)

    @property
    def platform(self) -> AccountStore:
        if self.account:
            raise StripeError(400, "This endpoint is only available to the platform; "
                                   "send it without the Stripe-Account header", param="Stripe-Account")
        return self.backend.store(self.mode, None)


Reply = Obj | bytes


def create_configuration(r: Request) -> Reply:
    return portal.create_configuration(r.store, r.params)


def list_configurations(r: Request) -> Reply:
    return portal.list_configurations(r.store, r.params)


def retrieve_configuration(r: Request) -> Reply:
    return portal.retrieve_configuration(r.store, r.args["id"])


def update_configuration(r: Request) -> Reply:
    return portal.update_configuration(r.store, r.args["id"], r.params)


def create_session(r: Request) -> Reply:
    return portal.create_session(r.store, r.params)


def create_account(r: Request) -> Reply:
    return accounts.create_account(r.backend, r.platform, r.params)


def list_accounts(r: Request) -> Reply:
    return accounts.list_accounts(r.platform, r.params)


def retrieve_account(r: Request) -> Reply:
    return accounts.retrieve_account(r.platform, r.args["id"])


def update_account(r: Request) -> Reply:
    return accounts.update_account(r.backend, r.platform, r.args["id"], r.params)


def delete_account(r: Request) -> Reply:
    return accounts.delete_account(r.platform, r.args["id"])


# Accounts v2 (models/accounts_v2.py): the platform's, JSON in, `v2.core.account` out.

def create_account_v2(r: Request) -> Reply:
    return accounts_v2.create(r.backend, r.platform, r.params)


def list_accounts_v2(r: Request) -> Reply:
    return accounts_v2.list_accounts(r.platform, r.params)


def retrieve_account_v2(r: Request) -> Reply:
    return accounts_v2.retrieve(r.platform, r.args["id"], r.params)


def update_account_v2(r: Request) -> Reply:
    return accounts_v2.update(r.backend, r.platform, r.args["id"], r.params)


def close_account_v2(r: Request) -> Reply:
    return accounts_v2.close(r.platform, r.args["id"], r.params)


def own_account(r: Request) -> Reply:
    return accounts.own_account(r.backend, r.store)


def create_file(r: Request) -> Reply:
    return files.create_file(r.store, r.params, r.uploads)


def list_files(r: Request) -> Reply:
    return files.list_files(r.store, r.params)


def retrieve_file(r: Request) -> Reply:
    return files.retrieve_file(r.store, r.args["id"])


def file_contents(r: Request) -> Reply:
    return files.file_contents(r.store, r.args["id"])


def create_product(r: Request) -> Reply:
    return catalog.create_product(r.store, r.params)


def list_products(r: Request) -> Reply:
    return r.store.products.list(r.params, "/v1/products")


def retrieve_product(r: Request) -> Reply:
    return dict(r.store.products.get(r.args["id"]))


def update_product(r: Request) -> Reply:
    return catalog.update_product(r.store, r.args["id"], r.params)


def create_price(r: Request) -> Reply:
    if "id" in r.params:  # Stripe assigns price IDs; only the control API's seed may choose them
        raise UnknownParam("id")
    return catalog.create_price(r.store, r.params)


def list_prices(r: Request) -> Reply:
    return catalog.list_prices(r.store, r.params)


def update_price(r: Request) -> Reply:
    return catalog.update_price(r.store, r.args["id"], r.params)


def create_customer(r: Request) -> Reply:
    return catalog.create_customer(r.store, r.params)


def retrieve_customer(r: Request) -> Reply:
    return dict(r.store.customers.get(r.args["id"]))


def delete_customer(r: Request) -> Reply:
    return catalog.delete_customer(r.store, r.args["id"])


def create_coupon(r: Request) -> Reply:
    return catalog.create_coupon(r.store, r.params)


def retrieve_coupon(r: Request) -> Reply:
    return dict(r.store.coupons.get(r.args["id"]))


def create_feedback_option(r: Request) -> Reply:
    return catalog.create_feedback_option(r.store, r.params)


def list_feedback_options(r: Request) -> Reply:
    status = r.params.get("status")
    return r.store.feedback_options.list(r.params, "/v1/billing/feedback_options",
                                         lambda o: status is None or o["status"] == status)


def retrieve_feedback_option(r: Request) -> Reply:
    return dict(r.store.feedback_options.get(r.args["id"]))


def update_feedback_option(r: Request) -> Reply:
    return catalog.update_feedback_option(r.store, r.args["id"], r.params)


def deactivate_feedback_option(r: Request) -> Reply:
    return catalog.deactivate_feedback_option(r.store, r.args["id"])


def dashboard_update_account(backend: Backend, data: Any) -> Obj:
    """Control API (`POST /_fake/dashboard/account`): a connected account edits itself in its own Dashboard."""
    return accounts.dashboard_update(backend, str(data.get("mode", "test")), str(data["account"]),
                                     dict(data.get("params") or {}))


def set_custom_domain(backend: Backend, data: Any) -> Obj:
    """Control API (`POST /_fake/custom_domain`): what the Dashboard does, since Stripe has no API for it."""
    return domains.set_custom_domain(backend, data)
