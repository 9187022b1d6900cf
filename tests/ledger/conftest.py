"""Fixtures for the store tests: a pool with its accounts opened, and a way to book gifts into it.

Each test that uses them runs on SQLite and on PostgreSQL (the ``db_session`` fixture is parametrized).
"""

from __future__ import annotations

import pytest

from ledger import store
from tests.ledger.pool_books import AVAILABLE, PAID, STRIPE, gift


@pytest.fixture
def pool(db_session):
    """A pool that may not go below zero, a place gifts come from and one payouts go to."""
    store.open_account(db_session, AVAILABLE, "EUR", floor_zero=True)
    store.open_account(db_session, STRIPE, "EUR", type="Income")
    store.open_account(db_session, PAID, "EUR", type="Expenses")
    return db_session


@pytest.fixture
def give(pool):
    """``give(cents, key)`` books a gift from Stripe into the pool."""

    def give(cents: int, key: str = "gift:1", **meta):
        return store.post(pool, gift(cents, key, **meta))

    return give
