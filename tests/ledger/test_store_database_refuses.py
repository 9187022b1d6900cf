"""The database itself refuses what the ledger never asks for, even behind the ledger's back.

It will not rewrite or erase the append-only books, nor set a protected pool below zero.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger import audit, schema, store
from ledger.checkpoint import generate_signer
from tests.ledger.pool_books import AVAILABLE, PAID, figures, hold, payout, row_counts


@pytest.fixture
def signed_books(pool, give):
    """Books with a gift, a reservation, enough entries for a stored tree node, and a checkpoint."""
    give(1000)
    store.reserve(pool, "reserve:1", hold(100))
    for n in range(1 << schema.LOWEST_STORED_LEVEL):
        store.record(pool, f"approval:{n}", {"request": f"r-{n}"})
    audit.checkpoint(pool, generate_signer("ayni.test"), "ayni.test")
    pool.commit()
    return pool


def test_the_database_refuses_to_rewrite_or_erase_the_books(signed_books):
    session = signed_books
    before = row_counts(session)
    columns = {
        "ledger_entries": "meta",
        "ledger_postings": "amount",
        "ledger_tree_nodes": "hash",
        "ledger_checkpoints": "note",
    }
    assert set(columns) == set(schema.APPEND_ONLY_TABLES)
    for table, column in columns.items():
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0  # a trigger needs a row
        session.rollback()
        for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only") as refused:
                session.execute(text(statement))
            assert table in str(refused.value), statement
            session.rollback()
    assert row_counts(session) == before
    audit.verify(session)


def test_the_database_refuses_to_overdraw_a_protected_pool_even_behind_the_ledgers_back(pool, give):
    give(1000)
    pool.commit()
    for change in ("balance = -1", "held = 1001", "balance = 99, held = 100", "held = -1"):
        with pytest.raises(IntegrityError):
            pool.execute(text(f"UPDATE ledger_accounts SET {change} WHERE code = :code"), {"code": AVAILABLE})
        pool.rollback()
    # The floor is the pool's: an unprotected account may be set below zero (and the audit finds it).
    pool.execute(text("UPDATE ledger_accounts SET balance = -1 WHERE code = :code"), {"code": PAID})
    pool.rollback()
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 1000, 0)


def test_an_overdraw_the_ledger_failed_to_catch_is_refused_by_the_database_and_nothing_is_booked(
    pool, give, monkeypatch
):
    give(1000)
    pool.commit()
    before, money = row_counts(pool), figures(pool)

    def careless_apply(entry, accounts, _reservations):  # the ledger's floor check, forgotten
        for posting in entry.postings:
            accounts[posting.account].balance += posting.amount
            accounts[posting.account].changed = True

    monkeypatch.setattr(store, "apply", careless_apply)
    # Raised as SQLAlchemy's error, as from any other statement: a request rolls back on it.
    with pytest.raises(IntegrityError, match="not_below_zero|CHECK constraint"):
        store.post(pool, payout(1500))
    pool.rollback()
    assert (row_counts(pool), figures(pool)) == (before, money)
    audit.verify(pool)
