"""A protected pool never pays out more than it has available.

The refusal says what is available and books nothing, an unprotected account (Stripe's side) may
go below zero, and a session that was refused keeps working without a rollback.
"""

from __future__ import annotations

import pytest

from ledger import audit, store
from ledger.errors import InsufficientFunds
from tests.ledger.pool_books import AVAILABLE, STRIPE, assert_refused_and_nothing_booked, gift, payout, row_counts


def test_a_payout_larger_than_the_pool_is_refused_and_says_what_is_available(pool, give):
    give(1000)
    error = assert_refused_and_nothing_booked(
        pool,
        InsufficientFunds,
        [AVAILABLE, "has 1000 available", "less than the 1500 asked", "nothing was booked"],
        lambda: store.post(pool, payout(1500)),
    )
    assert isinstance(error, InsufficientFunds)
    assert store.balance(pool, AVAILABLE).available == 1000


def test_an_account_that_may_go_below_zero_does(pool):
    # Stripe's side is not protected: gifts come out of it.
    store.post(pool, gift(700))
    assert store.balance(pool, STRIPE).balance == -700


def test_a_refused_post_needs_no_rollback_to_keep_working(pool, give):
    give(1000)
    with pytest.raises(InsufficientFunds):
        store.post(pool, payout(1001))
    store.post(pool, payout(1000))
    pool.commit()
    assert store.balance(pool, AVAILABLE).available == 0
    assert row_counts(pool)["ledger_entries"] == 5
    audit.verify(pool)
