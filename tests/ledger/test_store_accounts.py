"""An account is opened once, with the settings it keeps, and money moves only through open accounts.

A bad code, currency or type is refused; opening again with the same settings changes nothing and
with other settings is refused, directly or through an ``open`` entry; a posting to an account
never opened, or in another currency than the account's, is refused.
"""

from __future__ import annotations

import pytest

from ledger import store
from ledger.entry import Entry, Posting
from ledger.errors import AccountConflict, CurrencyMismatch, InvalidEntry, UnknownAccount
from tests.ledger.pool_books import AVAILABLE, assert_refused_and_nothing_booked, row_counts


def test_an_account_with_a_bad_code_currency_or_type_is_not_opened(pool):
    cases = [
        ("Pool:2", "EUR", "Assets", ["'Pool:2'", "lower-case words"]),
        ("pool:2", "Euro", "Assets", ["'Euro'", "three-letter"]),
        ("pool:2", "EUR", "Savings", ["'Savings'", "Assets"]),
    ]
    for code, currency, kind, words in cases:
        assert_refused_and_nothing_booked(
            pool, InvalidEntry, words, lambda c=code, cur=currency, k=kind: store.open_account(pool, c, cur, type=k)
        )


def test_an_open_entry_posted_directly_is_checked_like_open_account(pool):
    # Booking any of these would leave books that audit.verify refuses: the store must say no first.
    cases = [
        ({"account": "Pool!", "currency": "EUR", "type": "Assets", "floor_zero": True}, "not a valid account code"),
        ({"account": "pool:2", "currency": "eur", "type": "Assets", "floor_zero": True}, "three-letter currency"),
        ({"account": "pool:2", "currency": "EUR", "type": "Savings", "floor_zero": True}, "not one of Assets"),
        ({"account": "pool:2", "currency": "EUR", "type": "Assets", "floor_zero": 1}, "true or false"),
        ({"account": "pool:2", "currency": "EUR", "type": "Assets"}, "true or false"),
        ({"currency": "EUR", "type": "Assets", "floor_zero": False}, "None is not a valid account code"),
    ]
    for meta, words in cases:
        entry = Entry("open:odd", "open", meta=meta)
        assert_refused_and_nothing_booked(pool, InvalidEntry, [words], lambda entry=entry: store.post(pool, entry))


def test_a_payout_to_an_account_never_opened_is_refused(pool, give):
    give(1000)
    stray = Entry("payout:1", "transfer", (Posting(AVAILABLE, "EUR", -100), Posting("pool:9:paid", "EUR", 100)))
    assert_refused_and_nothing_booked(
        pool, UnknownAccount, ["no account 'pool:9:paid'", "open it first"], lambda: store.post(pool, stray)
    )
    with pytest.raises(UnknownAccount, match="no account 'pool:9:paid'"):
        store.balance(pool, "pool:9:paid")


def test_a_gift_in_another_currency_than_the_pool_is_refused(pool):
    store.open_account(pool, "donations:offline", "USD", type="Income")
    dollars = Entry("gift:1", "transfer", (Posting("donations:offline", "USD", -500), Posting(AVAILABLE, "USD", 500)))
    assert_refused_and_nothing_booked(
        pool, CurrencyMismatch, [AVAILABLE, "holds EUR, not USD"], lambda: store.post(pool, dollars)
    )


def test_opening_an_account_twice_with_the_same_settings_changes_nothing(pool):
    before = row_counts(pool)
    assert store.open_account(pool, AVAILABLE, "EUR", floor_zero=True) == store.Balance(AVAILABLE, "EUR", 0, 0)
    assert row_counts(pool) == before


def test_opening_an_account_again_with_other_settings_is_refused(pool):
    for currency, floor_zero in (("USD", True), ("EUR", False)):
        assert_refused_and_nothing_booked(
            pool,
            AccountConflict,
            [AVAILABLE, "already open with other settings"],
            lambda c=currency, f=floor_zero: store.open_account(pool, AVAILABLE, c, floor_zero=f),
        )


def test_an_open_entry_under_another_key_cannot_reopen_an_account(pool):
    again = Entry(
        "reopen", "open", meta={"account": AVAILABLE, "currency": "EUR", "type": "Assets", "floor_zero": True}
    )
    assert_refused_and_nothing_booked(
        pool, AccountConflict, [AVAILABLE, "already open"], lambda: store.post(pool, again)
    )
