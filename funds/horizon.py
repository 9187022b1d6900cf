"""Where the public books end: the entries booked before the current UTC day.

The ledger records only the day of each entry, and publication waits for the day to close: an
entry is public once it and every entry before it was booked on a day before today (UTC). The
public books are therefore always a prefix of the tree, ``seq < size``, which is what a signed
checkpoint can vouch for and what the verifier replays. Payouts, the reservations and votes
that lead to them, and gifts alike appear in one batch per day; nobody watching the page, the
API, the exports or the checkpoints learns more than the day of anything.

The rule is computed, not stored: ``size`` is the seq of the first entry booked today or later,
or the whole tree when there is none. It only grows (days only advance, and an entry carries the
day it was booked), so the public books never shrink or change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import schema

#: app.extensions key of a ``() -> date`` returning today's UTC date (tests move the clock)
CLOCK = "ayni.transparency.today"


@dataclass(frozen=True)
class Horizon:
    """The public part of the books at one moment."""

    #: entries 0 .. size-1 are public
    size: int
    #: the day that is not yet published (today, UTC); everything public was booked before it
    today: date

    @property
    def closed_through(self) -> date:
        """The last day whose entries are all public."""
        return self.today - timedelta(days=1)

    @property
    def day_start(self) -> datetime:
        """The first moment not yet published (today 00:00 UTC)."""
        return datetime.combine(self.today, time.min, tzinfo=UTC)

    def covers(self, seq: int) -> bool:
        return 0 <= seq < self.size


def today(app: Flask) -> date:
    """Today's date in UTC, from the app's clock."""
    clock = app.extensions.get(CLOCK)
    return clock() if clock is not None else datetime.now(UTC).date()


def horizon(session: Session, on: date) -> Horizon:
    """The public prefix of the books as of day ``on`` (normally today, UTC)."""
    e = schema.entries.c
    # "+ 0": with a bare min(seq) SQLite walks the seq index from the first entry until it meets
    # today, reading the whole history; this way it reads only today's rows, by booked_on.
    first_unpublished = session.scalar(select(func.min(e.seq + 0)).where(e.booked_on >= on))
    if first_unpublished is None:
        first_unpublished = session.scalar(
            select(func.coalesce(func.max(schema.tree_head.c.size), 0))
        )
    return Horizon(int(first_unpublished), on)


def current(app: Flask, session: Session) -> Horizon:
    """The public prefix now."""
    return horizon(session, today(app))
