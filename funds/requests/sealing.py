"""Sealing what a person writes so that only the committee (or only the person) can read it.

libsodium sealed boxes (X25519 + XSalsa20-Poly1305, an ephemeral sender key per box): the server
holds public keys only, so once a box is written nothing on the server can open it. The plaintext
is padded to a multiple of PAD bytes so the size of a box does not tell how long a note was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

PAD = 256
KEY_LENGTH = 32


class UnreadableBoxError(ValueError):
    """The box was not sealed to this key, or was damaged."""


def _pad(plain: bytes) -> bytes:
    # ISO/IEC 7816-4 padding: 0x80 then zeros; unambiguous to strip
    padded = plain + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD)


def _unpad(padded: bytes) -> bytes:
    end = padded.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise UnreadableBoxError("padding is damaged")
    return end[:-1]


def seal(public_key: bytes, plain: bytes) -> bytes:
    """A sealed box of ``plain`` (padded) that only ``public_key``'s private half opens."""
    if len(public_key) != KEY_LENGTH:
        raise ValueError("a public key is 32 bytes")
    return SealedBox(PublicKey(public_key)).encrypt(_pad(plain))


def unseal(private_key: PrivateKey, sealed: bytes) -> bytes:
    """Open a box made by :func:`seal`. Servers never call this for committee boxes: they have
    no committee private key. It opens a person's inbox while their codename is in memory."""
    try:
        return _unpad(SealedBox(private_key).decrypt(sealed))
    except CryptoError as error:
        raise UnreadableBoxError("this key does not open the box") from error


def seal_details(contact: str, note: str, payout: str, public_keys: Iterable[bytes]) -> list[bytes]:
    """One sealed copy of the request's private details per public key, in the order given."""
    plain = json.dumps({"contact": contact, "note": note, "payout": payout}, ensure_ascii=False).encode("utf-8")
    return [seal(key, plain) for key in public_keys]


def unseal_details(private_key: PrivateKey, sealed: bytes) -> dict[str, str]:
    """The {"contact", "note", "payout"} a member's private key opens (tests, member tools)."""
    return json.loads(unseal(private_key, sealed).decode("utf-8"))
