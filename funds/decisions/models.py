"""What a committee decides about a request, and what becomes of the money.

A vote is one member's approval, decline or recusal; a grant is the committee's yes and the
life of the money behind it (reserved, waitlisted, paid, cancelled). Payout details and decline
reasons are stored sealed only: payout details to every member key, reasons to the person's inbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import now
from funds.committees.models import Member
from funds.requests.models import Request

APPROVE, DECLINE, RECUSE, FAST_TRACK = "approve", "decline", "recuse", "fast-track"
CHOICES = (APPROVE, DECLINE, RECUSE, FAST_TRACK)
#: how a grant was decided
BY_QUORUM, BY_FAST_TRACK = "quorum", "fast-track"


class Vote(Base):
    """One member's say on one request. A member counts once: the unique constraint holds even if
    two of their browsers press at the same instant."""

    __tablename__ = "request_votes"
    __table_args__ = (UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    #: approve, decline or recuse (a fast-track approval is an approve with fast_track set)
    choice: Mapped[str] = mapped_column(String(10))
    fast_track: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a decline's reason, sealed to the person's inbox key; it reaches them if the decline decides
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: undecided approvals and declines lapse then; recusals never do (None)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    member: Mapped[Member] = relationship()


class Grant(Base):
    """The committee's yes to a request and the life of its money. The waitlist is funded in
    order of ``approved_at``."""

    __tablename__ = "request_grants"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), index=True)
    #: quorum or fast-track
    decided_by: Mapped[str] = mapped_column(String(12))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: a fast-track approval stays flagged until another member has looked at it
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    #: the ledger entry (kind reserve) holding the money until it is paid or cancelled
    reservation_seq: Mapped[int | None] = mapped_column(BigInteger)
    reserved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    request: Mapped[Request] = relationship()

    __table_args__ = (
        # The queue's "fast-track approvals to review": a handful, found without reading every grant.
        Index(
            "ix_request_grants_fast_tracks_to_review", "approved_at",
            sqlite_where=text("decided_by = 'fast-track' AND reviewed_at IS NULL"),
            postgresql_where=text("decided_by = 'fast-track' AND reviewed_at IS NULL"),
        ),
    )


class SealedPayout(Base):
    """How a request was paid (method and reference), sealed to one member's key."""

    __tablename__ = "payout_sealed_details"
    __table_args__ = (UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    #: libsodium sealed box of padded JSON {"method", "reference"}
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class Reminder(Base):
    """Something the committee should look at: a request waiting, unpaid, or whose votes lapse."""

    __tablename__ = "committee_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    #: waiting, unpaid, votes-expiring or votes-expired
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the reason went away (decided, paid, voted again)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    request: Mapped[Request] = relationship()


class ReminderAddress(Base):
    """Where a committee's reminder emails go: one shared address, not each member's."""

    __tablename__ = "committee_reminder_addresses"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
