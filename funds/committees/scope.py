"""Committee data, always through the member's own committee.

Views never load a member, invitation or pool by id alone: they call these (and
:mod:`funds.pools.scope` for pools), which answer 404 for another committee's object (404, not
403, so ids do not reveal what other committees hold). New areas follow the same shape: join to
the pool or committee, filter on ``member.committee_id`` and call :func:`one_or_404`.
"""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Invitation, Member, MemberAccount

T = TypeVar("T")


def get_colleague(session: Session, member: Member, member_id: int) -> Member:
    """Another (or the same) member of the member's committee."""
    return one_or_404(
        session, select(Member).where(Member.id == member_id, Member.committee_id == member.committee_id)
    )


def get_invitation_for_member(session: Session, member: Member, invitation_id: int) -> Invitation:
    return one_or_404(
        session,
        select(Invitation).where(Invitation.id == invitation_id, Invitation.committee_id == member.committee_id),
    )


def my_colleagues(session: Session, member: Member) -> list[tuple[Member, MemberAccount | None]]:
    """Everyone on the member's committee with their account (None: cannot sign in)."""
    rows = session.execute(
        select(Member, MemberAccount)
        .outerjoin(MemberAccount, MemberAccount.member_id == Member.id)
        .where(Member.committee_id == member.committee_id)
        .order_by(Member.id)
    )
    return [(m, a) for m, a in rows]


def one_or_404(session: Session, query) -> T:
    """The one row ``query`` finds, or a 404."""
    found = session.scalar(query)
    if found is None:
        abort(404)
    return found
