"""A batch books all of its entries or none of them.

Whichever way its third entry fails, nothing is written; and a batch may open an account and use
it in the entries that follow.
"""

from __future__ import annotations

import pytest

from ledger import audit, store
from ledger.entry import Entry, Posting
from ledger.errors import AccountConflict, IdempotencyConflict, InsufficientFunds, UnbalancedEntry, UnknownAccount
from tests.ledger.pool_books import AVAILABLE, PAID, assert_refused_and_nothing_booked, gift, payout


def test_a_batch_whose_third_entry_fails_writes_nothing(pool, give):
    give(1000, "gift:1")
    opening = Entry(
        "open:pool:1:fees",
        "open",
        meta={"account": "pool:1:fees", "currency": "EUR", "type": "Expenses", "floor_zero": False},
    )
    third_entries = [
        (payout(601, "payout:3"), InsufficientFunds),  # only after the second entry's 400
        (Entry("payout:3", "transfer", (Posting(AVAILABLE, "EUR", -1), Posting("nowhere", "EUR", 1))), UnknownAccount),
        (gift(999, "gift:1"), IdempotencyConflict),
        (Entry("payout:3", "transfer", (Posting(AVAILABLE, "EUR", -1), Posting(PAID, "EUR", 2))), UnbalancedEntry),
        (Entry("open:again", "open", meta=dict(opening.meta)), AccountConflict),
    ]
    for third, error in third_entries:
        batch = [opening, payout(400, "payout:2"), third]
        assert_refused_and_nothing_booked(pool, error, [], lambda batch=batch: store.post_many(pool, batch))
        with pytest.raises(UnknownAccount):
            store.balance(pool, "pool:1:fees")
    booked = store.post_many(pool, [opening, payout(400, "payout:2"), payout(600, "payout:3")])
    assert [b.seq for b in booked] == [4, 5, 6]
    assert store.balance(pool, AVAILABLE).available == 0


def test_a_batch_can_open_an_account_and_use_it(pool, give):
    give(1000)
    opened = Entry(
        "open:pool:1:fees",
        "open",
        meta={"account": "pool:1:fees", "currency": "EUR", "type": "Expenses", "floor_zero": False},
    )
    fee = Entry("fee:1", "transfer", (Posting(AVAILABLE, "EUR", -30), Posting("pool:1:fees", "EUR", 30)))
    booked = store.post_many(pool, [opened, fee, payout(970)])
    assert [b.seq for b in booked] == [4, 5, 6]
    assert store.balance(pool, "pool:1:fees").balance == 30
    assert store.balance(pool, AVAILABLE).available == 0
    audit.verify(pool)
