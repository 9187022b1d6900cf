"""Retention: what a person wrote is deleted after the retention period; the books are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from funds.requests import domain
from funds.requests.models import Message, Request, SealedDetails
from funds.scheduler import run_job
from ledger import audit, store
from ledger.entry import Entry, Posting

from .conftest import codename_in


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_purge_job_deletes_sealed_details_and_messages_of_long_closed_requests_only(app, ask, pools, run):
    for _ in range(3):
        codename_in(ask())

    def close_two(session):
        old, recent, _open = session.scalars(select(Request).order_by(Request.id)).all()
        for aid in (old, recent):
            domain.tell(session, aid, "Your parcel is ready at the usual place")
            domain.withdraw(session, aid)
        old.closed_at = datetime.now(UTC) - timedelta(days=31)
        # money moved in these books must survive the purge untouched
        store.post(
            session,
            Entry(
                key="test:gift",
                kind="transfer",
                postings=(
                    Posting("donations:offline:pln", "PLN", -5_000),
                    Posting(f"pool:{old.pool_id}:available", "PLN", 5_000),
                ),
            ),
        )
        return old.id

    old_id = run(close_two)
    before = run(lambda s: (store.balance(s, "donations:offline:pln").balance, audit.verify(s).size))
    assert run_job(app, "purge-recipient-details") == 1

    def left(session):
        purged = session.get(Request, old_id)
        return (
            _count(session, SealedDetails),
            _count(session, Message),
            purged.sealed_details,
            purged.messages,
            purged.purged_at is not None,
            (purged.amount, purged.category, purged.state),
        )

    details, messages, old_details, old_messages, marked, kept = run(left)
    assert (details, messages) == (2 * len(pools.member_keys), 1)  # the other two requests keep theirs
    assert (old_details, old_messages, marked) == ([], [], True)
    assert kept == (5_000, "food", "withdrawn")
    assert run(lambda s: (store.balance(s, "donations:offline:pln").balance, audit.verify(s).size)) == before
    assert run_job(app, "purge-recipient-details") == 0  # nothing is purged twice
