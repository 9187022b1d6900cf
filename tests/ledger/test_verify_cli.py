"""Anyone re-verifies the public books offline with `python -m ledger.verify`, and tampering is named."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from ledger import treehash
from ledger.checkpoint import Checkpoint, generate_signer
from ledger.cosignature import generate_cosigner, with_lines
from ledger.entry import Entry, Posting, canonical_bytes, leaf_object
from ledger.errors import CheckpointError, ProofError, TamperDetected
from ledger.merkle import MemoryTree
from ledger.receipt import proof_document, verify_proof
from ledger.treehash import read_chunks, split_lines
from ledger.verify import verify_export

#: these run `python -m ledger.verify` / `ledger.witness` as processes: the full suite, not the fast tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "ayni.example.org/books"
SIGNER = generate_signer(ORIGIN)


def season_of_books() -> list[bytes]:
    """A fund's first weeks: accounts opened, gifts in, holds approved, paid out or voided."""
    entries = []
    for code, currency, kind, floor in (
        ("donations:stripe", "EUR", "Income", False),
        ("donations:offline", "PLN", "Income", False),
        ("fees:stripe", "EUR", "Expenses", False),
        ("pool:1:available", "EUR", "Liabilities", True),
        ("pool:1:paid", "EUR", "Expenses", False),
        ("pool:2:available", "PLN", "Liabilities", True),
        ("pool:2:paid", "PLN", "Expenses", False),
    ):
        meta = {"account": code, "currency": currency, "type": kind, "floor_zero": floor}
        entries.append(Entry(f"open:{code}", "open", meta=meta))
    for n in range(12):
        gross = 2_000 + 150 * n
        entries.append(Entry(f"gift:pi_{n:04d}", "transfer", (
            Posting("donations:stripe", "EUR", -gross),
            Posting("pool:1:available", "EUR", gross - 88),
            Posting("fees:stripe", "EUR", 88),
        ), {"gift": f"pi_{n:04d}", "monthly": n % 3 == 0}))  # fmt: skip
    entries.append(Entry("gift:cash-1", "transfer", (
        Posting("donations:offline", "PLN", -55_000), Posting("pool:2:available", "PLN", 55_000),
    )))  # fmt: skip
    holds = []
    for n, (pool, currency, amount) in enumerate([(1, "EUR", 5_000), (2, "PLN", 20_000), (1, "EUR", 2_500)]):
        postings = (
            Posting(f"pool:{pool}:available", currency, -amount),
            Posting(f"pool:{pool}:paid", currency, amount),
        )
        entries.append(Entry(f"approve:r{n}", "note", meta={"event": "approved", "request": f"r{n}", "by": "quorum"}))
        entries.append(Entry(f"hold:r{n}", "reserve", postings, {"request": f"r{n}"}))
        holds.append((len(entries) - 1, postings))
    entries.append(Entry("payout:r0", "settle", holds[0][1], {"request": "r0"}, reservation=holds[0][0]))
    entries.append(Entry("payout:r1", "settle", holds[1][1], {"request": "r1"}, reservation=holds[1][0]))
    entries.append(Entry("withdrawn:r2", "void", meta={"request": "r2"}, reservation=holds[2][0]))
    day = date(2025, 3, 1)
    return [canonical_bytes(leaf_object(seq, day + timedelta(days=seq // 7), e)) for seq, e in enumerate(entries)]


LINES = season_of_books()
TREE = MemoryTree(LINES)
N = len(LINES)


def header(size: int = N, root: bytes | None = None, origin: str = ORIGIN) -> bytes:
    root = TREE.root(size) if root is None else root
    return canonical_bytes({"format": "ayni-ledger/1", "origin": origin, "size": size, "root": root.hex()})


def write(path: Path, lines: list[bytes], head: bytes | None = None, newline: bytes = b"\n") -> Path:
    path.write_bytes(b"".join(line + newline for line in [head or header(), *lines]))
    return path


def note(size: int = N, root: bytes | None = None, signer=SIGNER) -> str:
    return signer.sign_note(Checkpoint(signer.name, size, TREE.root(size) if root is None else root))


def run(tmp_path: Path, export: Path, checkpoint: str | None = None, *extra: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-W", "error", "-m", "ledger.verify", str(export)]
    if checkpoint is not None:
        (tmp_path / "checkpoint.txt").write_text(checkpoint, encoding="utf-8")
        args += ["--checkpoint", str(tmp_path / "checkpoint.txt"), "--public-key", SIGNER.vkey]
    return subprocess.run([*args, *extra], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_good_export_verifies_against_the_signed_checkpoint(tmp_path):
    export = write(tmp_path / "books.jsonl", LINES)
    done = run(tmp_path, export, note())
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ok: {N} entries, root {TREE.root(N).hex()}, checkpoint size {N} verified\n"
    (tmp_path / "key.txt").write_text(SIGNER.vkey + "\n", encoding="utf-8")
    earlier = run(tmp_path, export, note(20))
    assert earlier.returncode == 0 and "checkpoint size 20 verified" in earlier.stdout
    alone = run(tmp_path, export)
    assert alone.returncode == 0 and "only the export's own consistency" in alone.stdout
    by_file = subprocess.run(
        [sys.executable, "-m", "ledger.verify", str(export), "--checkpoint", str(tmp_path / "checkpoint.txt"),
         "--public-key", str(tmp_path / "key.txt")], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert by_file.returncode == 0, by_file.stderr


def test_a_flipped_digit_in_an_amount_is_named_by_line_and_entry(tmp_path):
    lines = list(LINES)
    lines[10] = lines[10].replace(b"-2450", b"-2459")
    done = run(tmp_path, write(tmp_path / "books.jsonl", lines), note())
    assert done.returncode == 1
    assert "line 12: entry 10: postings in EUR add up to -9, not zero" in done.stderr


def _free_text(line: bytes) -> set[int]:
    """Positions inside the key, date and meta values: text no rule constrains, held by the root alone."""
    positions = set()
    for opening, closing in ((b'"key":"', b'"'), (b'"date":"', b'"'), (b'"meta":{', b"}")):
        start = line.index(opening) + len(opening)
        positions.update(range(start, line.index(closing, start)))
    return positions


def test_every_single_byte_flip_anywhere_in_an_entry_is_caught_and_named_where_a_rule_can_see_it():
    for victim in (3, 10, N - 1):
        free = _free_text(LINES[victim])
        for position in range(len(LINES[victim])):
            lines = list(LINES)
            raw = bytearray(lines[victim])
            raw[position] ^= 0x01
            lines[victim] = bytes(raw)
            with pytest.raises(TamperDetected) as caught:
                verify_export([header(), *lines], note(), SIGNER.vkey)
            seq, message = caught.value.seq, str(caught.value)
            if position not in free:
                assert seq == victim and message.startswith(f"line {victim + 2}: "), (position, message)
            elif seq is None:
                assert "do not rebuild the root signed in the checkpoint" in message
            else:  # an account renamed where it is opened is "never opened" where it is first used
                assert seq >= victim and message.startswith(f"line {seq + 2}"), (position, message)


@pytest.mark.parametrize(
    ("why", "lines", "message"),
    [
        ("two lines swapped", LINES[:8] + [LINES[9], LINES[8]] + LINES[10:], "line 10: entry 8: found seq 9"),
        ("a line dropped", LINES[:15] + LINES[16:], "line 17: entry 15: found seq 16"),
        ("the last line dropped", LINES[:-1], f"ends after {N - 1} entries"),
        ("a line repeated at the end", LINES + [LINES[-1]], f"line {N + 2}: more entries"),
        ("a blank line inserted", LINES[:5] + [b""] + LINES[5:], "line 7: entry 5: not a valid JSON entry"),
    ],
)
def test_reordered_dropped_or_added_lines_are_refused(tmp_path, why, lines, message):
    done = run(tmp_path, write(tmp_path / "books.jsonl", lines), note())
    assert done.returncode == 1
    assert message in done.stderr


def test_a_header_root_that_the_entries_do_not_rebuild_is_refused(tmp_path):
    done = run(tmp_path, write(tmp_path / "books.jsonl", LINES, header(root=TREE.root(N - 1))))
    assert done.returncode == 1 and "not the header's" in done.stderr
    for bad in (
        b'{"format":"ayni-ledger/2"}',
        b"not json",
        header(size=N + 1, root=TREE.root(N)),
        header(origin="other.example/b"),
    ):
        assert run(tmp_path, write(tmp_path / "books.jsonl", LINES, bad), note()).returncode == 1


def test_rewritten_history_with_a_fresh_header_is_caught_only_by_the_signed_checkpoint(tmp_path):
    lines = list(LINES)
    lines[9] = lines[9].replace(b'"monthly":false', b'"monthly":true ').replace(b"true ", b"true")
    forged = MemoryTree(lines)
    export = write(tmp_path / "books.jsonl", lines, header(root=forged.root(N)))
    assert run(tmp_path, export).returncode == 0  # self-consistent: only a signature can tell
    done = run(tmp_path, export, note())
    assert done.returncode == 1 and f"the first {N} entries do not rebuild the root signed" in done.stderr


def test_a_checkpoint_by_another_key_bigger_than_the_export_or_of_another_tree_is_refused(tmp_path):
    export = write(tmp_path / "books.jsonl", LINES)
    impostor = generate_signer(ORIGIN)
    assert "no signature by" in run(tmp_path, export, note(signer=impostor)).stderr
    bigger = run(tmp_path, export, note(N + 1, root=TREE.root(N)))
    assert bigger.returncode == 1 and f"covers {N + 1} entries, the export only {N}" in bigger.stderr
    other = run(tmp_path, export, note(20, root=TREE.root(19)))
    assert other.returncode == 1 and "do not rebuild the root signed" in other.stderr
    smaller = write(tmp_path / "short.jsonl", LINES[:20], header(size=20))
    shorter = run(tmp_path, smaller, note())
    assert shorter.returncode == 1 and f"covers {N} entries, the export only 20" in shorter.stderr


def test_windows_line_endings_are_not_the_exported_bytes(tmp_path):
    done = run(tmp_path, write(tmp_path / "books.jsonl", LINES, newline=b"\r\n"), note())
    assert done.returncode == 1


def test_a_rule_broken_inside_a_validly_signed_tree_is_still_refused(tmp_path):
    """An operator who signs an overdraft cannot make it verify: the replay finds it."""
    overdraft = leaf_object(N, date(2025, 4, 1), Entry("payout:greedy", "transfer", (
        Posting("pool:2:available", "PLN", -99_999), Posting("pool:2:paid", "PLN", 99_999))))  # fmt: skip
    lines = LINES + [canonical_bytes(overdraft)]
    tree = MemoryTree(lines)
    export = write(tmp_path / "books.jsonl", lines, header(N + 1, tree.root(N + 1)))
    done = run(tmp_path, export, SIGNER.sign_note(Checkpoint(ORIGIN, N + 1, tree.root(N + 1))))
    assert done.returncode == 1
    assert f"line {N + 2}: entry {N}: pool:2:available would have" in done.stderr


def test_the_python_api_verifies_lines_and_reports_balances():
    summary = verify_export([header(), *LINES], note(), SIGNER.vkey)
    assert (summary.size, summary.root, summary.checkpoint_size) == (N, TREE.root(N), N)
    assert summary.balances["pool:2:paid"] == (20_000, 0)
    assert summary.balances["pool:1:available"][1] == 0  # the voided hold was released
    with pytest.raises(CheckpointError):
        verify_export([header(), *LINES], note())  # a checkpoint without the key to check it
    with pytest.raises(TamperDetected, match="empty"):
        verify_export([])


def test_a_helper_process_hashes_the_same_bytes_and_reaches_the_same_verdicts(tmp_path):
    export = write(tmp_path / "books.jsonl", LINES)
    assert verify_export(export, note(20), SIGNER.vkey, parallel=True) == verify_export(export, note(20), SIGNER.vkey)
    lines = list(LINES)
    lines[9] = lines[9].replace(b'"monthly":false', b'"monthly":true')
    forged = write(tmp_path / "forged.jsonl", lines, header(root=MemoryTree(lines).root(N)))
    with pytest.raises(TamperDetected, match="do not rebuild the root signed"):
        verify_export(forged, note(), SIGNER.vkey, parallel=True)
    with pytest.raises(TamperDetected, match="line 12: entry 10"):
        verify_export(write(tmp_path / "bad.jsonl", LINES[:10] + [b"{}"] + LINES[11:]), parallel=True)
    with pytest.raises(TamperDetected, match="not the header's"):
        verify_export(write(tmp_path / "head.jsonl", LINES, header(root=TREE.root(3))), parallel=True)


# --- one receipt's proof -------------------------------------------------------------------------


def proof_file(tmp_path: Path, at: int = 17, size: int = N, changes: dict | None = None) -> Path:
    document = proof_document(ORIGIN, LINES[at], at, size, TREE.inclusion_proof(at, size))
    document.update(changes or {})
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_a_donors_receipt_proves_their_gift_is_in_the_signed_books(tmp_path):
    done = run(tmp_path, proof_file(tmp_path), note())
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ok: entry 17 is in the books of {ORIGIN}, checkpoint size {N} verified\n"
    summary = verify_proof(json.loads(proof_file(tmp_path, 3, 20).read_text()), note(20), SIGNER.vkey)
    assert summary.entry["key"] == "open:pool:1:available"


def test_hostile_receipts_are_refused(tmp_path):
    hashes = [h.hex() for h in TREE.inclusion_proof(17, N)]
    other_gift = LINES[18].decode()
    for changes in (
        {"entry": other_gift},
        {"entry": LINES[17].decode().replace("3500", "3501")},
        {"seq": 18},
        {"hashes": hashes[::-1]},
        {"hashes": hashes[:-1]},
        {"hashes": hashes + hashes[:1]},
        {"hashes": [h.upper() for h in hashes]},
        {"size": N - 1},
        {"origin": "other.example/books"},
        {"format": "ayni-inclusion-proof/2"},
    ):
        done = run(tmp_path, proof_file(tmp_path, changes=changes), note())
        assert done.returncode != 0, changes
        assert "FAILED" in done.stderr or "usage" in done.stderr
    with pytest.raises(ProofError, match="checkpoint for 20"):
        verify_proof(json.loads(proof_file(tmp_path).read_text()), note(20), SIGNER.vkey)
    without_checkpoint = run(tmp_path, proof_file(tmp_path))
    assert without_checkpoint.returncode == 2 and "--checkpoint" in without_checkpoint.stderr
    assert run(tmp_path, proof_file(tmp_path), note(signer=generate_signer(ORIGIN))).returncode == 1


def test_a_tampered_signed_prefix_is_reported_before_anything_after_it(tmp_path):
    lines = list(LINES)
    lines[9] = lines[9].replace(b'"monthly":false', b'"monthly":true')
    lines[25] = lines[25].replace(b"-2500", b"-2501")  # beyond the checkpoint, and unbalanced
    with pytest.raises(TamperDetected, match="the first 20 entries do not rebuild the root signed"):
        verify_export([header(), *lines], note(20), SIGNER.vkey)


def test_lines_split_the_same_whatever_the_chunk_boundaries():
    data = header() + b"\n" + b"\n".join(LINES) + b"\n"
    for size in (1, 7, 64, 4096, len(data) + 1):
        assert list(split_lines(read_chunks(io.BytesIO(data), size))) == [header(), *LINES]
    assert list(split_lines([b"a\nb"])) == [b"a", b"b"]  # a last line without its newline still counts
    assert list(split_lines([b"a\n\n"])) == [b"a", b""]  # a blank last line is a line


def long_export(path: Path) -> tuple[Path, MemoryTree]:
    """The season's books and 3,000 more gifts: an export of several read chunks."""
    lines = list(LINES)
    day = date(2025, 4, 1)
    for n in range(3_000):
        gift = Entry(f"gift:bulk-{n}", "transfer", (
            Posting("donations:stripe", "EUR", -(100 + n)), Posting("pool:1:available", "EUR", 100 + n)))  # fmt: skip
        lines.append(canonical_bytes(leaf_object(len(lines), day, gift)))
    tree = MemoryTree(lines)
    return write(path, lines, header(len(lines), tree.root(len(lines)))), tree


def test_a_long_export_verifies_across_many_chunks_in_both_modes(tmp_path):
    export, tree = long_export(tmp_path / "long.jsonl")
    signed = SIGNER.sign_note(Checkpoint(ORIGIN, 1_234, tree.root(1_234)))
    serial = verify_export(export, signed, SIGNER.vkey, parallel=False)
    assert serial == verify_export(export, signed, SIGNER.vkey, parallel=True)
    assert serial.size == tree.size and serial.root == tree.root()


def test_a_verifier_far_ahead_of_its_helper_waits_for_it(tmp_path, monkeypatch):
    # A pipe of one page and no read-ahead: nearly every write finds the helper behind.
    monkeypatch.setattr(treehash, "PIPE_SIZE", 4096)
    monkeypatch.setattr(treehash, "BACKLOG", 0)
    export, _tree = long_export(tmp_path / "long.jsonl")

    assert verify_export(export, parallel=True) == verify_export(export, parallel=False)


def test_a_helper_that_dies_fails_the_verification_instead_of_vouching_for_it(tmp_path, monkeypatch):
    monkeypatch.setattr(treehash, "_HELPER", "import sys; sys.exit(3)")
    export, _tree = long_export(tmp_path / "long.jsonl")

    with pytest.raises(RuntimeError, match="hashing helper process failed: exit status 3"):
        verify_export(export, parallel=True)


def test_a_checkpoint_with_fewer_witness_cosignatures_than_required_fails_and_says_whose_it_found(tmp_path):
    export = write(tmp_path / "books.jsonl", LINES)
    alba, bruno, carla = (generate_cosigner(f"{n}.example/witness") for n in ("alba", "bruno", "carla"))
    signed = note()
    body = signed[: signed.index("\n\n") + 1]
    cosigned = with_lines(signed, [alba.cosign(body, 1_760_000_000), bruno.cosign(body, 1_760_000_005)])
    witnesses = [arg for w in (alba, bruno, carla) for arg in ("--witness", w.vkey)]

    two = run(tmp_path, export, cosigned, *witnesses, "--witnesses", "2")
    assert two.returncode == 0, two.stderr
    assert two.stdout.splitlines()[1] == (
        "witnessed: 2 of 3 witnesses cosigned: alba.example/witness (at 1760000000), "
        "bruno.example/witness (at 1760000005)"
    )
    three = run(tmp_path, export, cosigned, *witnesses, "--witnesses", "3")
    assert three.returncode == 1
    assert "carries 2 of the 3 witness cosignatures required; found: alba.example/witness" in three.stderr
    bare = run(tmp_path, export, signed, *witnesses, "--witnesses", "1")
    assert bare.returncode == 1 and "carries 0 of the 1 witness cosignatures required; found: none" in bare.stderr
    forged = cosigned.replace(cosigned.splitlines()[-1][-10:], "AAAAAAAAA=")
    assert run(tmp_path, export, forged, *witnesses, "--witnesses", "1").returncode == 1
