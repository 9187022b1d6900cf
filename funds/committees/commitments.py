"""What stands for a member in the public ledger: HMAC-SHA256 keyed by the committee's own salt
over ``member:<id>``.

The public ledger then shows that the same person approved twice in a row, never who; a
committee that decides to publish who decided publishes its salt and member ids, and anyone can
recompute every commitment. Governance notes (joins, roles, votes, payouts) all name members
this way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CommitteeSalt, Member

#: hex digits kept of the HMAC: 128 bits, unique for any committee's lifetime
COMMITMENT_LENGTH = 32


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
