"""Signed checkpoints: the tree size and root, in the C2SP formats, signed with Ed25519.

The body is a C2SP ``tlog-checkpoint`` and the envelope a C2SP ``signed-note``, with keys
written as golang.org/x/mod/sumdb/note writes them. Using these formats rather than our own
means outside witnesses can check and co-sign our checkpoints with their existing tools, and
a donor can check one with ``note.Open`` as well as with :func:`open_note`.

We require the checkpoint's origin to equal the signing key's name, so a checkpoint of one
ledger can never pass for another's.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import CheckpointError

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "\N{EM DASH} "
#: as note.Open: a note with more signature lines than this is refused unread
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
_HEX8 = re.compile(r"[0-9a-f]{8}\Z")


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash: SHA-256(name || "\\n" || 0x01 || public key)[:4]."""
    return sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def _check_name(name: object) -> None:
    """Key names (and so origins) as note.go allows them: non-empty, no spaces, no '+'."""
    if not isinstance(name, str) or not name or "+" in name or any(c.isspace() for c in name):
        raise CheckpointError(f"{name!r} is not a valid key name: non-empty, no spaces, no '+'")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise CheckpointError(f"{name!r} contains control characters")


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != text:
        raise CheckpointError(f"{what} is not canonical base64")
    return raw


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: ``size`` leaves with root ``root``, of the ledger named ``origin``."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        _check_name(self.origin)
        if not isinstance(self.size, int) or isinstance(self.size, bool) or not 0 <= self.size < 2**63:
            raise CheckpointError(f"checkpoint size {self.size!r} is not a whole number in range")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            raise CheckpointError("a checkpoint root is 32 bytes")

    def body(self) -> str:
        """The tlog-checkpoint text: origin, size, base64 root, each on its own line."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint body; refuse anything :meth:`body` would not have written."""
        lines = body.split("\n")
        if len(lines) != 4 or lines[3] != "":
            raise CheckpointError("a checkpoint body is exactly three lines: origin, size, root")
        origin, size, root = lines[:3]
        if not _DECIMAL.match(size):
            raise CheckpointError(f"checkpoint size {size!r} is not a plain decimal number")
        return cls(origin, int(size), _b64decode(root, "checkpoint root"))


class Verifier:
    """An Ed25519 note verifier: a key name, its key hash, and the public key."""

    def __init__(self, name: str, public_key: bytes):
        _check_name(name)
        if len(public_key) != 32:
            raise CheckpointError("an Ed25519 public key is 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_hash = key_hash(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Read a verifier key string ``<name>+<hex key hash>+<base64(0x01 || public key)>``."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or not _HEX8.match(parts[1]):
            raise CheckpointError("a verifier key reads <name>+<8 hex digits>+<base64 key>")
        name, hash_hex, key64 = parts
        key = _b64decode(key64, "verifier key")
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise CheckpointError("the verifier key is not an Ed25519 key")
        verifier = cls(name, key[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise CheckpointError("the verifier key's hash does not match its name and key")
        return verifier

    @property
    def vkey(self) -> str:
        key64 = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash.hex()}+{key64}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """An Ed25519 note signer, read from a signer key string (``PRIVATE+KEY+...``)."""

    def __init__(self, skey: str):
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _HEX8.match(parts[3]):
            raise CheckpointError("a signer key reads PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
        key = _b64decode(parts[4], "signer key")
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise CheckpointError("the signer key is not an Ed25519 key")
        self._seed = key[1:]
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self.verifier = Verifier(parts[2], self._key.public_key().public_bytes_raw())
        if self.verifier.key_hash.hex() != parts[3]:
            raise CheckpointError("the signer key's hash does not match its name and key")
        self.name = self.verifier.name

    @property
    def vkey(self) -> str:
        """The public verifier key string to publish (and give witnesses)."""
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        """The secret key string, to keep out of the database and the repository."""
        seed64 = base64.b64encode(bytes([ALG_ED25519]) + self._seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_hash.hex()}+{seed64}"

    def sign_note(self, checkpoint: Checkpoint) -> str:
        """The signed note: the checkpoint body, a blank line, and our signature line."""
        if checkpoint.origin != self.name:
            raise CheckpointError(f"key {self.name!r} signs only checkpoints of origin {self.name!r}")
        return self.sign(checkpoint.body())

    def sign(self, text: str) -> str:
        """A signed note of any ``text`` (ending in a newline), as note.Sign writes it."""
        signature = self._key.sign(text.encode())
        sig64 = base64.b64encode(self.verifier.key_hash + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {sig64}\n"


def generate_signer(name: str) -> Signer:
    """A new random Ed25519 signer for the ledger (and checkpoint origin) named ``name``."""
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    seed64 = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
    return Signer(f"PRIVATE+KEY+{name}+{key_hash(name, public).hex()}+{seed64}")


def open_note(note: str, verifier: Verifier) -> Checkpoint:
    """Check a signed checkpoint note against ``verifier`` and return its checkpoint.

    The origin must be the key's name, so one ledger's checkpoint never passes for another's.
    """
    checkpoint = Checkpoint.parse(verify_note(note, verifier))
    if checkpoint.origin != verifier.name:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not the key name {verifier.name!r}")
    return checkpoint


def verify_note(note: str, verifier: Verifier) -> str:
    """Check a signed note's signature by ``verifier``; return the signed text.

    As note.Open: signatures by other keys (witness co-signatures) are ignored, a bad
    signature by our key is refused, and at least one good signature by it is required.
    """
    if not isinstance(note, str) or not note.endswith("\n"):
        raise CheckpointError("a signed note is text ending in a newline")
    if any(c != "\n" and (c < " " or c == "\x7f") for c in note):
        raise CheckpointError("a signed note contains control characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("a signed note has a blank line before its signatures")
    text, signature_lines = note[: split + 1], note[split + 2 : -1].split("\n")
    if len(signature_lines) > MAX_SIGNATURES:
        raise CheckpointError(f"a signed note with more than {MAX_SIGNATURES} signatures")
    verified = False
    for line in signature_lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError(f"signature line {line[:40]!r} does not start with an em dash")
        name, _, sig64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        _check_name(name)
        raw = _b64decode(sig64, f"the signature by {name}")
        if len(raw) < 5:
            raise CheckpointError(f"the signature by {name} is too short")
        if name != verifier.name or raw[:4] != verifier.key_hash:
            continue  # someone else's signature, e.g. a witness co-signature
        if not verifier.verify(text.encode(), raw[4:]):
            raise CheckpointError(f"the signature by {name} does not verify")
        verified = True
    if not verified:
        raise CheckpointError(f"the note carries no signature by {verifier.name}")
    return text
