"""The decisions' trail in the ledger: governance notes that name nobody.

Each note stands for a member by an HMAC commitment: HMAC-SHA256 keyed by the committee's own
salt over the member id. The public ledger then shows that the same person approved twice in a
row, never who; a committee that decides to publish who decided publishes its salt and member
ids, and anyone can recompute every commitment. Notes are hashed into the same Merkle tree as
the money, so the record of who decided cannot be edited quietly.

Every write here runs under the books' head lock, taken first (:func:`lock_request`): it is the
one lock every ledger writer takes, so taking it before any row lock keeps the lock order the
same everywhere (no deadlocks on PostgreSQL) and makes reading a request's state then moving it
one atomic step.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.pools.models import Member
from funds.requests.models import Request
from ledger import store

from .models import CommitteeSalt

#: hex digits kept of the HMAC: 128 bits, unique for any committee's lifetime
COMMITMENT_LENGTH = 32


def lock_request(session: Session, request_id: int) -> Request | None:
    """The request, re-read under the books' lock (and its row lock): what we read stays true
    until this transaction ends."""
    store.lock_head(session)
    return session.scalar(
        select(Request).where(Request.id == request_id).with_for_update().execution_options(populate_existing=True)
    )


def committee_salt(session: Session, committee_id: int) -> bytes:
    """The committee's salt, made at its first decision (under the head lock, so made once)."""
    found = session.get(CommitteeSalt, committee_id)
    if found is None:
        found = CommitteeSalt(committee_id=committee_id, salt=secrets.token_bytes(32))
        session.add(found)
        session.flush()
    return bytes(found.salt)


def commitment(session: Session, member: Member) -> str:
    """What stands for ``member`` in the public ledger."""
    return commitment_of(session, member.committee_id, member.id)


def commitment_of(session: Session, committee_id: int, member_id: int) -> str:
    """What stands for member ``member_id`` of ``committee_id`` in the public ledger."""
    salt = committee_salt(session, committee_id)
    return hmac.new(salt, f"member:{member_id}".encode(), hashlib.sha256).hexdigest()[:COMMITMENT_LENGTH]


def reveal(session: Session, committee_id: int) -> dict[str, int]:
    """Commitment -> member id for the whole committee: what it publishes to show who decided."""
    members = session.scalars(select(Member).where(Member.committee_id == committee_id))
    return {commitment(session, member): member.id for member in members}


def note(session: Session, key: str, request: Request, what: str, **details: str | int | bool) -> None:
    """Hash a decision about ``request`` into the ledger under ``key`` (idempotent by key)."""
    meta: dict[str, str | int | bool] = {
        "what": what, "request": request.ledger_ref, "pool": request.pool.slug, **details,
    }
    store.record(session, key, meta)
