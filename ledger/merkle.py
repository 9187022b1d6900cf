"""The Merkle tree over the entries, hashed exactly as RFC 6962 / RFC 9162 say (SHA-256).

Following the RFC to the byte, rather than inventing a tree, is what lets a donor check a
receipt, and a witness check our checkpoints, with tools we did not write.

Checking proofs needs none of this module: it lives in :mod:`ledger.proofs` (re-exported
here). Proofs are built from *complete* nodes (roots of perfect subtrees) named ``(level, index)``:
level 0 is the leaf hashes, and node ``(level, index)`` covers leaves
``[index * 2**level, (index + 1) * 2**level)``. Complete nodes never change once written, so a
store can insert them append-only (ours keeps those from ``schema.LOWEST_STORED_LEVEL`` up and
hashes the few below again from their leaves); any root or proof for any past size is then built
from O(log n) of them through a ``get_node(level, index)`` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

from .errors import ProofError
from .proofs import EMPTY_ROOT, HASH_SIZE, check_size, leaf_hash, node_hash, verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "MemoryTree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_at",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

GetNode = Callable[[int, int], bytes]
#: a complete node created by an append: (level, index, hash)
Node = tuple[int, int, bytes]


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2): where RFC 6962 splits."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of the tree: the roots of its perfect subtrees, largest first.

    This is all that is needed to append and to compute the current root, so a store can
    keep it in one row (``to_bytes``) instead of reading nodes back on every append.
    """

    __slots__ = ("size", "_hashes")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"tree size must be a whole number >= 0, not {size!r}")
        if len(hashes) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} edge hashes, not {len(hashes)}")
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError("every edge hash must be 32 bytes")
        self.size = size
        self._hashes = [bytes(h) for h in hashes]

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> Frontier:
        """Rebuild a frontier saved with :meth:`to_bytes` (any bytes-like ``blob``)."""
        blob = bytes(blob)
        if len(blob) % HASH_SIZE:
            raise ValueError("a saved frontier is a whole number of 32-byte hashes")
        hashes = [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or len(hashes) != size.bit_count():
            return cls(size, hashes)  # __init__ names what is wrong
        frontier = cls.__new__(cls)  # whole 32-byte hashes, as many as the size needs: no more checks
        frontier.size, frontier._hashes = size, hashes
        return frontier

    @classmethod
    def from_nodes(cls, size: int, get_node: GetNode) -> Frontier:
        """Rebuild the frontier of ``size`` leaves from stored complete nodes (popcount lookups)."""
        hashes, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(get_node(level, start >> level))
                start += 1 << level
        return cls(size, hashes)

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def to_bytes(self) -> bytes:
        """The edge hashes concatenated (32 * popcount(size) bytes); store it with the size."""
        return b"".join(self._hashes)

    def append(self, leaf: bytes) -> list[Node]:
        """Append a leaf given its leaf *hash*; return the complete nodes this creates.

        The first node is the leaf itself ``(0, index, leaf)``; then one ``(level, index, hash)``
        per level at which a perfect subtree is completed. Amortised, one node hash per append.
        """
        if len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes (append the hash, not the entry)")
        leaf = bytes(leaf)
        index = self.size
        nodes = [(0, index, leaf)]
        hashes = self._hashes
        h, n, level = leaf, index, 0
        while n & 1:
            h = sha256(b"\x01" + hashes.pop() + h).digest()
            n >>= 1
            level += 1
            nodes.append((level, n, h))
        hashes.append(h)
        self.size = index + 1
        return nodes

    def root(self) -> bytes:
        """The tree head for the current size (RFC 6962 MTH), from popcount(size) hashes."""
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        h = hashes[-1]
        for left in reversed(hashes[:-1]):
            h = sha256(b"\x01" + left + h).digest()
        return h


def subtree_hash(start: int, end: int, get_node: GetNode) -> bytes:
    """MTH of leaves ``[start, end)``: one lookup if the range is a stored node, else split.

    Ranges that start on a multiple of the largest power of two below their length (every
    range the RFC's proofs ask for) cost O(log n) lookups.
    """
    length = end - start
    if length <= 0:
        raise ValueError(f"empty or reversed leaf range [{start}, {end})")
    if length & (length - 1) == 0 and start % length == 0:
        level = length.bit_length() - 1
        return get_node(level, start >> level)
    k = _split(length)
    return node_hash(subtree_hash(start, start + k, get_node), subtree_hash(start + k, end, get_node))


def root_at(size: int, get_node: GetNode) -> bytes:
    """The root the tree had when it held ``size`` leaves."""
    check_size("tree size", size)
    return EMPTY_ROOT if size == 0 else subtree_hash(0, size, get_node)


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """PATH(index, D[size]) of RFC 6962 2.1.1: the audit path of leaf ``index``, leaf first."""
    check_size("tree size", size)
    check_size("leaf index", index)
    if index >= size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            proof.append(subtree_hash(start + k, end, get_node))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, get_node))
            start += k
    proof.reverse()  # the recursion appends the sibling after the deeper path
    return proof


def consistency_proof(old_size: int, new_size: int, get_node: GetNode) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 6962 2.1.2 (SUBPROOF unrolled into a loop)."""
    check_size("old size", old_size)
    check_size("new size", new_size)
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    proof: list[bytes] = []
    m, start, end, complete = old_size, 0, new_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_hash(start + k, end, get_node))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, get_node))
            m -= k
            start += k
            complete = False
    if not complete:
        proof.append(subtree_hash(start, end, get_node))
    proof.reverse()
    return proof


class MemoryTree:
    """A whole tree in memory, every complete node kept: for tests and for small exports.

    ``levels[level][index]`` is the complete node ``(level, index)``, the same shape a store
    persists, so proofs made here and by the store come from the same functions.
    """

    def __init__(self, leaves: Sequence[bytes] = ()):
        self.frontier = Frontier()
        self.levels: list[list[bytes]] = []
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return self.frontier.size

    def append(self, data: bytes) -> int:
        """Append a leaf's data (not its hash); return its index."""
        for level, index, h in self.frontier.append(leaf_hash(data)):
            if level == len(self.levels):
                self.levels.append([])
            assert len(self.levels[level]) == index
            self.levels[level].append(h)
        return self.size - 1

    def get_node(self, level: int, index: int) -> bytes:
        """The complete node ``(level, index)``; ``LookupError`` if it is not complete yet."""
        try:
            if level < 0 or index < 0:
                raise IndexError
            return self.levels[level][index]
        except IndexError:
            raise LookupError(f"no complete node ({level}, {index}) in a tree of {self.size}") from None

    def root(self, size: int | None = None) -> bytes:
        return self.frontier.root() if size is None else root_at(size, self.get_node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.get_node)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, self.size if new_size is None else new_size, self.get_node)
