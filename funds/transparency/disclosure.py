"""Publishing who decides: a committee's opt-in to name its members in the public ledger.

The decisions area writes each member into the ledger as a commitment, HMAC-SHA256 keyed by the
committee's salt over ``member:<id>`` (funds/decisions/audit_trail.py). A committee that chooses
to publish who decides makes its salt, member ids and names public: the ledger page then shows
names, and anyone can recompute every commitment in the export to check them. Choosing and
withdrawing are both governance notes in the ledger. Withdrawing hides the names here again,
but cannot take back what others copied while they were public; the page says so.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.committees import membership
from funds.committees.commitments import COMMITMENT_LENGTH
from funds.committees.models import Committee, CommitteeSalt, Member

from .models import DecidersDisclosure


def commitment(salt: bytes, member_id: int) -> str:
    """What stands for member ``member_id`` in the ledger (as funds.decisions.audit_trail makes it)."""
    return hmac.new(salt, f"member:{member_id}".encode(), hashlib.sha256).hexdigest()[:COMMITMENT_LENGTH]


def is_published(session: Session, committee_id: int) -> bool:
    return session.get(DecidersDisclosure, committee_id) is not None


def publish(session: Session, actor: Member, moment: datetime) -> bool:
    """The coordinator ``actor`` publishes who decides in their committee; False if it already was."""
    if is_published(session, actor.committee_id):
        return False
    session.add(DecidersDisclosure(committee_id=actor.committee_id, published_at=moment, published_by_id=actor.id))
    session.flush()
    membership.record(session, "deciders-published", actor, by=actor.id)
    return True


def withdraw(session: Session, actor: Member) -> bool:
    """Stop naming the committee's members; False if they were not named."""
    found = session.get(DecidersDisclosure, actor.committee_id)
    if found is None:
        return False
    session.delete(found)
    session.flush()
    membership.record(session, "deciders-unpublished", actor, by=actor.id)
    return True


def published_names(session: Session) -> dict[tuple[int, str], str]:
    """(committee id, commitment or member id) -> display name, for committees that publish (the
    ids name members in committee notes booked before they carried commitments)."""
    names: dict[tuple[int, str], str] = {}
    for committee_id, member_id, name, salt in _published_members(session):
        names[(committee_id, str(member_id))] = name
        if salt is not None:
            names[(committee_id, commitment(salt, member_id))] = name
    return names


def deciders(session: Session) -> list[dict]:
    """What the API publishes per committee that chose to: its salt, members and commitments."""
    committees: dict[int, dict] = {}
    for committee_id, member_id, name, salt in _published_members(session):
        entry = committees.setdefault(committee_id, {
            "committee": committee_id,
            "name": session.get(Committee, committee_id).name,
            "salt": salt.hex() if salt is not None else None,
            "members": [],
        })
        entry["members"].append({
            "member": member_id, "name": name,
            "commitment": commitment(salt, member_id) if salt is not None else None,
        })
    return list(committees.values())


def _published_members(session: Session) -> list[tuple[int, int, str, bytes | None]]:
    rows = session.execute(
        select(Member.committee_id, Member.id, Member.display_name, CommitteeSalt.salt)
        .join(DecidersDisclosure, DecidersDisclosure.committee_id == Member.committee_id)
        .outerjoin(CommitteeSalt, CommitteeSalt.committee_id == Member.committee_id)
        .order_by(Member.committee_id, Member.id)
    )
    return [(c, m, name, bytes(salt) if salt is not None else None) for c, m, name, salt in rows]
