"""A committee's pools, always through the member's own committee (404 for another's)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.committees.models import Member
from funds.committees.scope import one_or_404

from .models import Pool


def my_pools(session: Session, member: Member) -> list[Pool]:
    """The pools the member's committee runs, oldest first."""
    return list(session.scalars(select(Pool).where(Pool.committee_id == member.committee_id).order_by(Pool.id)))


def get_pool_by_slug_for_member(session: Session, member: Member, slug: str) -> Pool:
    """For routes that name a pool by its address (``/committee/pools/<slug>/edit``)."""
    return one_or_404(session, select(Pool).where(Pool.slug == slug, Pool.committee_id == member.committee_id))
