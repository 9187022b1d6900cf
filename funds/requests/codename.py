"""Codenames: how a person finds their request again without an account or a name.

A codename is four words drawn with ``secrets`` from a 2,048-word list in the person's language
(4 x 11 = 44 bits). The server keeps only what the codename derives to, never the codename:

- ``lookup_id``: finds the person's requests. HMAC with the server's pepper first, so a copied
  database alone cannot be searched; then Argon2id, so even with the pepper each guess is slow.
- an X25519 ``inbox`` key pair: the committee's messages and voucher codes are sealed to its
  public half; the private half is re-derived only while the person is looking at their status.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from nacl.public import PrivateKey

from ..vocabulary import LANGUAGES

WORDS_PER_CODENAME = 4
WORDLISTS = Path(__file__).resolve().parent / "wordlists"
#: Argon2id at OWASP's minimum (19 MiB, 2 passes): one derivation per form sent, cheap for the
#: server, slow for someone trying every codename against a stolen database and pepper
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
#: the pepper already makes the input unique per deployment; a fixed salt keeps the id findable
ARGON2_SALT = b"ayni-codename-v1"
#: Arabic letters people type in more than one way on a phone keyboard
ARABIC_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None}
)


@dataclass(frozen=True)
class Derived:
    """What a codename stands for on the server."""

    lookup_id: bytes
    inbox: PrivateKey

    @property
    def inbox_public_key(self) -> bytes:
        return bytes(self.inbox.public_key)


def canonical(codename: str) -> str:
    """The letters of a codename, however it was typed: case, accents, spaces, dashes, Arabic
    letter variants and full-width characters do not matter."""
    text = unicodedata.normalize("NFKC", codename).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.translate(ARABIC_VARIANTS)
    return "".join(c for c in text if c.isalpha())


@cache
def words(lang: str) -> tuple[str, ...]:
    """The word list of ``lang`` (English where a language has none)."""
    path = WORDLISTS / f"{lang if lang in LANGUAGES else 'en'}.txt"
    if not path.exists():
        path = WORDLISTS / "en.txt"
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def generate(lang: str) -> str:
    """A fresh codename in ``lang``, words separated by spaces (typed back in any form)."""
    wordlist = words(lang)
    return " ".join(secrets.choice(wordlist) for _ in range(WORDS_PER_CODENAME))


def entropy_bits(lang: str) -> float:
    return WORDS_PER_CODENAME * math.log2(len(words(lang)))


def derive(codename: str, pepper: bytes) -> Derived:
    """The lookup id and inbox key of ``codename``; the same codename always derives the same."""
    keyed = hmac.new(pepper, canonical(codename).encode("utf-8"), hashlib.sha256).digest()
    stretched = hash_secret_raw(
        keyed, ARGON2_SALT, time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
        parallelism=1, hash_len=32, type=Type.ID,
    )
    lookup_id = hmac.new(stretched, b"lookup", hashlib.sha256).digest()
    inbox_seed = hmac.new(stretched, b"inbox", hashlib.sha256).digest()
    return Derived(lookup_id=lookup_id, inbox=PrivateKey.from_seed(inbox_seed))


def looks_like_a_codename(typed: str) -> bool:
    """Enough letters to be a codename at all (so an empty or one-word guess costs no Argon2)."""
    return len(canonical(typed)) >= 8
