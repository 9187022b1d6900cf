"""Codenames: easy to say and type, hard to guess, and never stored."""

from __future__ import annotations

import math

import pytest

from funds.requests import codename as codenames
from funds.vocabulary import LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_has_2048_distinct_words_so_a_codename_carries_44_bits(lang):
    words = codenames.words(lang)
    assert len(words) == 2048
    assert len({codenames.canonical(word) for word in words}) == 2048
    assert all(codenames.canonical(word) for word in words)
    assert codenames.entropy_bits(lang) == pytest.approx(4 * math.log2(2048))


def test_french_and_spanish_words_need_no_accents():
    for lang in ("fr", "es"):
        assert all(word.isascii() and word.isalpha() for word in codenames.words(lang))


def test_a_codename_is_four_words_from_the_persons_language():
    codename = codenames.generate("es")
    assert len(codename.split()) == 4 and set(codename.split()) <= set(codenames.words("es"))


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("River-APPLE  stone lamp", "river apple stone lamp"),
        ("cafe bateau", "café bateau"),
        ("ＲＩＶＥＲ", "river"),
        ("احمد", "أحمد"),
        ("مدرسة", "مدرسه"),
        ("你好 世界", "你好世界"),
    ],
)
def test_case_spaces_dashes_accents_and_letter_variants_do_not_matter(typed, shown):
    assert codenames.canonical(typed) == codenames.canonical(shown)


def test_the_same_codename_always_finds_the_same_requests_and_the_pepper_matters():
    first = codenames.derive("river apple stone lamp", b"pepper-one")
    again = codenames.derive("River-Apple-Stone-Lamp", b"pepper-one")
    other = codenames.derive("river apple stone lamp", b"pepper-two")
    assert first.lookup_id == again.lookup_id and first.inbox_public_key == again.inbox_public_key
    assert other.lookup_id != first.lookup_id
    assert first.lookup_id != first.inbox_public_key and len(first.lookup_id) == 32
