"""The standalone verifier: check a public export, or one receipt's proof, with no database.

    python -m ledger.verify EXPORT.jsonl [--checkpoint NOTE] [--public-key VKEY_OR_FILE]
    python -m ledger.verify PROOF.json --checkpoint NOTE --public-key VKEY_OR_FILE
        [--witness WITNESS_VKEY ...] [--witnesses N]

Anyone can run this on a copy of the books: it rehashes every line exactly as exported,
replays every rule of the ledger, rebuilds the Merkle root, and checks it against the header
and against a checkpoint signed by the fund's key. It streams, so memory stays flat however
long the export, and the per-line path is kept lean, because "anyone can audit" only holds if
auditing a million entries takes seconds, not an afternoon.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import islice

from .checkpoint import Checkpoint, Verifier, open_note
from .cosignature import CosignatureVerifier, cosignatures
from .errors import CheckpointError, LedgerError, TamperDetected
from .receipt import HEX_HASH, MAX_PROOF_FILE, PROOF_FORMAT, ProofSummary, as_verifier, verify_proof_file
from .replay import Replayer
from .treehash import BackgroundHasher, can_parallelise, edge_root, read_chunks, split_lines

try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; plain json is the fallback
    from json import loads as _loads

__all__ = ["Summary", "ProofSummary", "main", "verify_export", "verify_lines", "verify_proof_file"]

EXPORT_FORMAT = "ayni-ledger/1"


@dataclass(frozen=True)
class Summary:
    """What verifying an export established."""

    origin: str
    size: int
    root: bytes
    #: the size of the signed checkpoint that was checked, if one was given
    checkpoint_size: int | None = None
    balances: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def line(self) -> str:
        text = f"ok: {self.size} entries, root {self.root.hex()}"
        if self.checkpoint_size is None:
            return text + " (no signed checkpoint given: only the export's own consistency was checked)"
        return text + f", checkpoint size {self.checkpoint_size} verified"


def verify_export(
    source: str | os.PathLike | Iterable[bytes | str],
    checkpoint_note: str | None = None,
    vkey: str | Verifier | None = None,
    *,
    parallel: bool | None = None,
) -> Summary:
    """Verify a JSONL export (a path, or its lines); raise the first problem found.

    With ``checkpoint_note`` and ``vkey`` the checkpoint's signature is checked first, then
    the root of the export's first ``size`` entries. ``parallel`` hashes in a helper process
    (default: for big files on machines with two cores or more). Raises
    :class:`TamperDetected` (``.seq`` names the first bad entry when there is one) or
    :class:`CheckpointError`.
    """
    checkpoint = None
    if checkpoint_note is not None or vkey is not None:
        if checkpoint_note is None or vkey is None:
            raise CheckpointError("a checkpoint is checked with the fund's public key: give both")
        checkpoint = open_note(checkpoint_note, as_verifier(vkey))
    if not isinstance(source, (str, os.PathLike)):
        return verify_lines(_given_lines(source), checkpoint)
    with open(source, "rb") as stream:
        if parallel is None:
            parallel = can_parallelise(stream)
        if not parallel:
            return verify_lines(split_lines(read_chunks(stream)), checkpoint)
        hasher = BackgroundHasher(sizes=[checkpoint.size] if checkpoint else [])
        try:
            return verify_lines(split_lines(hasher.tee(read_chunks(stream))), checkpoint, hasher)
        finally:
            hasher.close()


def verify_lines(
    lines: Iterator[bytes], checkpoint: Checkpoint | None = None, hasher: BackgroundHasher | None = None
) -> Summary:
    """Verify an export given as lines without newlines, header first.

    With a ``hasher`` that is fed the same bytes, the tree is built beside the replay.
    """
    origin, size, root = _read_header(next(lines, None))
    if checkpoint is not None:
        if checkpoint.origin != origin:
            raise CheckpointError(f"the checkpoint is for {checkpoint.origin!r}, the export for {origin!r}")
        if checkpoint.size > size:
            raise CheckpointError(
                f"the checkpoint covers {checkpoint.size} entries, the export only {size}: entries are missing"
            )
    replayer = Replayer()
    stack: list[bytes] | None = None if hasher else []
    seq, roots = 0, {}
    if checkpoint is not None:
        seq = _check_lines(lines, 0, checkpoint.size, replayer, stack)
        if stack is not None and seq == checkpoint.size:
            roots[seq] = edge_root(stack)
            _check_signed_root(roots, checkpoint)  # before replaying what the checkpoint does not cover
    seq = _check_lines(lines, seq, size - seq, replayer, stack)
    if seq < size:
        raise TamperDetected(f"the export ends after {seq} entries; its header says {size}", seq)
    if next(lines, None) is not None:
        raise TamperDetected(f"line {size + 2}: more entries than the {size} the header announces", size)
    if stack is not None:
        roots[size] = edge_root(stack)
    else:
        hashed, roots = hasher.finish()
        if hashed != size:  # pragma: no cover - the helper splits the same bytes the same way
            raise TamperDetected(f"the export's lines were replayed as {size} entries and hashed as {hashed}")
    if checkpoint is not None:
        _check_signed_root(roots, checkpoint)
    if roots[size] != root:
        raise TamperDetected(
            f"the {size} entries rebuild root {roots[size].hex()}, not the header's {root.hex()}: "
            "an entry or the header was altered"
        )
    return Summary(origin, size, root, checkpoint.size if checkpoint else None, replayer.balances)


def _check_signed_root(roots: dict[int, bytes], checkpoint: Checkpoint) -> None:
    if roots[checkpoint.size] != checkpoint.root:
        raise TamperDetected(f"the first {checkpoint.size} entries do not rebuild the root signed in the checkpoint")


def _given_lines(lines: Iterable[bytes | str]) -> Iterator[bytes]:
    for line in lines:
        raw = line.encode("utf-8") if isinstance(line, str) else line
        yield raw[:-1] if raw.endswith(b"\n") else raw


def _read_header(raw: bytes | None) -> tuple[str, int, bytes]:
    if raw is None:
        raise TamperDetected("the export is empty: line 1 should be its header")
    try:
        header = _loads(raw)
    except ValueError:
        raise TamperDetected("line 1: the header is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise TamperDetected(f"line 1: not an {EXPORT_FORMAT} header")
    origin, size, root = header.get("origin"), header.get("size"), header.get("root")
    if set(header) != {"format", "origin", "size", "root"} or not isinstance(origin, str):
        raise TamperDetected("line 1: the header carries exactly format, origin, size and root")
    if type(size) is not int or size < 0 or not isinstance(root, str) or not HEX_HASH.match(root):
        raise TamperDetected("line 1: the header's size or root is malformed")
    return origin, size, bytes.fromhex(root)


def _check_lines(lines: Iterator[bytes], start: int, count: int, replayer: Replayer, stack: list[bytes] | None) -> int:
    """Parse and replay up to ``count`` entries from seq ``start`` (hashing them into ``stack``
    unless a helper process does); return the next seq.
    """
    batch = islice(lines, count)
    if stack is not None:
        batch = _hashed(batch, start, stack)
    try:
        replayer.replay(map(_loads, batch))
    except (ValueError, LedgerError) as error:  # ValueError: the line is not JSON
        raise _tampered(replayer.next_seq, error) from error
    return replayer.next_seq


def _hashed(lines: Iterator[bytes], start: int, stack: list[bytes]) -> Iterator[bytes]:
    """Pass lines through, appending each to the tree's right edge (Frontier.append, inlined)."""
    sha, push, pop = sha256, stack.append, stack.pop
    seq = start
    for raw in lines:
        h = sha(b"\x00" + raw).digest()
        n = seq
        while n & 1:
            h = sha(b"\x01" + pop() + h).digest()
            n >>= 1
        push(h)
        seq += 1
        yield raw


def _tampered(seq: int, error: Exception) -> TamperDetected:
    if isinstance(error, LedgerError):  # its message already starts "entry <seq>:"
        return TamperDetected(f"line {seq + 2}: {error}", seq)
    return TamperDetected(f"line {seq + 2}: entry {seq}: not a valid JSON entry: {error}", seq)


def _read_key(value: str) -> str:
    """The verifier key, given inline or as the path of a file holding it."""
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as stream:
            return stream.read().strip()
    return value.strip()


def _is_proof(path: str) -> bool:
    """Whether the file is a proof document rather than an export."""
    with open(path, "rb") as stream:
        first = stream.readline(MAX_PROOF_FILE)
        try:
            header = _loads(first)
        except ValueError:  # a pretty-printed proof spans lines
            stream.seek(0)
            try:
                header = _loads(stream.read(MAX_PROOF_FILE))
            except ValueError:
                return False
    return isinstance(header, dict) and header.get("format") == PROOF_FORMAT


def main(argv: list[str] | None = None) -> int:
    """Command line: print one ``ok:`` line and return 0, or print why not and return 1."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.verify",
        description="Verify an Ayni ledger export (or one entry's inclusion proof) offline.",
    )
    parser.add_argument("file", help="the JSONL export, or an inclusion proof document")
    parser.add_argument("--checkpoint", help="a signed checkpoint note file")
    parser.add_argument("--public-key", help="the fund's verifier key, or a file holding it")
    parser.add_argument(
        "--witness", action="append", default=[], help="a witness's verifier key (or a file holding it); repeatable"
    )
    parser.add_argument(
        "--witnesses", type=int, default=0, metavar="N", help="require cosignatures by N of the --witness keys"
    )
    args = parser.parse_args(argv)
    if (args.witness or args.witnesses) and not args.checkpoint:
        parser.error("witness cosignatures are read from the checkpoint: give --checkpoint")
    if args.witnesses > len(args.witness):
        parser.error(f"--witnesses {args.witnesses} needs at least that many --witness keys")
    try:
        note = None
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8", newline="") as stream:
                note = stream.read()
        vkey = _read_key(args.public_key) if args.public_key else None
        if _is_proof(args.file):
            if note is None or vkey is None:
                parser.error("a proof is checked against a signed checkpoint: give --checkpoint and --public-key")
            summary: Summary | ProofSummary = verify_proof_file(args.file, note, vkey)
        else:
            summary = verify_export(args.file, note, vkey)
        witnessed = witness_line(note, [_read_key(k) for k in args.witness], args.witnesses) if args.witness else ""
    except (LedgerError, OSError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(summary.line())
    if witnessed:
        print(witnessed)
    return 0


def witness_line(note: str, witness_keys: list[str], required: int) -> str:
    """Say whose cosignatures the checkpoint carries; refuse it with fewer than ``required``."""
    found = cosignatures(note, [CosignatureVerifier.from_vkey(k) for k in witness_keys])
    names = ", ".join(f"{c.name} (at {c.timestamp})" for c in found) or "none"
    if len(found) < required:
        raise CheckpointError(
            f"the checkpoint carries {len(found)} of the {required} witness cosignatures required; found: {names}"
        )
    return f"witnessed: {len(found)} of {len(witness_keys)} witnesses cosigned: {names}"


if __name__ == "__main__":
    raise SystemExit(main())
