"""Retention: what a person wrote is deleted a set time after their request is closed.

The job deletes the sealed contact, note and payout details and the committee's sealed messages;
the request row keeps only pool, amount, category, method, state and dates, which the books and
the committee's statistics need. The ledger is never touched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import in_transaction
from ..scheduler import job
from .models import Message, Request, SealedDetails

#: how many closed requests one transaction purges, so a backlog never holds a long lock
BATCH = 500


def purge_closed(session: Session, retention_days: int, *, now: datetime | None = None) -> int:
    """Delete the sealed details and messages of requests closed more than ``retention_days``
    ago; returns how many requests were purged in this batch."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    due = list(
        session.scalars(
            select(Request.id)
            .where(Request.closed_at.is_not(None), Request.closed_at <= cutoff, Request.purged_at.is_(None))
            .order_by(Request.id)
            .limit(BATCH)
        )
    )
    if not due:
        return 0
    session.execute(delete(SealedDetails).where(SealedDetails.request_id.in_(due)))
    session.execute(delete(Message).where(Message.request_id.in_(due)))
    session.execute(update(Request).where(Request.id.in_(due)).values(purged_at=now))
    session.flush()
    return len(due)


@job("purge-recipient-details", every=3600, help="delete sealed contact, note, payout and messages after retention")
def purge_job(app: Flask) -> int:
    """Run batches until nothing is due; returns how many requests were purged."""
    days = app.extensions["ayni.config"].retention_days
    factory = app.extensions["ayni.sessionmaker"]
    total = 0
    while True:
        purged = in_transaction(factory, lambda session: purge_closed(session, days))
        total += purged
        if purged < BATCH:
            return total
