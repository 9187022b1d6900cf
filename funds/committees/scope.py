"""Committee data, always through the member's own committee.

Views never load a pool, member or invitation by id alone: they call these, which answer 404
for another committee's object (404, not 403, so ids do not reveal what other committees hold).
New areas follow the same shape: join to the pool or committee and filter on
``member.committee_id``, as :func:`get_pool_for_member` does.
"""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.pools.models import Member, Pool

from .models import Invitation, MemberAccount

T = TypeVar("T")


def my_pools(session: Session, member: Member) -> list[Pool]:
    """The pools the member's committee runs, oldest first."""
    return list(session.scalars(select(Pool).where(Pool.committee_id == member.committee_id).order_by(Pool.id)))


def get_pool_for_member(session: Session, member: Member, pool_id: int) -> Pool:
    return _one_or_404(session, select(Pool).where(Pool.id == pool_id, Pool.committee_id == member.committee_id))


def get_pool_by_slug_for_member(session: Session, member: Member, slug: str) -> Pool:
    """For routes that name a pool by its address (``/committee/pools/<slug>/edit``)."""
    return _one_or_404(session, select(Pool).where(Pool.slug == slug, Pool.committee_id == member.committee_id))


def get_colleague(session: Session, member: Member, member_id: int) -> Member:
    """Another (or the same) member of the member's committee."""
    return _one_or_404(
        session, select(Member).where(Member.id == member_id, Member.committee_id == member.committee_id)
    )


def get_invitation_for_member(session: Session, member: Member, invitation_id: int) -> Invitation:
    return _one_or_404(
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


def _one_or_404(session: Session, query) -> T:
    found = session.scalar(query)
    if found is None:
        abort(404)
    return found
