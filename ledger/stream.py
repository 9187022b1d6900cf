"""Reading the stored books back: the tree head, and every entry as a leaf, in order, with flat memory.

Export and verification both rebuild each entry's canonical bytes from its rows; this is the one
place that does it, so the bytes exported are the bytes verified.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import schema
from .entry import Entry, Posting, canonical_bytes, leaf_object
from .merkle import Frontier

BATCH = 5000


@dataclass(frozen=True, slots=True)
class StoredLeaf:
    seq: int
    #: the canonical bytes rebuilt from the rows
    data: bytes
    #: the leaf hash stored when the entry was booked
    stored_hash: bytes
    booked_on: object
    entry: Entry


def iter_leaves(session: Session, size: int) -> Iterator[StoredLeaf]:
    """Entries 0..size-1 with their postings, rebuilt as leaves, in batches of seq ranges.

    Keyset pagination on seq (not OFFSET) keeps each batch as cheap at a million entries as at ten.
    """
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    start = 0
    while start < size:
        end = min(start + BATCH, size)
        rows = session.execute(
            select(e.seq, e.key, e.kind, e.booked_on, e.meta, e.reservation, e.leaf_hash)
            .where(e.seq >= start, e.seq < end)
            .order_by(e.seq)
        ).all()
        lines: dict[int, list[Posting]] = {}
        for seq, code, currency, amount in session.execute(
            select(p.entry_seq, a.code, a.currency, p.amount)
            .join(schema.accounts, a.id == p.account_id)
            .where(p.entry_seq >= start, p.entry_seq < end)
            .order_by(p.entry_seq, p.position)
        ):
            lines.setdefault(seq, []).append(Posting(code, currency, amount))
        for row in rows:
            entry = Entry(
                key=row.key,
                kind=row.kind,
                postings=tuple(lines.get(row.seq, ())),
                meta=json.loads(row.meta),
                reservation=row.reservation,
            )
            data = canonical_bytes(leaf_object(row.seq, row.booked_on, entry))
            yield StoredLeaf(row.seq, data, bytes(row.leaf_hash), row.booked_on, entry)
        start = end


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The tree as the books hold it now: its size and right edge."""

    size: int
    frontier: Frontier

    @classmethod
    def from_row(cls, row) -> TreeHead:
        return cls(row.size, Frontier.from_bytes(row.size, row.frontier))

    @property
    def root(self) -> bytes:
        return self.frontier.root()


def head(session: Session) -> TreeHead | None:
    """The tree head, or None for books whose schema has no head row."""
    row = session.execute(select(schema.tree_head).where(schema.tree_head.c.id == 1)).first()
    return None if row is None else TreeHead.from_row(row)
