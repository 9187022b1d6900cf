"""The standalone verifier: check a public export, or one receipt's proof, with no database.

    python -m ledger.verify EXPORT.jsonl [--checkpoint NOTE] [--public-key VKEY_OR_FILE]
    python -m ledger.verify PROOF.json --checkpoint NOTE --public-key VKEY_OR_FILE

Anyone can run this on a copy of the books: it rehashes every line exactly as exported,
replays every rule of the ledger, rebuilds the Merkle root, and checks it against the header
and against a checkpoint signed by the fund's key. It streams, so memory stays flat however
long the export, and the per-line path is kept lean, because "anyone can audit" only holds if
auditing a million entries takes seconds, not an afternoon.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import islice
from typing import IO

from .checkpoint import Checkpoint, Verifier, open_note
from .errors import CheckpointError, LedgerError, ProofError, TamperDetected
from .merkle import EMPTY_ROOT, leaf_hash, verify_inclusion
from .replay import Replayer

try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; plain json is the fallback
    from json import loads as _loads

EXPORT_FORMAT = "ayni-ledger/1"
PROOF_FORMAT = "ayni-inclusion-proof/1"
_CHUNK = 1 << 20
_HEX_HASH = re.compile(r"[0-9a-f]{64}\Z")
#: no honest proof file comes near this; refuse bigger ones unread
MAX_PROOF_FILE = 1 << 20


@dataclass(frozen=True)
class Summary:
    """What a verification established."""

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


@dataclass(frozen=True)
class ProofSummary:
    origin: str
    seq: int
    size: int
    entry: dict

    def line(self) -> str:
        return f"ok: entry {self.seq} is in the books of {self.origin}, checkpoint size {self.size} verified"


def _verifier(vkey: str | Verifier) -> Verifier:
    return vkey if isinstance(vkey, Verifier) else Verifier.from_vkey(vkey)


def _file_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """Lines without their newline, read a megabyte at a time (faster than line iteration)."""
    rest = b""
    while chunk := stream.read(_CHUNK):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


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
    if type(size) is not int or size < 0 or not isinstance(root, str) or not _HEX_HASH.match(root):
        raise TamperDetected("line 1: the header's size or root is malformed")
    return origin, size, bytes.fromhex(root)


def _check_lines(lines: Iterator[bytes], start: int, count: int, replayer: Replayer, stack: list[bytes]) -> int:
    """Hash, parse and replay up to ``count`` entries from seq ``start``; return the next seq.

    This is the hot loop: the tree's right edge is kept inline in ``stack`` (the same
    algorithm as :class:`~ledger.merkle.Frontier`) and every name is a local.
    """
    sha, loads, apply, push, pop = sha256, _loads, replayer.apply, stack.append, stack.pop
    seq = start
    for raw in islice(lines, count):
        h = sha(b"\x00" + raw).digest()
        n = seq
        while n & 1:
            h = sha(b"\x01" + pop() + h).digest()
            n >>= 1
        push(h)
        try:
            apply(loads(raw))
        except ValueError as error:
            raise TamperDetected(f"line {seq + 2} (entry {seq}): not a valid JSON entry: {error}", seq) from None
        except LedgerError as error:
            raise TamperDetected(f"line {seq + 2}: {error}", seq) from error
        seq += 1
    return seq


def _root(stack: list[bytes]) -> bytes:
    if not stack:
        return EMPTY_ROOT
    h = stack[-1]
    for left in reversed(stack[:-1]):
        h = sha256(b"\x01" + left + h).digest()
    return h


def verify_lines(lines: Iterator[bytes], checkpoint: Checkpoint | None = None) -> Summary:
    """Verify an export given as an iterator of lines without newlines (header first)."""
    origin, size, root = _read_header(next(lines, None))
    if checkpoint is not None:
        if checkpoint.origin != origin:
            raise CheckpointError(f"the checkpoint is for {checkpoint.origin!r}, the export for {origin!r}")
        if checkpoint.size > size:
            raise CheckpointError(
                f"the checkpoint covers {checkpoint.size} entries, the export only {size}: entries are missing"
            )
    replayer, stack = Replayer(), []
    seq = 0
    if checkpoint is not None:
        seq = _check_lines(lines, 0, checkpoint.size, replayer, stack)
        if seq == checkpoint.size and _root(stack) != checkpoint.root:
            raise TamperDetected(f"the first {seq} entries do not rebuild the root signed in the checkpoint")
    seq = _check_lines(lines, seq, size - seq, replayer, stack)
    if seq < size:
        raise TamperDetected(f"the export ends after {seq} entries; its header says {size}", seq)
    if next(lines, None) is not None:
        raise TamperDetected(f"line {size + 2}: more entries than the {size} the header announces", size)
    rebuilt = _root(stack)
    if rebuilt != root:
        raise TamperDetected(
            f"the {size} entries rebuild root {rebuilt.hex()}, not the header's {root.hex()}: "
            "an entry or the header was altered"
        )
    return Summary(origin, size, root, checkpoint.size if checkpoint else None, replayer.balances)


def verify_export(
    source: str | os.PathLike | Iterable[bytes | str],
    checkpoint_note: str | None = None,
    vkey: str | Verifier | None = None,
) -> Summary:
    """Verify a JSONL export (a path, or its lines); raise the first problem found.

    With ``checkpoint_note`` and ``vkey`` the checkpoint's signature is checked first, then
    the root of its first ``size`` entries. Raises :class:`TamperDetected` (``.seq`` names
    the first bad entry when there is one) or :class:`CheckpointError`.
    """
    checkpoint = None
    if checkpoint_note is not None or vkey is not None:
        if checkpoint_note is None or vkey is None:
            raise CheckpointError("a checkpoint is checked with the fund's public key: give both")
        checkpoint = open_note(checkpoint_note, _verifier(vkey))
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            return verify_lines(_file_lines(stream), checkpoint)
    return verify_lines(_given_lines(source), checkpoint)


def proof_document(origin: str, entry: bytes, seq: int, size: int, hashes: list[bytes]) -> dict:
    """The receipt's proof file that :func:`verify_proof` reads (write it with any JSON encoder)."""
    return {
        "format": PROOF_FORMAT,
        "origin": origin,
        "entry": entry.decode("utf-8"),
        "seq": seq,
        "size": size,
        "hashes": [h.hex() for h in hashes],
    }


def verify_proof(document: object, checkpoint_note: str, vkey: str | Verifier) -> ProofSummary:
    """Check one entry's inclusion proof against a signed checkpoint of the same size."""
    checkpoint = open_note(checkpoint_note, _verifier(vkey))
    if not isinstance(document, dict) or document.get("format") != PROOF_FORMAT:
        raise ProofError(f"not an {PROOF_FORMAT} document")
    entry, seq, size, hashes = (document.get(k) for k in ("entry", "seq", "size", "hashes"))
    if not isinstance(entry, str) or not isinstance(hashes, list):
        raise ProofError("a proof carries the entry's text and a list of hashes")
    if not all(isinstance(h, str) and _HEX_HASH.match(h) for h in hashes):
        raise ProofError("every proof hash is 64 lower-case hex digits")
    if document.get("origin") != checkpoint.origin:
        raise ProofError(f"the proof is for {document.get('origin')!r}, the checkpoint for {checkpoint.origin!r}")
    if size != checkpoint.size:
        raise ProofError(f"the proof is for a tree of {size!r} entries, the checkpoint for {checkpoint.size}")
    data = entry.encode("utf-8")
    try:
        parsed = _loads(data)
    except ValueError:
        raise ProofError("the proven entry is not valid JSON") from None
    if not isinstance(parsed, dict) or parsed.get("seq") != seq or type(seq) is not int:
        raise ProofError(f"the entry's own seq does not match the proof's seq {seq!r}")
    verify_inclusion(leaf_hash(data), seq, size, [bytes.fromhex(h) for h in hashes], checkpoint.root)
    return ProofSummary(checkpoint.origin, seq, size, parsed)


def verify_proof_file(path: str | os.PathLike, checkpoint_note: str, vkey: str | Verifier) -> ProofSummary:
    """:func:`verify_proof` on a file holding the proof document."""
    with open(path, "rb") as stream:
        raw = stream.read(MAX_PROOF_FILE + 1)
    if len(raw) > MAX_PROOF_FILE:
        raise ProofError("the proof file is far larger than any proof")
    try:
        document = _loads(raw)
    except ValueError:
        raise ProofError("the proof file is not valid JSON") from None
    return verify_proof(document, checkpoint_note, vkey)


def _read_text_arg(value: str) -> str:
    """A key or note given inline, or the path of a file holding it."""
    if os.path.isfile(value):
        with open(value, encoding="utf-8", newline="") as stream:
            return stream.read()
    return value


def _sniff(path: str) -> str:
    """Which kind of file this is, from its first line: an export or a proof document."""
    with open(path, "rb") as stream:
        first = stream.readline(MAX_PROOF_FILE)
    try:
        header = _loads(first)
    except ValueError:
        return "proof"  # a pretty-printed proof spans lines; verify_proof_file says if it is not one
    return "proof" if isinstance(header, dict) and header.get("format") == PROOF_FORMAT else "export"


def main(argv: list[str] | None = None) -> int:
    """Command line: print one ``ok:`` line and return 0, or print why not and return 1."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.verify",
        description="Verify an Ayni ledger export (or one entry's inclusion proof) offline.",
    )
    parser.add_argument("file", help="the JSONL export, or an inclusion proof document")
    parser.add_argument("--checkpoint", help="a signed checkpoint note file")
    parser.add_argument("--public-key", help="the fund's verifier key, or a file holding it")
    args = parser.parse_args(argv)
    try:
        note = _read_text_arg(args.checkpoint) if args.checkpoint else None
        vkey = _read_text_arg(args.public_key).strip() if args.public_key else None
        if _sniff(args.file) == "proof":
            if note is None or vkey is None:
                parser.error("a proof is checked against a signed checkpoint: give --checkpoint and --public-key")
            summary: Summary | ProofSummary = verify_proof_file(args.file, note, vkey)
        else:
            summary = verify_export(args.file, note, vkey)
    except (LedgerError, OSError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(summary.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
