"""A receipt's proof: one entry, shown to be in the books without the rest of them.

A donor (or anyone) holding one entry, its audit path and a checkpoint signed by the fund can
check that the entry is leaf ``seq`` of the signed tree, with about log2(n) hashes and no
database. The proof document is plain JSON so it can travel in an email or a QR code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .checkpoint import Verifier, open_note
from .errors import ProofError
from .merkle import leaf_hash, verify_inclusion

try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; plain json is the fallback
    from json import loads as _loads

PROOF_FORMAT = "ayni-inclusion-proof/1"
HEX_HASH = re.compile(r"[0-9a-f]{64}\Z")
#: no honest proof file comes near this; bigger ones are refused unread
MAX_PROOF_FILE = 1 << 20


@dataclass(frozen=True)
class ProofSummary:
    """What checking a receipt established."""

    origin: str
    seq: int
    size: int
    entry: dict

    def line(self) -> str:
        return f"ok: entry {self.seq} is in the books of {self.origin}, checkpoint size {self.size} verified"


def as_verifier(vkey: str | Verifier) -> Verifier:
    return vkey if isinstance(vkey, Verifier) else Verifier.from_vkey(vkey)


def proof_document(origin: str, entry: bytes, seq: int, size: int, hashes: list[bytes]) -> dict:
    """The proof document :func:`verify_proof` reads, for ``entry``'s canonical bytes."""
    return {
        "format": PROOF_FORMAT,
        "origin": origin,
        "entry": entry.decode("utf-8"),
        "seq": seq,
        "size": size,
        "hashes": [h.hex() for h in hashes],
    }


def verify_proof(document: object, checkpoint_note: str, vkey: str | Verifier) -> ProofSummary:
    """Check one entry's inclusion proof against a signed checkpoint of the same size.

    Raises :class:`CheckpointError` for a bad checkpoint, :class:`ProofError` for a bad proof.
    """
    checkpoint = open_note(checkpoint_note, as_verifier(vkey))
    if not isinstance(document, dict) or document.get("format") != PROOF_FORMAT:
        raise ProofError(f"not an {PROOF_FORMAT} document")
    if set(document) != {"format", "origin", "entry", "seq", "size", "hashes"}:
        raise ProofError("a proof carries exactly format, origin, entry, seq, size and hashes")
    entry, seq, size, hashes = (document[k] for k in ("entry", "seq", "size", "hashes"))
    if not isinstance(entry, str) or not isinstance(hashes, list):
        raise ProofError("a proof carries the entry's text and a list of hashes")
    if not all(isinstance(h, str) and HEX_HASH.match(h) for h in hashes):
        raise ProofError("every proof hash is 64 lower-case hex digits")
    if document["origin"] != checkpoint.origin:
        raise ProofError(f"the proof is for {document['origin']!r}, the checkpoint for {checkpoint.origin!r}")
    if size != checkpoint.size or type(size) is not int:
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
