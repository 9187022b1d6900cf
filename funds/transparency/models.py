"""A committee's choice to publish who decides; the witnesses who co-sign our checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text
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


class Witness(Base):
    """Someone outside the fund who checks that each checkpoint extends the last one and co-signs
    it (C2SP tlog-cosignature v1). With a ``url`` the service asks it for every new checkpoint
    (tlog-witness add-checkpoint); without one it is offline, and a coordinator uploads what it
    co-signed by hand."""

    __tablename__ = "ledger_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the committee whose coordinators manage it (every committee's books are in the one ledger)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    #: who runs it, in the words the committee uses ("Digital rights foundation, Kraków")
    label: Mapped[str] = mapped_column(String(200))
    #: the verifier key ``name+hash+base64(0x04 || key)``; its name is the key name on the lines
    vkey: Mapped[str] = mapped_column(String(400), unique=True)
    #: the submission prefix ("https://witness.example/w1"); None: an offline witness
    url: Mapped[str | None] = mapped_column(String(500))
    #: the size of the last checkpoint it co-signed for us: the "old" size of the next request
    last_size: Mapped[int] = mapped_column(BigInteger, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    #: no longer asked; what it co-signed stays published
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Cosignature(Base):
    """One witness's signature line on the checkpoint of ``size`` entries, checked before stored."""

    __tablename__ = "ledger_cosignatures"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("ledger_witnesses.id"), primary_key=True)
    #: the whole line, "— <name> <base64>\n", as it is appended to the note
    line: Mapped[str] = mapped_column(Text)
    #: the time the witness put in it (POSIX seconds)
    signed_at: Mapped[int] = mapped_column(BigInteger)
