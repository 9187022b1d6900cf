"""A pool's books as the store tests meet them: its accounts, the entries a committee books, and a
check that a refusal is named, says why, and leaves every row and figure as it was.

The ``pool`` and ``give`` fixtures that open these accounts and book gifts are in ``conftest.py``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger import audit, schema
from ledger.entry import Entry, Posting

AVAILABLE = "pool:1:available"
PAID = "pool:1:paid"
STRIPE = "donations:stripe"


def gift(cents: int, key: str = "gift:1", **meta) -> Entry:
    return Entry(key, "transfer", (Posting(STRIPE, "EUR", -cents), Posting(AVAILABLE, "EUR", cents)), meta)


def payout(cents: int, key: str = "payout:1") -> Entry:
    return Entry(key, "transfer", (Posting(AVAILABLE, "EUR", -cents), Posting(PAID, "EUR", cents)))


def hold(cents: int) -> tuple[Posting, ...]:
    return (Posting(AVAILABLE, "EUR", -cents), Posting(PAID, "EUR", cents))


def row_counts(session) -> dict[str, int]:
    tables = (schema.accounts, schema.entries, schema.postings, schema.tree_nodes, schema.checkpoints)
    counts = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
    counts["tree size"] = session.execute(select(schema.tree_head.c.size)).scalar_one()
    return counts


def figures(session) -> dict[str, tuple[int, int]]:
    a = schema.accounts.c
    return {code: (bal, held) for code, bal, held in session.execute(select(a.code, a.balance, a.held))}


def assert_refused_and_nothing_booked(session, error, words, attempt):
    """``attempt()`` raises ``error`` with each of ``words`` in its message, and no row or figure changes.

    A refusal writes nothing, so one database serves every case of a test (a fresh database per
    case would cost a PostgreSQL CREATE DATABASE each).
    """
    before, money = row_counts(session), figures(session)
    with pytest.raises(error) as refused:
        attempt()
    message = str(refused.value)
    for word in words:
        assert word in message
    assert row_counts(session) == before
    assert figures(session) == money
    audit.verify(session)
    return refused.value
