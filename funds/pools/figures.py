"""A pool's public figures, read from the kept balances of its ledger accounts (never summed).

- raised: what reached the pool after processor fees, refunds and disputes = balance + paid
- paid: paid out to people, by category
- reserved: held for approved requests not yet paid
- available: what the pool can still grant = raised - paid - reserved

Money about people (paid, reserved, people supported, the ledger lines) is shown as of the
published books (:mod:`funds.horizon`), so a payout or an approval appears in the
next daily batch, never the moment it happens. Raised moves only with gifts, refunds and
disputes, so it is shown live: a donor sees their gift counted at once. Undoing today's entries
costs today's postings only (:func:`ledger.history.changes_since`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from funds.vocabulary import CATEGORIES
from ledger import schema, store
from ledger.history import changes_since

from . import accounts
from .models import Pool, PoolPayoutCount


@dataclass(frozen=True)
class PoolFigures:
    goal: int
    raised: int
    available: int
    reserved: int
    paid: int
    paid_by_category: dict[str, int] = field(default_factory=dict)
    #: payouts made: each is one person supported once
    people_supported: int = 0

    @property
    def progress(self) -> int:
        """Per cent of the goal raised, 0-100."""
        return min(100, self.raised * 100 // self.goal) if self.goal > 0 else 0


@dataclass(frozen=True)
class LedgerLine:
    """One recent entry touching the pool, as the public sees it: what, how much, no one's name."""

    seq: int
    booked_on: date
    what: str
    #: signed change of the pool's money; for payouts the amount paid
    amount: int
    category: str | None
    leaf_hash: str


def figures(session: Session, pools: list[Pool], published: int) -> dict[int, PoolFigures]:
    """Figures of several pools, people's part as of the first ``published`` entries."""
    codes = [accounts.available(p.id) for p in pools]
    codes += [accounts.paid(p.id, c) for p in pools for c in CATEGORIES]
    kept = store.balances(session, codes)
    today = changes_since(session, codes, published)
    people = _payouts(session, pools)
    result = {}
    for pool in pools:
        here, here_today = kept.get(accounts.available(pool.id)), today.get(accounts.available(pool.id))
        paid_now, by_category, payouts_today = 0, {}, 0
        for category in CATEGORIES:
            code = accounts.paid(pool.id, category)
            if code not in kept:
                continue
            paid_now += kept[code].balance
            change = today.get(code)
            by_category[category] = kept[code].balance - (change.balance if change else 0)
            payouts_today += change.credits if change else 0
        paid = sum(by_category.values())
        raised = (here.balance if here else 0) + paid_now
        reserved = (here.held if here else 0) - (here_today.held if here_today else 0)
        result[pool.id] = PoolFigures(
            goal=pool.goal, raised=raised, available=raised - paid - reserved, reserved=reserved, paid=paid,
            paid_by_category=by_category, people_supported=people.get(pool.id, 0) - payouts_today,
        )
    return result


def _payouts(session: Session, pools: list[Pool]) -> dict[int, int]:
    """How many entries paid money into each pool's paid:* accounts (kept by a trigger, never counted)."""
    a = schema.accounts.c
    counts: dict[int, int] = {}
    for pool in pools:
        prefix = f"pool:{pool.id}:paid:"
        # int(): PostgreSQL sums a BIGINT as NUMERIC
        counts[pool.id] = int(session.scalar(
            select(func.coalesce(func.sum(PoolPayoutCount.payouts), 0))
            .join(schema.accounts, a.id == PoolPayoutCount.account_id)
            .where(a.code.startswith(prefix, autoescape=True))
        ) or 0)
    return counts


def recent_lines(session: Session, pool: Pool, published: int, limit: int = 10) -> list[LedgerLine]:
    """The newest published entries moving this pool's money, newest first."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    prefix = f"pool:{pool.id}:"
    rows = session.execute(
        select(e.seq, e.booked_on, e.kind, e.meta, e.leaf_hash, a.code, p.amount)
        .join(schema.postings, p.entry_seq == e.seq)
        .join(schema.accounts, a.id == p.account_id)
        .where(a.code.startswith(prefix, autoescape=True), p.entry_seq < published)
        # by the postings' own key, so the database walks it backwards and stops at the limit
        .order_by(p.entry_seq.desc())
        .limit(limit * 3)
    ).all()
    lines: dict[int, LedgerLine] = {}
    for row in rows:
        if row.seq in lines:
            continue
        if len(lines) == limit:
            break
        lines[row.seq] = _line(row, [r for r in rows if r.seq == row.seq], prefix)
    return list(lines.values())


def _line(row, postings, prefix: str) -> LedgerLine:
    meta = json.loads(row.meta)
    paid = [r for r in postings if r.code.startswith(prefix + "paid:")]
    available = [r for r in postings if r.code == prefix + "available"]
    if paid:
        amount, category = paid[0].amount, paid[0].code.rsplit(":", 1)[1]
    else:
        amount, category = (available[0].amount if available else 0), None
    what = str(meta.get("what") or row.kind)
    return LedgerLine(row.seq, row.booked_on, what, amount, category, bytes(row.leaf_hash).hex())
