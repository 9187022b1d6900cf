"""The Merkle tree hashes as RFC 6962 says, and its verifiers refuse every hostile proof."""

from __future__ import annotations

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [f"entry {i}".encode() for i in range(70)]
TREE = MemoryTree(LEAVES)


# --- the RFC, written as naively as it reads ---------------------------------------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = _k(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


# --- roots and the frontier --------------------------------------------------------------------


def test_the_roots_of_the_certificate_transparency_test_vectors():
    leaves = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58)),
              bytes(range(0x60, 0x70))]  # fmt: skip
    expected = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    tree = MemoryTree(leaves)
    assert [tree.root(n).hex() for n in range(1, 9)] == expected
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_frontier_root_matches_the_naive_root_at_every_size_up_to_70():
    frontier = Frontier()
    for n in range(71):
        assert frontier.root() == mth(LEAVES[:n]) == root_at(n, TREE.get_node), n
        assert Frontier.from_bytes(n, frontier.to_bytes()).root() == frontier.root()
        assert Frontier.from_nodes(n, TREE.get_node).hashes == frontier.hashes
        if n < 70:
            frontier.append(leaf_hash(LEAVES[n]))


def test_appends_return_every_complete_node_exactly_once_with_one_hash_each_on_average():
    frontier, returned = Frontier(), {}
    for i, leaf in enumerate(LEAVES[:64]):
        nodes = frontier.append(leaf_hash(leaf))
        assert nodes[0] == (0, i, leaf_hash(leaf))
        for level, index, h in nodes:
            assert (level, index) not in returned
            returned[(level, index)] = h
    expected = {
        (level, index): mth(LEAVES[index << level : (index + 1) << level])
        for level in range(7)
        for index in range(64 >> level)
    }
    assert returned == expected
    assert len(returned) == 2 * 64 - 1  # 64 leaves, 63 node hashes for 64 appends


def test_a_frontier_refuses_a_saved_edge_of_the_wrong_shape():
    with pytest.raises(ValueError):
        Frontier.from_bytes(3, bytes(32))  # size 3 has two perfect subtrees
    with pytest.raises(ValueError):
        Frontier.from_bytes(1, bytes(31))
    with pytest.raises(ValueError):
        Frontier(-1)
    with pytest.raises(ValueError):
        Frontier().append(b"not a hash")


def test_proofs_at_a_million_leaves_read_only_logarithmically_many_nodes():
    calls = []

    def get_node(level: int, index: int) -> bytes:
        calls.append((level, index))
        return sha256(f"{level}/{index}".encode()).digest()

    size = 1_000_003
    for work in (
        lambda: root_at(size, get_node),
        lambda: inclusion_proof(123_456, size, get_node),
        lambda: consistency_proof(654_321, size, get_node),
        lambda: subtree_hash(524_288, size, get_node),
    ):
        calls.clear()
        work()
        assert 0 < len(calls) <= 2 * size.bit_length()
        assert all((index + 1) << level <= size for level, index in calls)  # complete nodes only


# --- proofs ------------------------------------------------------------------------------------


def test_inclusion_proofs_are_rfc_paths_and_verify_for_every_leaf_of_every_size_up_to_40():
    for n in range(1, 41):
        root = TREE.root(n)
        for i in range(n):
            proof = TREE.inclusion_proof(i, n)
            assert proof == path(i, LEAVES[:n])
            verify_inclusion(leaf_hash(LEAVES[i]), i, n, proof, root)


def test_consistency_proofs_are_rfc_proofs_and_verify_for_every_pair_of_sizes_up_to_40():
    for n in range(1, 41):
        for m in range(1, n + 1):
            proof = TREE.consistency_proof(m, n)
            assert proof == subproof(m, LEAVES[:n], True)
            verify_consistency(m, n, TREE.root(m), TREE.root(n), proof)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_any_leaf_proves_its_own_place_and_no_other(case):
    n, i = case
    proof = TREE.inclusion_proof(i, n)
    verify_inclusion(leaf_hash(LEAVES[i]), i, n, proof, TREE.root(n))
    for j in {0, i - 1, i + 1, n - 1} - {i, -1, n}:
        with pytest.raises(ProofError):
            verify_inclusion(leaf_hash(LEAVES[i]), j, n, proof, TREE.root(n))
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"forged"), i, n, proof, TREE.root(n))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 70).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))), st.data())
def test_a_consistency_proof_breaks_under_any_single_change(sizes, data):
    m, n = sizes
    proof = TREE.consistency_proof(m, n)
    verify_consistency(m, n, TREE.root(m), TREE.root(n), proof)
    position = data.draw(st.integers(0, len(proof) - 1))
    flipped = bytes([proof[position][0] ^ 1]) + proof[position][1:]
    with pytest.raises(ProofError):
        verify_consistency(m, n, TREE.root(m), TREE.root(n), proof[:position] + [flipped] + proof[position + 1 :])
    with pytest.raises(ProofError):
        verify_consistency(m, n, TREE.root(m - 1) if m > 1 else TREE.root(m + 1), TREE.root(n), proof)


# --- hostile proofs ----------------------------------------------------------------------------

N, IDX = 37, 21
ROOT, LEAF, PROOF = TREE.root(N), leaf_hash(LEAVES[IDX]), TREE.inclusion_proof(IDX, N)


@pytest.mark.parametrize(
    ("why", "args"),
    [
        ("too long", (LEAF, IDX, N, PROOF + [ROOT], ROOT)),
        ("too short", (LEAF, IDX, N, PROOF[:-1], ROOT)),
        ("empty", (LEAF, IDX, N, [], ROOT)),
        ("in the wrong order", (LEAF, IDX, N, PROOF[::-1], ROOT)),
        ("built for another size", (LEAF, IDX, N + 3, PROOF, TREE.root(N + 3))),
        ("built for another index", (LEAF, IDX + 1, N, PROOF, ROOT)),
        ("index equal to the size", (LEAF, N, N, PROOF, ROOT)),
        ("index beyond the size", (LEAF, N + 5, N, PROOF, ROOT)),
        ("negative index", (LEAF, -1, N, PROOF, ROOT)),
        ("negative size", (LEAF, IDX, -N, PROOF, ROOT)),
        ("size that is not an integer", (LEAF, IDX, float(N), PROOF, ROOT)),
        ("index that is a boolean", (LEAF, True, N, PROOF, ROOT)),
        ("short hash in the proof", (LEAF, IDX, N, [PROOF[0][:31]] + PROOF[1:], ROOT)),
        ("hex text instead of bytes", (LEAF, IDX, N, [h.hex() for h in PROOF], ROOT)),
        ("short leaf hash", (LEAF[:16], IDX, N, PROOF, ROOT)),
        ("the leaf's data instead of its hash", (LEAVES[IDX], IDX, N, PROOF, ROOT)),
        ("absurdly long", (LEAF, IDX, N, PROOF * 40, ROOT)),
        ("not a list", (LEAF, IDX, N, b"".join(PROOF), ROOT)),
        ("a size-zero tree", (LEAF, 0, 0, [], EMPTY_ROOT)),
    ],
)
def test_hostile_inclusion_proofs_are_refused(why, args):
    with pytest.raises(ProofError):
        verify_inclusion(*args)


M = 13
OLD, CPROOF = TREE.root(M), TREE.consistency_proof(M, N)


@pytest.mark.parametrize(
    ("why", "args"),
    [
        ("too long", (M, N, OLD, ROOT, CPROOF + [ROOT])),
        ("too short", (M, N, OLD, ROOT, CPROOF[:-1])),
        ("empty when one is needed", (M, N, OLD, ROOT, [])),
        ("in the wrong order", (M, N, OLD, ROOT, CPROOF[::-1])),
        ("built for another old size", (M + 1, N, TREE.root(M + 1), ROOT, CPROOF)),
        ("built for another new size", (M, N + 1, OLD, TREE.root(N + 1), CPROOF)),
        ("old size above the new size", (N, M, ROOT, OLD, CPROOF)),
        ("old size zero", (0, N, EMPTY_ROOT, ROOT, CPROOF)),
        ("old size zero with no proof", (0, N, EMPTY_ROOT, ROOT, [])),
        ("negative old size", (-M, N, OLD, ROOT, CPROOF)),
        ("sizes that are not integers", (str(M), N, OLD, ROOT, CPROOF)),
        ("same size with a proof", (N, N, ROOT, ROOT, [ROOT])),
        ("same size with another root", (N, N, ROOT, OLD, [])),
        ("a hash that is not 32 bytes", (M, N, OLD, ROOT, CPROOF[:-1] + [CPROOF[-1] + b"\x00"])),
        ("an old root that is not 32 bytes", (M, N, OLD[:20], ROOT, CPROOF)),
        ("the old root swapped for the new", (M, N, ROOT, OLD, CPROOF)),
    ],
)
def test_hostile_consistency_proofs_are_refused(why, args):
    with pytest.raises(ProofError):
        verify_consistency(*args)


def test_a_power_of_two_old_size_needs_no_old_root_in_its_proof_and_refuses_a_forged_one():
    proof = TREE.consistency_proof(16, 37)
    assert TREE.root(16) not in proof
    verify_consistency(16, 37, TREE.root(16), TREE.root(37), proof)
    with pytest.raises(ProofError):
        verify_consistency(16, 37, TREE.root(15), TREE.root(37), proof)


def test_equal_sizes_with_equal_roots_and_an_empty_proof_are_consistent():
    verify_consistency(N, N, ROOT, ROOT, [])
    assert consistency_proof(N, N, TREE.get_node) == []


def test_proof_generation_refuses_impossible_requests():
    with pytest.raises(ProofError):
        inclusion_proof(5, 5, TREE.get_node)
    with pytest.raises(ProofError):
        consistency_proof(0, 5, TREE.get_node)
    with pytest.raises(ProofError):
        consistency_proof(6, 5, TREE.get_node)
    with pytest.raises(LookupError):
        root_at(71, TREE.get_node)  # beyond the stored tree: no node to read
