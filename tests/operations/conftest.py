"""Operations fixtures: a second, empty database on the same backend (to restore into), and a
pool with some books in it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import create_engine, text

from funds.books import app_signer
from funds.pools import accounts
from ledger import audit, store
from ledger.entry import Entry, Posting

_numbers = itertools.count()


@pytest.fixture
def empty_database_url(database_url, request, tmp_path):
    """A database with nothing in it, on the backend of ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'ayni.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"restored_{next(_numbers)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE template0"))
    yield cluster.url(name)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def books(app, run, make_committee):
    """A pool that received gifts, reserved money for a request, and a signed checkpoint."""
    _, pool_id = make_committee("Warsaw peer committee", "warsaw")
    config = app.extensions["ayni.config"]

    def book(session):
        for number in range(5):
            store.post(
                session,
                Entry(
                    f"gift:operations:{number}",
                    "transfer",
                    (
                        Posting(accounts.donations("offline", "EUR"), "EUR", -2_000),
                        Posting(accounts.available(pool_id), "EUR", 2_000),
                    ),
                    {"what": "gift"},
                ),
            )
        store.reserve(
            session,
            "reserve:operations:1",
            (
                Posting(accounts.available(pool_id), "EUR", -1_500),
                Posting(accounts.paid(pool_id, "food"), "EUR", 1_500),
            ),
            {"what": "reservation"},
        )
        audit.checkpoint(session, app_signer(app), config.ledger_origin)

    run(book)
    return pool_id
