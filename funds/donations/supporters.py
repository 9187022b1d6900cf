"""Who supports a pool, as the public may see it: how many, and the names donors chose to show."""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from .models import Gift, PoolSupporterCount


def supporter_counts(session: Session, pool_ids: list[int]) -> dict[int, int]:
    """Paid gifts given once, plus monthly gifts with at least one paid month, per pool."""
    # Kept by triggers on gifts: counting them here would cost a pool's whole history per view.
    once = dict(
        session.execute(
            select(PoolSupporterCount.pool_id, PoolSupporterCount.once_paid)
            .where(PoolSupporterCount.pool_id.in_(pool_ids))
        ).all()
    )
    monthly = dict(
        session.execute(
            select(Gift.pool_id, func.count(distinct(Gift.monthly_gift_id)))
            .where(Gift.pool_id.in_(pool_ids), Gift.status == "paid", Gift.monthly_gift_id.is_not(None))
            .group_by(Gift.pool_id)
        ).all()
    )
    return {pool_id: once.get(pool_id, 0) + monthly.get(pool_id, 0) for pool_id in pool_ids}


def thanked_names(session: Session, pool_id: int, limit: int = 12) -> list[str]:
    """The newest public names given with paid gifts (a monthly donor once), newest first."""
    rows = session.scalars(
        select(Gift.public_name)
        .where(Gift.pool_id == pool_id, Gift.status == "paid", Gift.public_name.is_not(None))
        .order_by(Gift.paid_at.desc(), Gift.id.desc())
        .limit(limit * 4)
    )
    names: list[str] = []
    for name in rows:
        if name not in names:
            names.append(name)
    return names[:limit]
