"""What the books already hold that a booking must check: entries booked before under the same
keys (idempotency) and the reservations that settle and void entries close. Internal to
:mod:`ledger.store`, read under its lock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, select

from . import schema
from .entry import Entry, Posting, canonical_bytes
from .errors import IdempotencyConflict

_a, _e, _p = schema.accounts.c, schema.entries.c, schema.postings.c
_BOOKED = select(schema.entries).where(_e.key.in_(bindparam("keys", expanding=True)))
_BOOKED_POSTINGS = (
    select(_p.entry_seq, _a.code, _a.currency, _p.amount)
    .join(schema.accounts, _a.id == _p.account_id)
    .where(_p.entry_seq.in_(bindparam("seqs", expanding=True)))
    .order_by(_p.entry_seq, _p.position)
)


@dataclass(frozen=True, slots=True)
class BookedEntry:
    """An entry as the books hold it: its place in the tree and its leaf hash."""

    seq: int
    key: str
    kind: str
    booked_on: date
    leaf_hash: bytes
    postings: tuple[Posting, ...]
    meta: dict
    reservation: int | None


def already_booked(connection: Connection, entries: Sequence[Entry]) -> dict[str, BookedEntry]:
    """The entries booked before under any of ``entries``' keys, by key."""
    keys = list({e.key for e in entries})
    rows = connection.execute(_BOOKED, {"keys": keys}).all()
    if not rows:
        return {}
    seqs = [r.seq for r in rows]
    lines: dict[int, list[Posting]] = {s: [] for s in seqs}
    posting_rows = connection.execute(_BOOKED_POSTINGS, {"seqs": seqs})
    for p in posting_rows:
        lines[p.entry_seq].append(Posting(p.code, p.currency, p.amount))
    return {r.key: _booked_from_row(r, tuple(lines[r.seq])) for r in rows}


def _booked_from_row(row, postings: tuple[Posting, ...]) -> BookedEntry:
    return BookedEntry(
        row.seq, row.key, row.kind, row.booked_on, bytes(row.leaf_hash), postings, json.loads(row.meta), row.reservation
    )


def check_same_content(booked: BookedEntry, entry: Entry) -> None:
    """Refuse ``entry`` if its key was booked for other content: a conflict, not a silent success."""
    same = (
        booked.kind == entry.kind
        and booked.postings == tuple(entry.postings)
        # canonical bytes, not ==: True == 1 in Python, but they are different content
        and canonical_bytes(booked.meta) == canonical_bytes(dict(entry.meta))
        and booked.reservation == entry.reservation
    )
    if not same:
        raise IdempotencyConflict(
            f"key {entry.key!r} was already used for entry {booked.seq} with different content; nothing was booked"
        )


def load_reservations(connection: Connection, entries: Sequence[Entry]) -> dict[int, tuple[Posting, ...] | None]:
    """Open reservations named by settle/void entries: seq -> postings (None once closed)."""
    seqs = {e.reservation for e in entries if e.reservation is not None}
    if not seqs:
        return {}
    kinds = dict(connection.execute(select(_e.seq, _e.kind).where(_e.seq.in_(seqs))).all())
    closed = set(connection.scalars(select(_e.reservation).where(_e.reservation.in_(seqs))))
    open_ones: dict[int, tuple[Posting, ...] | None] = {}
    for seq in seqs:
        if kinds.get(seq) != "reserve":
            continue
        open_ones[seq] = None if seq in closed else reservation_postings(connection, seq)
    return open_ones


def reservation_postings(connection: Connection, seq: int) -> tuple[Posting, ...]:
    """The postings of entry ``seq`` (a reservation's: what settling it moves)."""
    rows = connection.execute(
        select(_a.code, _a.currency, _p.amount)
        .join(schema.accounts, _a.id == _p.account_id)
        .where(_p.entry_seq == seq)
        .order_by(_p.position)
    ).all()
    return tuple(Posting(r.code, r.currency, r.amount) for r in rows)
