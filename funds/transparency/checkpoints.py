"""Signed checkpoints and proofs of the public books.

Checkpoints are signed over the public prefix only (:mod:`.horizon`), never over today's
entries: a checkpoint's size would otherwise tell a watcher how many entries were booked in the
last hour. Proofs are given for sizes inside the public prefix, for the same reason.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from funds.donations.receipts import leaf_bytes
from funds.horizon import Horizon, horizon
from ledger import audit, schema, store
from ledger.checkpoint import Signer
from ledger.receipt import proof_document

CONSISTENCY_FORMAT = "ayni-consistency-proof/1"


def sign_published(session: Session, signer: Signer, origin: str, on: date) -> str | None:
    """Sign the public prefix as of day ``on`` if no checkpoint of that size exists yet.

    Returns the new signed note, or None when there was nothing new to sign.
    """
    store.lock_head(session)  # the prefix is read under the same lock the signature takes
    public = horizon(session, on)
    if public.size == 0 or latest_size(session, public) == public.size:
        return None
    return audit.checkpoint(session, signer, origin, size=public.size)


def latest_size(session: Session, public: Horizon) -> int | None:
    """The size of the newest checkpoint inside the public prefix."""
    c = schema.checkpoints.c
    return session.scalar(select(func.max(c.size)).where(c.size <= public.size))


def note_at(session: Session, public: Horizon, size: int | None = None) -> str | None:
    """The signed note of the checkpoint of ``size`` entries (default: the newest public one)."""
    c = schema.checkpoints.c
    if size is None:
        size = latest_size(session, public)
    if size is None or not 0 <= size <= public.size:
        return None
    return session.scalar(select(c.note).where(c.size == size))


def inclusion(session: Session, origin: str, seq: int, size: int) -> dict:
    """The proof document that entry ``seq`` is leaf ``seq`` of the tree of ``size`` entries.

    The caller checks both are inside the public prefix.
    """
    return proof_document(origin, leaf_bytes(session, seq), seq, size, audit.prove_inclusion(session, seq, size))


def consistency(session: Session, origin: str, old_size: int, new_size: int) -> dict:
    """The hashes showing the tree of ``new_size`` entries extends the one of ``old_size``."""
    hashes = audit.prove_consistency(session, old_size, new_size) if old_size < new_size else []
    return {
        "format": CONSISTENCY_FORMAT,
        "origin": origin,
        "from": old_size,
        "to": new_size,
        "hashes": [h.hex() for h in hashes],
    }
