"""A gift expected by bank transfer, and the statement lines a committee imported.

What is kept of a statement line (and nothing else): the day it was booked, its amount and
currency, the gift reference found in it (our own code, never the donor's words), what was done
with it, and a fingerprint that recognises the same line when a statement is imported again.
The fingerprint is an HMAC under the app's secret of the bank's own reference for the line (or,
without one, of the line's day, amount and text), so it cannot be read back into a name. The
donor's name, account and remittance text are shown once, on the page that answers the upload,
and never stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import now

from ..models import Gift


class BankTransfer(Base):
    """A gift the donor said they would transfer: the reference they put on it."""

    __tablename__ = "bank_transfers"

    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"), primary_key=True)
    #: "AYNI" and 8 characters of Crockford's base32 (40 random bits), see references.py
    reference: Mapped[str] = mapped_column(String(16), unique=True)

    gift: Mapped[Gift] = relationship()


class StatementLine(Base):
    """A credit on the fund's account, read from a statement the committee imported."""

    __tablename__ = "statement_lines"
    __table_args__ = (UniqueConstraint("committee_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    #: hex HMAC-SHA256, see the module's docstring
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: camt.053 or mt940
    source: Mapped[str] = mapped_column(String(10))
    booked_on: Mapped[date] = mapped_column(Date)
    #: minor units of ``currency``, positive (only credits are kept)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: the gift reference found in the line, if any
    reference: Mapped[str | None] = mapped_column(String(16))
    #: waiting (for the treasurer), booked (to a gift or as an anonymous gift)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("gifts.id"))
    entry_seq: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    gift: Mapped[Gift | None] = relationship()
