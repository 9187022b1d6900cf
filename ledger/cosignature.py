"""Witness cosignatures of checkpoints: C2SP ``tlog-cosignature`` v1, Ed25519.

A witness remembers the last checkpoint it saw of a log, checks that each new one extends it,
and adds its own signature line to the note. The line reads like any signed-note line,

    — <witness name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)

with the key ID ``SHA-256(name || "\\n" || 0x04 || public key)[:4]`` and the signature over
``"cosignature/v1\\ntime <timestamp>\\n" || checkpoint body``. The 0x04 type byte keeps a
witness key's cosignatures apart from ordinary note signatures (type 0x01) by the same key.
Verifier keys are ``name+hex(key ID)+base64(0x04 || public key)``; an ordinary 0x01 key of the
same Ed25519 key is accepted too and read as the cosignature key, as transparency-dev/formats
does.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .checkpoint import ALG_ED25519, MAX_SIGNATURES, SIGNATURE_PREFIX, _b64decode, _check_name
from .errors import CheckpointError

ALG_COSIGNATURE_V1 = 0x04
#: key ID, timestamp, signature
COSIGNATURE_SIZE = 4 + 8 + 64
MAX_TIMESTAMP = 2**63 - 1


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || "\\n" || 0x04 || public key)[:4]."""
    return sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()[:4]


def signed_message(body: str, timestamp: int) -> bytes:
    """What a cosignature signs: the header line, the time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def _parse_key(text: str, secret: bool) -> tuple[str, str, bytes]:
    parts = text.strip().split("+", 4 if secret else 2)
    if secret:
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise CheckpointError("a witness key reads PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
        parts = parts[2:]
    elif len(parts) != 3:
        raise CheckpointError("a witness verifier key reads <name>+<8 hex digits>+<base64 key>")
    name, hash_hex, key64 = parts
    _check_name(name)
    if len(hash_hex) != 8 or any(c not in "0123456789abcdef" for c in hash_hex):
        raise CheckpointError("a key's hash is 8 lowercase hex digits")
    key = _b64decode(key64, "the key")
    if len(key) != 33 or key[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise CheckpointError("the key is not an Ed25519 (0x01) or Ed25519 cosignature (0x04) key")
    return name, hash_hex, key


def _type_hash(name: str, alg: int, public_key: bytes) -> str:
    return sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4].hex()


@dataclass(frozen=True)
class Cosignature:
    """One verified cosignature: whose, and the time it says it was made."""

    name: str
    timestamp: int
    line: str


class CosignatureVerifier:
    """A witness's public key, to check its cosignature lines."""

    def __init__(self, name: str, public_key: bytes):
        _check_name(name)
        if len(public_key) != 32:
            raise CheckpointError("an Ed25519 public key is 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_id = cosignature_key_id(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """Read ``name+hash+base64(0x04 || key)`` (or the 0x01 key of the same Ed25519 key)."""
        name, hash_hex, key = _parse_key(vkey, secret=False)
        if _type_hash(name, key[0], key[1:]) != hash_hex:
            raise CheckpointError("the witness key's hash does not match its name and key")
        return cls(name, key[1:])

    @property
    def vkey(self) -> str:
        key64 = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{key64}"

    def matches(self, name: str, raw: bytes) -> bool:
        """Whether a signature line's name and key ID are this witness's (else: ignore it)."""
        return name == self.name and raw[:4] == self.key_id

    def check(self, body: str, raw: bytes) -> int:
        """Verify the decoded line ``raw`` (key ID, timestamp, signature) over ``body``; return
        the timestamp. Raises :class:`CheckpointError` with the reason."""
        if len(raw) != COSIGNATURE_SIZE:
            raise CheckpointError(
                f"the cosignature by {self.name} is {len(raw)} bytes, not {COSIGNATURE_SIZE}: not a cosignature/v1"
            )
        (timestamp,) = struct.unpack(">Q", raw[4:12])
        if timestamp > MAX_TIMESTAMP:
            raise CheckpointError(f"the cosignature by {self.name} has a timestamp beyond 2^63-1")
        try:
            self._key.verify(raw[12:], signed_message(body, timestamp))
        except InvalidSignature:
            raise CheckpointError(f"the cosignature by {self.name} does not verify") from None
        return timestamp


class Cosigner:
    """A witness's signing key (``PRIVATE+KEY+<name>+<hash>+<base64(0x04 || seed)>``)."""

    def __init__(self, skey: str):
        name, hash_hex, key = _parse_key(skey, secret=True)
        self._seed = key[1:]
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self.verifier = CosignatureVerifier(name, self._key.public_key().public_bytes_raw())
        if _type_hash(name, key[0], self.verifier.public_key) != hash_hex:
            raise CheckpointError("the witness key's hash does not match its name and key")
        self.name = name

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        seed64 = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self._seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{seed64}"

    def cosign(self, body: str, timestamp: int) -> str:
        """The cosignature line (with its newline) over the checkpoint ``body`` at ``timestamp``."""
        if not 0 < timestamp <= MAX_TIMESTAMP:
            raise CheckpointError("a cosignature's timestamp is a positive POSIX time")
        signature = self._key.sign(signed_message(body, timestamp))
        raw = self.verifier.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(raw).decode()}\n"


def generate_cosigner(name: str) -> Cosigner:
    """A new random witness key named ``name`` (a schema-less URL, by convention)."""
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    seed64 = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + seed).decode()
    return Cosigner(f"PRIVATE+KEY+{name}+{cosignature_key_id(name, public).hex()}+{seed64}")


def split_note(note: str) -> tuple[str, list[str]]:
    """A signed note's text (ending in a newline) and its signature lines (without newlines)."""
    if not isinstance(note, str) or not note.endswith("\n"):
        raise CheckpointError("a signed note is text ending in a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("a signed note has a blank line before its signatures")
    lines = note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"a signed note with more than {MAX_SIGNATURES} signatures")
    return note[: split + 1], lines


def read_line(line: str) -> tuple[str, bytes]:
    """A signature line's key name and decoded bytes."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise CheckpointError(f"signature line {line[:40]!r} does not start with an em dash")
    name, _, sig64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    _check_name(name)
    raw = _b64decode(sig64, f"the signature by {name}")
    if len(raw) < 5:
        raise CheckpointError(f"the signature by {name} is too short")
    return name, raw


def cosignatures(note: str, witnesses: list[CosignatureVerifier]) -> list[Cosignature]:
    """The valid cosignatures in ``note`` by any of ``witnesses``, one per witness.

    Lines by other keys are ignored (the log's own signature among them); a line that names a
    known witness and its key ID but does not verify is refused, as note.Open refuses it.
    """
    body, lines = split_note(note)
    found: dict[str, Cosignature] = {}
    for line in lines:
        name, raw = read_line(line)
        for witness in witnesses:
            if witness.matches(name, raw):
                timestamp = witness.check(body, raw)
                found.setdefault(witness.vkey, Cosignature(name, timestamp, line + "\n"))
    return list(found.values())


def with_lines(note: str, extra: list[str]) -> str:
    """The note with signature lines ``extra`` appended, each once (lines end in newlines)."""
    body, lines = split_note(note)
    kept = [line + "\n" for line in lines]
    for line in extra:
        if line not in kept:
            kept.append(line)
    return body + "\n" + "".join(kept)
