"""Checking Merkle proofs as RFC 9162 says, refusing every malformed or hostile one.

This is what a donor's device or a witness runs: it needs only SHA-256, not the tree, so it
is kept apart from the code that builds trees (:mod:`ledger.merkle`, which re-exports it).
Each check raises :class:`ProofError` with the reason; nothing here returns a boolean that a
caller could forget to test.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

from .errors import ProofError

HASH_SIZE = 32
#: the root of the empty tree (RFC 6962 2.1: MTH({}) = SHA-256())
EMPTY_ROOT = sha256(b"").digest()
#: no tree we could ever hold is deeper than this; longer proofs are refused before hashing
MAX_PROOF_LENGTH = 64


def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf: SHA-256(0x00 || data); the prefix keeps leaves and nodes apart."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right).digest()


def check_size(what: str, value: object) -> None:
    """Sizes and indexes are whole numbers >= 0 (not booleans, not text)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{what} must be a whole number >= 0, not {value!r}")


def _check_hashes(proof: object, *named: object) -> None:
    if not isinstance(proof, (list, tuple)):
        raise ProofError("a proof is a list of hashes")
    if len(proof) > MAX_PROOF_LENGTH:
        raise ProofError(f"a proof of {len(proof)} hashes is longer than any real tree needs")
    for h in (*named, *proof):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ProofError("every hash in a proof must be 32 bytes")


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf *hash*) is leaf ``index`` of the tree ``(size, root)``.

    RFC 9162 2.1.3.2. Raises :class:`ProofError` for any proof that is malformed, too long,
    too short, out of order, or made for another index or size.
    """
    check_size("tree size", size)
    check_size("leaf index", index)
    _check_hashes(proof, leaf, root)
    if index >= size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than a tree of this size needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than a tree of this size needs")
    if r != root:
        raise ProofError(f"the inclusion proof for leaf {index} does not lead to the root of size {size}")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree ``(new_size, new_root)`` extends ``(old_size, old_root)`` unchanged.

    RFC 9162 2.1.4.2. Equal sizes need an empty proof and equal roots; an old size of zero
    proves nothing and is refused, as are proofs of the wrong length, order, or sizes.
    """
    check_size("old size", old_size)
    check_size("new size", new_size)
    _check_hashes(proof, old_root, new_root)
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old_size > new_size:
        raise ProofError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of the same size need an empty consistency proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    if not proof:
        raise ProofError(f"an empty consistency proof from size {old_size} to {new_size}")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than these sizes need")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than these sizes need")
    if fr != old_root:
        raise ProofError(f"the consistency proof does not lead to the old root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"the consistency proof does not lead to the new root of size {new_size}")
