"""Checking the stored books, signing checkpoints and proving entries.

``verify`` rebuilds every leaf from its rows and the whole tree from the leaves, and compares
them with the stored hashes, the head, every signed checkpoint and the kept balances: an edit
made behind the triggers' back is found and the first bad entry named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import schema
from .checkpoint import Checkpoint, Signer
from .errors import CheckpointError, ProofError, TamperDetected
from .merkle import EMPTY_ROOT, Frontier, consistency_proof, inclusion_proof, leaf_hash, root_at, verify_consistency
from .replay import Replayer
from .store import lock_head
from .stream import head, iter_leaves


@dataclass(frozen=True)
class VerifyReport:
    size: int
    root: bytes
    checkpoints_checked: int
    accounts_checked: int


def verify(session: Session) -> VerifyReport:
    """Re-derive the whole ledger from its rows; raise :class:`TamperDetected` at the first lie."""
    try:
        current = head(session)
    except ValueError as error:  # its right edge is not whole hashes, or not as many as its size needs
        raise TamperDetected(f"the stored tree head is malformed: {error}") from error
    size = current.size if current else 0
    signed = dict(session.execute(select(schema.checkpoints.c.size, schema.checkpoints.c.root)).all())
    frontier = Frontier()
    replayer = Replayer()
    for leaf in iter_leaves(session, size):
        if leaf.seq != frontier.size:
            raise TamperDetected(f"entry {frontier.size} is missing from the books", seq=frontier.size)
        if leaf_hash(leaf.data) != leaf.stored_hash:
            raise TamperDetected(
                f"entry {leaf.seq} ({leaf.entry.key}) does not match its leaf hash: its rows were changed",
                seq=leaf.seq,
            )
        try:
            replayer.apply(orjson.loads(leaf.data))
        except Exception as error:  # a named ledger error, re-raised as tampering at this entry
            raise TamperDetected(f"entry {leaf.seq} breaks the books: {error}", seq=leaf.seq) from error
        frontier.append(leaf.stored_hash)
        _check_checkpoint(signed, frontier)
    if frontier.size != size:
        raise TamperDetected(f"entry {frontier.size} is missing from the books", seq=frontier.size)
    root = frontier.root() if size else EMPTY_ROOT
    if current is not None and current.root != root:
        raise TamperDetected("the stored tree head does not match the entries: the books were rewritten")
    if frontier.size == 0:
        _check_checkpoint(signed, frontier)
    if any(cp_size > size for cp_size in signed):
        raise TamperDetected("a signed checkpoint covers entries that are no longer in the books")
    accounts = _check_balances(session, replayer)
    return VerifyReport(size, root, len(signed), accounts)


def _check_checkpoint(signed: dict[int, bytes], frontier: Frontier) -> None:
    expected = signed.get(frontier.size)
    if expected is not None and bytes(expected) != (frontier.root() if frontier.size else EMPTY_ROOT):
        raise TamperDetected(
            f"the first {frontier.size} entries no longer rebuild the root signed in checkpoint {frontier.size}",
            seq=frontier.size - 1,
        )


def _check_balances(session: Session, replayer: Replayer) -> int:
    a = schema.accounts.c
    kept = {code: (bal, held) for code, bal, held in session.execute(select(a.code, a.balance, a.held))}
    replayed = replayer.balances
    for code in sorted(set(kept) | set(replayed)):
        if kept.get(code) != tuple(replayed.get(code, (None, None))):
            raise TamperDetected(
                f"account {code}: kept balance {kept.get(code)} differs from the sum of its postings "
                f"{replayed.get(code)}"
            )
    return len(kept)


def _get_node(session: Session):
    e, n = schema.entries.c, schema.tree_nodes.c

    def get_node(level: int, index: int) -> bytes:
        if level >= schema.LOWEST_STORED_LEVEL:
            found = session.execute(select(n.hash).where(n.level == level, n.idx == index)).scalar()
        else:  # not stored: hashed again from its leaves
            first, count = index << level, 1 << level
            leaves = session.scalars(
                select(e.leaf_hash).where(e.seq >= first, e.seq < first + count).order_by(e.seq)
            ).all()
            found = _fold(leaves) if len(leaves) == count else None
        if found is None:
            raise TamperDetected(f"tree node {level}/{index} is missing from the books")
        return bytes(found)

    return get_node


def _fold(leaf_hashes) -> bytes:
    """The node over a complete run of leaves, from their hashes."""
    frontier = Frontier()
    for leaf in leaf_hashes:
        frontier.append(bytes(leaf))
    return frontier.root()


def checkpoint(session: Session, signer: Signer, origin: str, *, size: int | None = None) -> str:
    """Sign the tree of the first ``size`` entries (default: the current head), only if it is
    consistent with every checkpoint signed before, smaller or larger.

    Returns the signed note (the one signed before, unchanged, when that size is signed already).
    Signing a prefix lets the service publish checkpoints of the entries it has made public only.
    """
    current = lock_head(session)
    c = schema.checkpoints.c
    get_node = _get_node(session)
    head_size, head_root = current.size, current.root
    if head_size and root_at(head_size, get_node) != head_root:
        raise CheckpointError("the stored tree nodes do not rebuild the head's root; refusing to sign")
    largest = session.execute(select(func.max(c.size))).scalar()
    if largest is not None and largest > head_size:
        raise CheckpointError(f"the books shrank from {largest} to {head_size} entries; refusing to sign")
    if size is None:
        size = head_size
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= head_size:
        raise CheckpointError(f"cannot sign a tree of {size!r} entries: the books hold {head_size}")
    root = head_root if size == head_size else root_at(size, get_node)
    same = session.execute(select(c.root, c.note).where(c.size == size)).first()
    if same is not None:
        if bytes(same.root) != root:
            raise CheckpointError(f"the root at size {size} changed since it was signed; refusing to sign")
        return same.note
    before = session.execute(select(c.size, c.root).where(c.size < size).order_by(c.size.desc()).limit(1)).first()
    after = session.execute(select(c.size, c.root).where(c.size > size).order_by(c.size).limit(1)).first()
    for old, new in ((before, (size, root)), ((size, root), after)):
        if old is None or new is None or not old[0]:
            continue
        proof = consistency_proof(old[0], new[0], get_node)
        try:
            verify_consistency(old[0], new[0], bytes(old[1]), bytes(new[1]), proof)
        except ProofError as error:
            raise CheckpointError(f"the books do not extend checkpoint {old[0]}: {error}") from error
    note = signer.sign_note(Checkpoint(origin, size, root))
    session.execute(insert(schema.checkpoints).values(size=size, root=root, note=note, signed_at=datetime.now(UTC)))
    return note


def root_at_size(session: Session, size: int) -> bytes:
    """The root the books had when they held ``size`` entries (the head's root for the head)."""
    tree_size = _tree_size(session)
    if not isinstance(size, int) or not 0 <= size <= tree_size:
        raise ProofError(f"no tree of {size} entries (the books hold {tree_size})")
    return root_at(size, _get_node(session))


def latest_checkpoint(session: Session) -> str | None:
    c = schema.checkpoints.c
    return session.execute(select(c.note).order_by(c.size.desc()).limit(1)).scalar()


def prove_inclusion(session: Session, seq: int, size: int) -> list[bytes]:
    """The audit path of entry ``seq`` in the tree of the first ``size`` entries."""
    tree_size = _tree_size(session)
    if not (isinstance(seq, int) and isinstance(size, int)) or not 0 <= seq < size <= tree_size:
        raise ProofError(f"no entry {seq} in a tree of {size} entries (the books hold {tree_size})")
    return inclusion_proof(seq, size, _get_node(session))


def prove_consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    """The hashes showing the tree of ``new_size`` entries extends the one of ``old_size``."""
    tree_size = _tree_size(session)
    if not (isinstance(old_size, int) and isinstance(new_size, int)) or not 0 < old_size <= new_size <= tree_size:
        raise ProofError(f"no consistency proof from {old_size} to {new_size} (the books hold {tree_size})")
    return consistency_proof(old_size, new_size, _get_node(session))


def _tree_size(session: Session) -> int:
    return session.execute(select(func.coalesce(func.max(schema.tree_head.c.size), 0))).scalar_one()
