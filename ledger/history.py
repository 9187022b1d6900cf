"""The books as they stood at an earlier tree size: the kept balances with every later entry undone.

Balances are kept current, so an earlier state costs only the entries booked after it (for the
public books, today's), never a sum over the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import schema


@dataclass
class Change:
    """What the entries from some seq on did to one account."""

    balance: int = 0
    held: int = 0
    #: entries that moved money into the account (a reservation moves nothing)
    credits: int = 0


def changes_since(session: Session, codes: Iterable[str], size: int) -> dict[str, Change]:
    """How entries ``size`` and later changed each account in ``codes`` (accounts they left alone
    are absent)."""
    codes = list(codes)
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    changes: dict[str, Change] = {}
    moved = session.execute(
        select(a.code, e.kind, p.amount)
        .select_from(schema.postings)
        .join(schema.entries, e.seq == p.entry_seq)
        .join(schema.accounts, a.id == p.account_id)
        .where(p.entry_seq >= size, a.code.in_(codes))
    )
    for code, kind, amount in moved:
        change = changes.setdefault(code, Change())
        if kind == "reserve":
            change.held += max(0, -amount)
        else:
            change.balance += amount
            change.credits += amount > 0
    # A reservation settled or voided later was still holding its money at ``size``. Two steps,
    # so the database starts from the few closing entries rather than every reservation ever made.
    closed = list(session.scalars(select(e.reservation).where(e.seq >= size, e.reservation.is_not(None))))
    if closed:
        released = session.execute(
            select(a.code, p.amount)
            .join(schema.accounts, a.id == p.account_id)
            .where(p.entry_seq.in_(closed), p.amount < 0, a.code.in_(codes))
        )
        for code, amount in released:
            changes.setdefault(code, Change()).held += amount
    return changes

