"""Money moves with the decision: an approval reserves the amount or joins the waitlist.

A reservation is a two-phase hold in the ledger, from ``pool:<id>:available`` (which may not go
below zero) to ``pool:<id>:paid:<category>``, keyed ``reserve:request:<id>`` so that however
often it is asked for, it is booked once. The waitlist is strictly first come, first served:
it is funded oldest approval first and stops at the first request that does not fit, and a new
approval joins the end of the queue while anyone is waiting, even if its own smaller amount
would fit. Skipping ahead would pay small requests first forever while a large one (often rent
or medical care) waits; people on the list were told they "will be paid in turn".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from funds.clock import now as current_time
from funds.pools import accounts
from funds.pools.models import Pool
from funds.requests import states
from funds.requests.models import Request
from ledger import store
from ledger.entry import Posting
from ledger.errors import InsufficientFunds

from .audit_trail import note
from .models import Grant

#: anyone waiting for money from a pool (one row is enough to know)
_WAITING = (
    select(Request.id).where(Request.pool_id == bindparam("pool_id"), Request.state == states.WAITLISTED).limit(1)
)


def reservation_key(request: Request) -> str:
    return f"reserve:request:{request.ledger_ref}"


def place(session: Session, request: Request, grant: Grant, moment: datetime) -> str:
    """Reserve a just-approved request's money, or put it on the waitlist; returns the new state.

    The caller holds the books' lock (every decision takes it first).
    """
    if _has_waitlist(session, request.pool_id):
        states.move(request, "waitlist", now=moment)
        session.flush()
        fund_waitlist(session, request.pool, now=moment)
        return request.state
    if not _reserve(session, request, grant, moment):
        states.move(request, "waitlist", now=moment)
        session.flush()
    return request.state


def fund_waitlist(session: Session, pool: Pool, *, now: datetime | None = None) -> list[int]:
    """Reserve money for waitlisted requests in order, oldest approval first, stopping at the
    first that the pool cannot cover. Returns the ids funded.

    Donor code calls this after booking a gift (in the same transaction); the ``fund-waitlists``
    job calls it for every pool in case a gift arrived some other way.
    """
    moment = now or current_time()
    store.lock_head(session)
    waiting = session.execute(
        select(Request, Grant)
        .join(Grant, Grant.request_id == Request.id)
        .where(Request.pool_id == pool.id, Request.state == states.WAITLISTED)
        .order_by(Grant.approved_at, Grant.request_id)
        .with_for_update(of=Request)
        .execution_options(populate_existing=True)
    ).all()
    funded = []
    for request, grant in waiting:
        if not _reserve(session, request, grant, moment):
            break
        funded.append(request.id)
    return funded


def fund_waitlist_after_gift(session: Session, pool_id: int) -> list[int]:
    """:func:`fund_waitlist`, in the transaction that booked a gift to the pool.

    Gifts arrive far more often than anyone waits, so when nobody does this is one indexed read,
    made on the connection: the ORM's way (autoflush, compile) cost the webhook four times as much,
    and booking a gift changes no request that a flush would have to write first.
    """
    if session.connection().execute(_WAITING, {"pool_id": pool_id}).first() is None:
        return []
    return fund_waitlist(session, session.get(Pool, pool_id))


def release(session: Session, request: Request, grant: Grant, moment: datetime, member_commitment: str) -> None:
    """Void a cancelled request's reservation (if it had one) and let the waitlist move up."""
    if grant.reservation_seq is not None:
        store.void(
            session,
            f"cancel:request:{request.ledger_ref}",
            grant.reservation_seq,
            {
                "what": "reservation cancelled",
                "request": request.ledger_ref,
                "pool": request.pool.slug,
                "member": member_commitment,
            },
        )
    else:
        note(session, f"request:{request.ledger_ref}:cancelled", request, "approval cancelled",
             member=member_commitment)
    grant.cancelled_at = moment
    states.move(request, "cancel", now=moment)
    session.flush()
    fund_waitlist(session, request.pool, now=moment)


def _reserve(session: Session, request: Request, grant: Grant, moment: datetime) -> bool:
    postings = (
        Posting(accounts.available(request.pool_id), request.pool.currency, -request.amount),
        Posting(accounts.paid(request.pool_id, request.category), request.pool.currency, request.amount),
    )
    try:
        booked = store.reserve(
            session,
            reservation_key(request),
            postings,
            {"what": "reservation", "request": request.ledger_ref, "pool": request.pool.slug},
        )
    except InsufficientFunds:
        # The store refuses before writing anything, so the transaction goes on unharmed.
        return False
    grant.reservation_seq = booked.seq
    grant.reserved_at = moment
    states.move(request, "reserve", now=moment)
    session.flush()
    return True


def _has_waitlist(session: Session, pool_id: int) -> bool:
    return session.scalar(_WAITING, {"pool_id": pool_id}) is not None
