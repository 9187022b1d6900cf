"""The balances the store keeps are true.

After gifts, holds, payouts, releases, refunds and notes, each is the sum of its postings; one
changed behind the ledger's back is found by the audit.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from ledger import audit, schema, store
from ledger.entry import Entry, Posting
from ledger.errors import TamperDetected
from tests.ledger.books_checks import sums_of_postings
from tests.ledger.pool_books import AVAILABLE, PAID, STRIPE, figures, hold, row_counts


def test_kept_balances_equal_the_sums_of_their_postings(pool, give):
    store.open_account(pool, "refunds", "EUR", type="Expenses")
    for n in range(1, 6):
        give(100 * n, f"gift:{n}")
    first = store.reserve(pool, "reserve:1", hold(300))
    second = store.reserve(pool, "reserve:2", hold(200))
    third = store.reserve(pool, "reserve:3", hold(50))
    store.settle(pool, "settle:1", first.seq)
    store.void(pool, "void:2", second.seq)
    store.post(pool, Entry("refund:1", "transfer", (Posting(AVAILABLE, "EUR", -100), Posting("refunds", "EUR", 100))))
    store.record(pool, "approval:1", {"request": "r-1", "by": "peer-3"})
    pool.commit()

    moved, held = sums_of_postings(pool)
    kept = figures(pool)
    for code, (balance, holding) in kept.items():
        assert balance == moved.get(code, 0), code
        assert holding == held.get(code, 0), code
    assert kept[AVAILABLE] == (1500 - 300 - 100, 50)
    assert kept[STRIPE] == (-1500, 0)
    assert kept[PAID] == (300, 0)
    assert sum(balance for balance, _ in kept.values()) == 0
    e = schema.entries.c
    closed = select(e.reservation).where(e.reservation.is_not(None))
    assert third.seq in {r for (r,) in pool.execute(select(e.seq).where(e.seq.not_in(closed), e.kind == "reserve"))}
    report = audit.verify(pool)
    assert report.size == row_counts(pool)["ledger_entries"]
    assert report.accounts_checked == 4


def test_a_balance_changed_behind_the_ledgers_back_is_found_by_the_audit(pool, give):
    give(1000)
    pool.execute(text("UPDATE ledger_accounts SET balance = balance + 5 WHERE code = :code"), {"code": PAID})
    with pytest.raises(TamperDetected, match=PAID):
        audit.verify(pool)
