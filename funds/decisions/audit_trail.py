"""The decisions' trail in the ledger: governance notes that name nobody.

Each note stands for a member by an HMAC commitment (:mod:`funds.committees.commitments`), so
the public ledger shows that the same person approved twice in a row, never who. Notes are
hashed into the same Merkle tree as the money, so the record of who decided cannot be edited
quietly.

Every write here runs under the books' head lock, taken first (:func:`lock_request`): it is the
one lock every ledger writer takes, so taking it before any row lock keeps the lock order the
same everywhere (no deadlocks on PostgreSQL) and makes reading a request's state then moving it
one atomic step.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.requests.models import Request
from ledger import store


def lock_request(session: Session, request_id: int) -> Request | None:
    """The request, re-read under the books' lock (and its row lock): what we read stays true
    until this transaction ends."""
    store.lock_head(session)
    return session.scalar(
        select(Request).where(Request.id == request_id).with_for_update().execution_options(populate_existing=True)
    )


def note(session: Session, key: str, request: Request, what: str, **details: str | int | bool) -> None:
    """Hash a decision about ``request`` into the ledger under ``key`` (idempotent by key)."""
    meta: dict[str, str | int | bool] = {
        "what": what, "request": request.ledger_ref, "pool": request.pool.slug, **details,
    }
    store.record(session, key, meta)
