"""Gift references: short codes a donor types (or their banking app copies from the QR code) into
a transfer's remittance text, and that we find again in the bank's statement.

"AYNI" and 8 characters of Crockford's base32 (no I, L, O or U, so nothing reads as another
character), written "AYNI-7K3M-Q9PX". Banks drop or add spaces and hyphens and change case,
so finding one ignores them.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "AYNI"
_FOUND = re.compile(rf"{PREFIX}[\s\-/]*([{ALPHABET}]{{4}})[\s\-/]*([{ALPHABET}]{{4}})(?![{ALPHABET}])")


def new_reference() -> str:
    """A fresh reference, in the compact form stored ("AYNI7K3MQ9PX")."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(8))


def spaced(reference: str) -> str:
    """How a reference is shown to people: "AYNI-7K3M-Q9PX"."""
    return f"{reference[:4]}-{reference[4:8]}-{reference[8:]}"


def found_in(text: str) -> list[str]:
    """Every reference in ``text``, compact, in the order they appear (usually one)."""
    return [PREFIX + a + b for a, b in _FOUND.findall((text or "").upper())]
