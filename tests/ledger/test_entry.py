"""An entry's canonical bytes are the same whichever JSON library writes them."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.entry import canonical_bytes

# Any code point, lone surrogates included; integers past 64 bits, which orjson cannot write.
TEXT = st.text(st.characters(codec=None), max_size=12)
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=16,
)


def standard_library(obj: dict) -> bytes:
    """The canonical form as first written: the bytes every leaf hash so far was taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def outcome(write, obj: dict) -> bytes | type[Exception]:
    try:
        return write(obj)
    except Exception as error:  # the same refusal counts as the same outcome
        return type(error)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(TEXT | st.integers(), VALUES, max_size=6))
def test_any_entry_content_hashes_to_the_bytes_the_standard_library_writes(obj):
    assert outcome(canonical_bytes, obj) == outcome(standard_library, obj)


def test_a_donors_gift_is_written_compact_sorted_and_in_utf8():
    gift = {"seq": 7, "meta": {"name": "Zoë", "pool": 3, "monthly": False}, "kind": "transfer"}

    written = '{"kind":"transfer","meta":{"monthly":false,"name":"Zoë","pool":3},"seq":7}'
    assert canonical_bytes(gift) == written.encode("utf-8")
