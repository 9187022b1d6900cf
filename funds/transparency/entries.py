"""Reading public entries: a page at a time, by seq (keyset, never OFFSET), inside the horizon.

Each entry comes back as :class:`PublicEntry`: its place in the tree, its money (postings are
public: accounts are pools and categories, never people) and the whitelisted details of
:mod:`.redaction`, with names added only where the donor or the committee chose publication.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.donations.models import Gift
from funds.horizon import Horizon
from funds.pools.models import Pool
from ledger import schema
from ledger.entry import Posting

from . import disclosure
from .redaction import Names, public_details, public_names

#: the most entries one page or API call returns
MAX_LIMIT = 500


@dataclass(frozen=True)
class PublicEntry:
    seq: int
    booked_on: date
    kind: str
    type: str
    leaf_hash: str
    postings: tuple[Posting, ...]
    details: dict
    names: dict[str, str] = field(default_factory=dict)
    #: for a payout or a released reservation: the reservation it closes
    reservation: int | None = None

    @property
    def currency(self) -> str | None:
        return self.postings[0].currency if self.postings else None

    @property
    def category(self) -> str | None:
        """The category paid or set aside for, read from the paid account."""
        for posting in self.postings:
            parts = posting.account.split(":")
            if len(parts) == 4 and parts[0] == "pool" and parts[2] == "paid":
                return parts[3]
        return None

    @property
    def amount(self) -> int | None:
        """The headline amount: a gift's gross, a refund, a payout or reservation, a fee-free sum."""
        if not self.postings:
            return None
        by_prefix = {p.account.split(":")[0]: p.amount for p in self.postings}
        if self.type == "gift":
            return -by_prefix.get("donations", 0)
        if self.type in ("refund", "dispute-withdrawn", "dispute-reinstated"):
            return abs(by_prefix.get("refunds", 0))
        return sum(p.amount for p in self.postings if p.amount > 0 and not p.account.startswith("fees:"))

    @property
    def fee(self) -> int:
        return sum(p.amount for p in self.postings if p.account.startswith("fees:"))

    def as_json(self) -> dict:
        body = {
            "seq": self.seq,
            "date": self.booked_on.isoformat(),
            "kind": self.kind,
            "type": self.type,
            "leaf_hash": self.leaf_hash,
            "postings": [{"account": p.account, "currency": p.currency, "amount": p.amount} for p in self.postings],
            "details": self.details,
        }
        if self.postings:
            body.update(amount=self.amount, currency=self.currency, fee=self.fee, category=self.category)
        if self.reservation is not None:
            body["reservation"] = self.reservation
        if self.names:
            body["names"] = self.names
        return body


def after(session: Session, public: Horizon, seq: int, limit: int) -> list[PublicEntry]:
    """Up to ``limit`` public entries after ``seq``, oldest first."""
    e = schema.entries.c
    query = select(schema.entries).where(e.seq > seq, e.seq < public.size).order_by(e.seq).limit(limit)
    return _load(session, list(session.execute(query)))


def before(session: Session, public: Horizon, seq: int | None, limit: int) -> list[PublicEntry]:
    """Up to ``limit`` public entries before ``seq`` (default: the newest), newest first."""
    e = schema.entries.c
    end = public.size if seq is None else min(seq, public.size)
    query = select(schema.entries).where(e.seq < end).order_by(e.seq.desc()).limit(limit)
    return _load(session, list(session.execute(query)))


def one(session: Session, public: Horizon, seq: int) -> PublicEntry | None:
    """Entry ``seq`` if it is public; None (the same answer whether it exists or not) otherwise."""
    if not public.covers(seq):
        return None
    found = after(session, public, seq - 1, 1)
    return found[0] if found and found[0].seq == seq else None


def _load(session: Session, rows: list) -> list[PublicEntry]:
    seqs = [row.seq for row in rows]
    postings: dict[int, list[Posting]] = {seq: [] for seq in seqs}
    p, a = schema.postings.c, schema.accounts.c
    if seqs:
        for seq, code, currency, amount in session.execute(
            select(p.entry_seq, a.code, a.currency, p.amount)
            .join(schema.accounts, a.id == p.account_id)
            .where(p.entry_seq.in_(seqs))
            .order_by(p.entry_seq, p.position)
        ):
            postings[seq].append(Posting(code, currency, amount))
    metas = {row.seq: json.loads(row.meta) for row in rows}
    names = _names(session, rows, metas)
    shown = []
    for row in rows:
        meta = metas[row.seq]
        shown_type, details = public_details(row.kind, row.key, meta)
        if shown_type == "account-opened" and "account" in details:
            parts = details["account"].split(":")
            if parts[0] == "pool" and parts[1].isdigit() and int(parts[1]) in names.pools:
                details["pool"] = names.pools[int(parts[1])]
        shown.append(PublicEntry(
            seq=row.seq, booked_on=row.booked_on, kind=row.kind, type=shown_type,
            leaf_hash=bytes(row.leaf_hash).hex(), postings=tuple(postings[row.seq]), details=details,
            names=public_names(row.seq, shown_type, meta, details, names), reservation=row.reservation,
        ))
    return shown


def _names(session: Session, rows: list, metas: dict[int, dict]) -> Names:
    gifts = [row.seq for row in rows if row.kind == "transfer" and metas[row.seq].get("what") == "gift"]
    donors = {}
    if gifts:
        donors = dict(session.execute(
            select(Gift.entry_seq, Gift.public_name).where(Gift.entry_seq.in_(gifts), Gift.public_name.is_not(None))
        ).all())
    pools = session.execute(select(Pool.id, Pool.slug, Pool.committee_id)).all()
    return Names(donors=donors, members=disclosure.published_names(session),
                 committees={slug: committee for _, slug, committee in pools},
                 pools={pool_id: slug for pool_id, slug, _ in pools})
