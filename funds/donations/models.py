"""Gifts, monthly gifts and what Stripe told us.

Nothing here identifies a donor: no card data, no IP address, no user agent, no email (an email
for Stripe's receipt goes to Stripe and is not kept). A public name is stored only when the
donor types one, and never reaches the public ledger, which cannot forget.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import now
from funds.pools.models import Pool

#: Stripe ids are at most 255 characters
STRIPE_ID = String(255)


def new_token() -> str:
    """A receipt address: 128 random bits, so receipts cannot be found by counting."""
    return secrets.token_urlsafe(16)


class MonthlyGift(Base):
    """A donor's monthly gift: a Stripe subscription whose every paid month becomes a :class:`Gift`."""

    __tablename__ = "monthly_gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), index=True)
    #: each month, in minor units of ``currency``
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: shown with the pool's thanks; None gives anonymously
    public_name: Mapped[str | None] = mapped_column(String(60))
    #: the language the donor gave in: its pages speak it when an address carries no ``?lang``
    lang: Mapped[str | None] = mapped_column(String(5))
    #: pending (card not saved yet), active, stopped or failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    stripe_customer_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    stripe_subscription_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pool: Mapped[Pool] = relationship()
    gifts: Mapped[list[Gift]] = relationship(back_populates="monthly_gift", order_by="Gift.id")


class Gift(Base):
    """Money given to a pool once: a one-time gift, one month of a monthly gift, or an offline gift."""

    __tablename__ = "gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), index=True)
    #: what the donor chose, in minor units of ``currency``; what arrived is in the ledger entry
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: stripe or offline
    source: Mapped[str] = mapped_column(String(10))
    #: for offline gifts: cash, bank-transfer or other
    method: Mapped[str | None] = mapped_column(String(20))
    public_name: Mapped[str | None] = mapped_column(String(60))
    #: the language the donor gave in (a month of a monthly gift takes the monthly gift's)
    lang: Mapped[str | None] = mapped_column(String(5))
    #: pending, paid, refunded or disputed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    monthly_gift_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_gifts.id"), index=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    #: unique: one charge is one gift, however many events tell of it
    stripe_charge_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    #: the ledger entry that booked the gift
    entry_seq: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pool: Mapped[Pool] = relationship()
    monthly_gift: Mapped[MonthlyGift | None] = relationship(back_populates="gifts")
    movements: Mapped[list[StripeMovement]] = relationship(order_by="StripeMovement.booked_at")


# The pool page's figures without reading a pool's whole history (migration 0008).
Index("ix_gifts_pool_id_status_monthly_gift_id", Gift.pool_id, Gift.status, Gift.monthly_gift_id)
Index("ix_gifts_named_pool_id_paid_at", Gift.pool_id, Gift.paid_at, Gift.id,
      sqlite_where=text("public_name IS NOT NULL"), postgresql_where=text("public_name IS NOT NULL"))


class PoolSupporterCount(Base):
    """Paid one-time gifts per pool, kept by database triggers on ``gifts`` (migration 0008), so
    the pool page does not count a pool's whole history on every view."""

    __tablename__ = "pool_supporter_counts"

    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), primary_key=True)
    once_paid: Mapped[int] = mapped_column(BigInteger, server_default="0")


class StripeEvent(Base):
    """A Stripe event we acted on: its id is unique, so a redelivered event changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(STRIPE_ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    #: Stripe's own timestamp (seconds): reconciliation lists events from the newest one seen
    created: Mapped[int] = mapped_column(BigInteger, index=True)
    #: booked, already booked, or why it was ignored
    outcome: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class StripeMovement(Base):
    """One movement of money at Stripe, booked once: a charge, a refund, or a dispute's withdrawal
    or reinstatement. Its id is unique and written in the same transaction as the ledger entry."""

    __tablename__ = "stripe_movements"

    #: ch_..., re_..., or dp_...:withdrawn / dp_...:reinstated
    id: Mapped[str] = mapped_column(STRIPE_ID, primary_key=True)
    #: charge, refund, dispute-withdrawn or dispute-reinstated
    kind: Mapped[str] = mapped_column(String(20))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"), index=True)
    #: minor units moved (positive), and the processor's fee on it
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
