"""Pools: the funds donors give to and committees grant from, their texts and rounds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import now
from funds.committees.models import Committee


class Pool(Base):
    """A fund with its own money, rules and committee. Amounts are minor units of ``currency``."""

    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    goal: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the most one request may ask for
    request_cap: Mapped[int] = mapped_column(BigInteger)
    #: how many grants one codename may receive per ``frequency_cap_days`` (None: no cap)
    frequency_cap_count: Mapped[int | None] = mapped_column(Integer)
    frequency_cap_days: Mapped[int | None] = mapped_column(Integer)
    #: approvals needed to grant (and declines needed to decline)
    quorum: Mapped[int] = mapped_column(Integer, default=2)
    #: up to this amount one member may approve alone in an emergency (0: never)
    fast_track_limit: Mapped[int] = mapped_column(BigInteger, default=0)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the "where most needed" pool donors land on by default
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    committee: Mapped[Committee] = relationship()
    texts: Mapped[list[PoolText]] = relationship(back_populates="pool", cascade="all, delete-orphan")
    rounds: Mapped[list[Round]] = relationship(back_populates="pool", order_by="Round.opens_on")

    def text(self, lang: str) -> PoolText:
        """The pool's name and description in ``lang``, else English, else any."""
        by_lang = {t.lang: t for t in self.texts}
        return by_lang.get(lang) or by_lang.get("en") or next(iter(by_lang.values()))


class PoolText(Base):
    """A pool's name and description in one language."""

    __tablename__ = "pool_texts"

    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    pool: Mapped[Pool] = relationship(back_populates="texts")


class Round(Base):
    """A round of cash support: a budget shared by a target number of people."""

    __tablename__ = "pool_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    budget: Mapped[int] = mapped_column(BigInteger)
    target_recipients: Mapped[int] = mapped_column(Integer)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)

    pool: Mapped[Pool] = relationship(back_populates="rounds")


class PoolPayoutCount(Base):
    """Payouts booked into one of a pool's ``pool:<id>:paid:<category>`` accounts, kept by a
    database trigger on ledger postings (migration 0008): the pool page's "times people were
    supported" without counting the pool's history on every view. The ledger code knows nothing
    of it; a reservation is not counted, its settlement is."""

    __tablename__ = "pool_payout_counts"

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True)
    payouts: Mapped[int] = mapped_column(BigInteger, server_default="0")


class PoolBankAccount(Base):
    """The fund's bank account donors transfer to for this pool, and payouts leave from (set by a
    coordinator; checked with schwifty, see :mod:`funds.pools.bank_details`). Not personal data:
    the fund's own account, shown to every donor."""

    __tablename__ = "pool_bank_accounts"

    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), primary_key=True)
    #: the account holder's name as the bank knows it (EPC QR allows 70 characters)
    holder: Mapped[str] = mapped_column(String(70))
    #: electronic form: no spaces, upper case
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    pool: Mapped[Pool] = relationship()

    @property
    def iban_spaced(self) -> str:
        """The IBAN in groups of four, as people read and type it."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))
