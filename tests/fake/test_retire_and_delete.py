"""What the acceptance suite's clean-up needs of the fake, as Stripe's API defines it (stripe/openapi):
DELETE /v1/accounts/{account} (DeleteAccountsAccount), DELETE /v1/customers/{customer}
(DeleteCustomersCustomer), and archiving with POST /v1/products/{id} and POST /v1/prices/{price}
(`active=false`; an archived price no longer answers its lookup key among active prices)."""

from __future__ import annotations

import pytest
import stripe

from tests.fake.conftest import Fake


def test_a_connected_account_is_deleted(fake: Fake) -> None:
    account = fake.client.v1.accounts.create(params={"type": "custom", "country": "US"})
    deleted = fake.client.v1.accounts.delete(account.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (account.id, "account", True)
    assert account.id not in [a.id for a in fake.client.v1.accounts.list().data]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        fake.client.v1.accounts.delete("acct_1NeverMade000000000000")
    assert missing.value.code == "resource_missing"


def test_a_customer_is_deleted(fake: Fake) -> None:
    customer = fake.client.v1.customers.create(params={"email": "gone@example.com"})
    deleted = fake.client.v1.customers.delete(customer.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (customer.id, "customer", True)
    with pytest.raises(stripe.InvalidRequestError):
        fake.client.v1.customers.retrieve(customer.id)


def test_products_and_prices_are_archived(fake: Fake) -> None:
    product = fake.client.v1.products.create(params={"name": "Retired", "metadata": {"run": "1"}})
    price = fake.client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 500,
                                                 "lookup_key": "retired_monthly", "recurring": {"interval": "month"}})
    archived = fake.client.v1.prices.update(price.id, params={"active": False, "metadata": {"run": "2"}})
    assert not archived.active and archived.metadata["run"] == "2"
    active = fake.client.v1.prices.list(params={"lookup_keys": ["retired_monthly"], "active": True})
    assert active.data == []
    retired = fake.client.v1.products.update(product.id, params={"active": False})
    assert not retired.active and retired.metadata["run"] == "1"
    assert not fake.client.v1.products.retrieve(product.id).active
    with pytest.raises(stripe.InvalidRequestError):
        fake.client.v1.prices.update("price_1NeverMade00000000000000", params={"active": False})
