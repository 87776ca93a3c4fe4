"""How AccountBranding's reads walk `GET /v1/accounts` list pages in one run (resources/account_pages.py),
against the fake over real HTTP: pages walked only as far as a read needs, each account served once,
and a budget that never lets a stack of few accounts walk a large platform's whole list."""

from __future__ import annotations

from portal_infra.resources.account_pages import PREFETCH, AccountPages
from portal_infra.stripe_api import StripeGateway, resolve
from portal_infra.testing.fake import FakeStripe

KEY = "sk_test_AccountPagesUnit42"


def _id(i: int) -> str:
    return f"acct_1Unit{i:04d}".ljust(24, "0")


def _platform(fake: FakeStripe, accounts: int) -> StripeGateway:
    fake.seed({"accounts": [{"id": _id(i), "business_profile": {"name": f"Shop {i}"}} for i in range(accounts)]})
    return StripeGateway(resolve({}, {"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": fake.url}), subject="unit")


def _lists(fake: FakeStripe) -> int:
    return fake.counters().get("GET /v1/accounts", 0)


def test_pages_are_walked_as_far_as_the_read_needs_and_serve_the_rest(fake: FakeStripe) -> None:
    gateway = _platform(fake, 250)  # listed newest first: account 249 on page 1, account 0 on page 3
    pages = AccountPages()
    newest = pages.take(gateway, _id(249))
    assert newest is not None and newest["business_profile"]["name"] == "Shop 249"
    assert _lists(fake) == 1
    assert pages.take(gateway, _id(0)) is not None and _lists(fake) == 3
    assert all(pages.take(gateway, _id(i)) is not None for i in range(1, 249))
    assert _lists(fake) == 3 and fake.counters().get("GET /v1/accounts/{id}", 0) == 0


def test_an_account_is_served_once_a_second_read_gets_its_own_get(fake: FakeStripe) -> None:
    gateway = _platform(fake, 5)
    pages = AccountPages()
    assert pages.take(gateway, _id(3)) is not None
    assert pages.take(gateway, _id(3)) is None  # the caller reads it afresh
    assert pages.take(gateway, "acct_1NotOnThisPlatform00") is None  # the list ended without it
    assert _lists(fake) == 1


def test_a_few_accounts_of_a_large_platform_walk_at_most_their_budget(fake: FakeStripe) -> None:
    gateway = _platform(fake, 100 * (PREFETCH + 5))
    pages = AccountPages()
    assert pages.take(gateway, _id(0)) is None  # the oldest: beyond one page per read plus PREFETCH
    assert _lists(fake) == 1 + PREFETCH
