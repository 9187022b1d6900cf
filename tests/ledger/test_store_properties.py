"""Any sequence of gifts, payouts, holds and retries leaves books that add up.

The state machine of ``books_machine`` runs here on SQLite and on PostgreSQL, each example on a
fresh database: after every step the books must match the plain-Python model of ``books_model``
and pass the checks of ``books_checks``, and a refusal must leave them exactly as they were.
"""

from __future__ import annotations

from sqlalchemy import create_engine

from tests.ledger.books_databases import DatabaseFactory, postgres_databases, run_on_backend, sqlite_databases
from tests.ledger.books_machine import Books


def run_books(new_database: DatabaseFactory, examples: int, steps: int) -> None:
    run_on_backend(Books, new_database, examples, steps)


def test_any_sequence_of_gifts_holds_and_payouts_keeps_the_books_true_on_sqlite(sqlite_template, tmp_path):
    run_books(sqlite_databases(sqlite_template, tmp_path), examples=40, steps=30)


def test_any_sequence_of_gifts_holds_and_payouts_keeps_the_books_true_on_postgresql(postgres_cluster):
    admin = create_engine(postgres_cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        run_books(postgres_databases(admin, postgres_cluster.url), examples=8, steps=25)
    finally:
        admin.dispose()
