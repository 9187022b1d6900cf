"""A retried key books once, and a key reused for other content is refused.

A donor's duplicate webhook, or a retried settlement or release, returns the first entry; other
content under a booked key books nothing.
"""

from __future__ import annotations

from ledger import audit, store
from ledger.errors import IdempotencyConflict
from tests.ledger.pool_books import AVAILABLE, assert_refused_and_nothing_booked, hold, row_counts


def test_a_donors_duplicate_webhook_books_one_gift(pool, give):
    first = give(1000, "stripe:pi_1", source="stripe")
    give(250, "stripe:pi_2")
    again = give(1000, "stripe:pi_1", source="stripe")
    assert again == first
    assert again.seq == first.seq
    assert store.balance(pool, AVAILABLE).balance == 1250
    assert row_counts(pool)["ledger_entries"] == 3 + 2
    audit.verify(pool)


def test_a_key_reused_for_another_amount_is_refused_and_books_nothing(pool, give):
    give(1000, "stripe:pi_1")
    assert_refused_and_nothing_booked(
        pool,
        IdempotencyConflict,
        ["'stripe:pi_1'", "already used", "different content", "nothing was booked"],
        lambda: give(999, "stripe:pi_1"),
    )


def test_a_key_reused_with_details_of_another_type_is_a_conflict(pool, give):
    # True == 1 in Python, but the hashed bytes differ: it is other content.
    for n, (first, second) in enumerate([(True, 1), (1, True), ("yes", True), (0, False)]):
        key = f"stripe:pi_{n}"
        give(1000, key, monthly=first)
        assert_refused_and_nothing_booked(
            pool, IdempotencyConflict, ["already used"], lambda k=key, s=second: give(1000, k, monthly=s)
        )


def test_a_retried_settlement_or_release_returns_the_first(pool, give):
    give(1000)
    kept = store.reserve(pool, "reserve:1", hold(300))
    dropped = store.reserve(pool, "reserve:2", hold(200))
    settled = store.settle(pool, "settle:1", kept.seq)
    released = store.void(pool, "void:2", dropped.seq)
    assert store.settle(pool, "settle:1", kept.seq).seq == settled.seq
    assert store.void(pool, "void:2", dropped.seq).seq == released.seq
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 700, 0)
    audit.verify(pool)
