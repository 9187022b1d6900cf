"""A committee's choice to publish who decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from funds.base import Base


class DecidersDisclosure(Base):
    """While this row exists, the public ledger names the committee's members beside their votes
    and records, and the API publishes the salt that lets anyone recompute each commitment.
    Without it, the public ledger says "approved by quorum" and names nobody."""

    __tablename__ = "committee_decider_disclosures"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the coordinator who chose it (the ledger note records it too)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
