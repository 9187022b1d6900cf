"""A donor's receipt: the gift, its ledger entry, and a proof anyone can check offline.

Once a signed checkpoint covers the entry, the receipt offers an inclusion proof in the format
``python -m ledger.verify`` reads, and the checkpoint of the same size: about log2(n) hashes that
show the entry is in the books the fund signed, with no database and no trust in this server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import audit, schema
from ledger.entry import Entry, Posting, canonical_bytes, leaf_object
from ledger.errors import TamperDetected
from ledger.merkle import leaf_hash
from ledger.receipt import proof_document

from .models import Gift, StripeMovement


@dataclass(frozen=True)
class EntryLine:
    """A ledger entry as a receipt shows it."""

    seq: int
    key: str
    booked_on: object
    leaf_hash: str


@dataclass(frozen=True)
class Receipt:
    gift: Gift
    entry: EntryLine | None
    #: later entries about the same gift: refunds, disputes
    movements: list[tuple[StripeMovement, EntryLine]]
    #: the newest checkpoint that covers the entry, if one does
    checkpoint_size: int | None


def receipt(session: Session, gift: Gift) -> Receipt:
    movements = [m for m in gift.movements if m.kind != "charge"]
    seqs = [s for s in [gift.entry_seq, *(m.entry_seq for m in movements)] if s is not None]
    lines = _entry_lines(session, seqs)
    newest = _newest_checkpoint_size(session)
    covered = newest if newest is not None and gift.entry_seq is not None and newest > gift.entry_seq else None
    return Receipt(
        gift=gift,
        entry=lines.get(gift.entry_seq) if gift.entry_seq is not None else None,
        movements=[(m, lines[m.entry_seq]) for m in movements],
        checkpoint_size=covered,
    )


def checkpoint_note(session: Session, size: int) -> str | None:
    c = schema.checkpoints.c
    return session.scalar(select(c.note).where(c.size == size))


def inclusion_proof(session: Session, seq: int, size: int, origin: str) -> bytes:
    """The proof document (JSON bytes) that entry ``seq`` is in the signed tree of ``size`` entries."""
    data = leaf_bytes(session, seq)
    document = proof_document(origin, data, seq, size, audit.prove_inclusion(session, seq, size))
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def leaf_bytes(session: Session, seq: int) -> bytes:
    """Entry ``seq``'s canonical bytes, rebuilt from its rows and checked against its stored leaf hash."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    row = session.execute(select(schema.entries).where(e.seq == seq)).one()
    postings = tuple(
        Posting(code, currency, amount)
        for code, currency, amount in session.execute(
            select(a.code, a.currency, p.amount).join(schema.accounts, a.id == p.account_id)
            .where(p.entry_seq == seq).order_by(p.position)
        )
    )
    entry = Entry(key=row.key, kind=row.kind, postings=postings, meta=json.loads(row.meta),
                  reservation=row.reservation)
    data = canonical_bytes(leaf_object(seq, row.booked_on, entry))
    # A proof that does not match the stored leaf would fail for the donor: say so here instead.
    if leaf_hash(data) != bytes(row.leaf_hash):
        raise TamperDetected(f"entry {seq} no longer matches its leaf hash", seq=seq)
    return data


def _entry_lines(session: Session, seqs: list[int]) -> dict[int, EntryLine]:
    e = schema.entries.c
    rows = session.execute(select(e.seq, e.key, e.booked_on, e.leaf_hash).where(e.seq.in_(seqs)))
    return {r.seq: EntryLine(r.seq, r.key, r.booked_on, bytes(r.leaf_hash).hex()) for r in rows}


def _newest_checkpoint_size(session: Session) -> int | None:
    return session.scalar(select(func.max(schema.checkpoints.c.size)))
