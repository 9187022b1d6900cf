"""A request for support, its sealed details and the committee's messages to the person.

Nothing here names or describes the person. The contact handle, note and payout details exist
only as sealed boxes, one per committee member key; messages to the person are sealed to the
inbox key their codename derives. A copied database reveals amounts, categories and dates.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import now
from funds.committees.models import Member
from funds.pools.models import Pool

from . import states


class Request(Base):
    """One ask for support from a pool."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the public books call this request: random, so nobody can count or order requests
    #: by it, or find one's entries from a row number seen on a committee screen
    ledger_ref: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: secrets.token_hex(16))
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), index=True)
    #: one of states.STATES; moved only through states.move
    state: Mapped[str] = mapped_column(String(20), default=states.SUBMITTED, index=True)
    #: minor units of the pool's currency
    amount: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(20))
    #: how the person wants to receive it (vocabulary.PAYOUT_METHODS)
    method: Mapped[str] = mapped_column(String(20))
    #: the language the person asked in, so the committee can answer in it
    lang: Mapped[str] = mapped_column(String(5))
    #: derived from the codename (codename.derive); several requests may share one
    codename_id: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    #: X25519 public key derived from the codename: messages to the person are sealed to it
    inbox_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: when the request reached paid, declined, withdrawn or expired; retention counts from here
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    #: when the retention job deleted the sealed details and messages
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pool: Mapped[Pool] = relationship()
    sealed_details: Mapped[list[SealedDetails]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="SealedDetails.id"
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Message.id"
    )


class SealedDetails(Base):
    """The contact handle, note and payout details of a request, sealed to one member's key."""

    __tablename__ = "request_sealed_details"
    __table_args__ = (UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    #: the member's public key at sealing time (a member who changes keys can tell which opens it)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: libsodium sealed box of padded JSON {"contact", "note", "payout"}
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    request: Mapped[Request] = relationship(back_populates="sealed_details")
    member: Mapped[Member] = relationship()


class Message(Base):
    """Something the committee tells the person: a message, a decline reason or a voucher code."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    #: message or voucher
    kind: Mapped[str] = mapped_column(String(20), default="message")
    #: sealed box to the request's inbox key: only the codename opens it
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    request: Mapped[Request] = relationship(back_populates="messages")
