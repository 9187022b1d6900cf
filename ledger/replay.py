"""Replaying the books fast: the loop that checks millions of entries in seconds.

The database store and the standalone verifier both feed leaf objects (parsed canonical
entries) through one :class:`Replayer`, so "the export verifies" and "the database verifies"
mean the same thing. The common shapes take a fast path inside one loop, with every name a
local and nothing allocated; anything else goes through the rule-by-rule checks of
:class:`ledger.rules.CheckedBooks`, which also names what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

from .entry import MAX_AMOUNT
from .rules import ENTRY_KEYS, MALFORMED, CheckedBooks

__all__ = ["ENTRY_KEYS", "Replayer"]


class Replayer(CheckedBooks):
    """Apply leaf objects in order, refusing the first that breaks a rule of the books."""

    __slots__ = ()

    def apply(self, obj: dict) -> None:
        """Check one leaf object against the books so far, then book it."""
        self.replay((obj,))

    def replay(self, objects: Iterable[dict]) -> None:
        """Check and book leaf objects in order; stop at the first refusal.

        ``next_seq`` is then the seq of the object refused, even when iterating ``objects``
        raised (say, a line that is not JSON). The common shapes (a two-posting transfer or
        reserve, its settlement, a note, on the same day as the entry before) are checked
        inline here, with every name a local; anything else, and anything that fails here,
        goes through :meth:`check_and_book`, which checks each rule in turn and names what is
        wrong. Both paths accept exactly the same entries.
        """
        accounts, holds, seq, last_date = self._accounts, self._open, self.next_seq, self._last_date
        top = MAX_AMOUNT
        try:
            for obj in objects:
                try:
                    kind = obj["kind"]
                    s = obj["seq"]
                    key = obj["key"]
                    postings = obj["postings"]
                    if (
                        s == seq
                        and type(s) is int
                        and obj["date"] == last_date
                        and type(key) is str
                        and key
                        and type(obj["meta"]) is dict
                    ):
                        if kind == "transfer" or kind == "reserve":
                            (a, c, x), (b, d, y) = postings
                            if (
                                len(obj) == 6
                                and type(x) is int
                                and type(y) is int
                                and x
                                and not x + y
                                and -top <= x <= top
                                and c == d
                                and a != b
                            ):
                                sa = accounts[a]
                                sb = accounts[b]
                                if x < 0:
                                    out = sa
                                    amount = x
                                else:
                                    out = sb
                                    amount = y
                                if sa[0] == c and sb[0] == c and not (out[1] and out[2] + amount < out[3]):
                                    if kind == "transfer":
                                        sa[2] += x
                                        sb[2] += y
                                    else:
                                        out[3] -= amount
                                        holds[seq] = postings
                                    seq += 1
                                    continue
                        elif kind == "settle":
                            r = obj["reservation"]
                            held = holds.get(r) if type(r) is int else None
                            if held is not None and postings == held and len(obj) == 7:
                                (a, _, x), (b, _, y) = postings
                                if type(x) is int and type(y) is int:
                                    sa = accounts[a]
                                    sb = accounts[b]
                                    sa[2] += x
                                    sb[2] += y
                                    if x < 0:
                                        sa[3] += x
                                    else:
                                        sb[3] += y
                                    self._close(r)
                                    seq += 1
                                    continue
                        elif kind == "note" and postings == [] and len(obj) == 6:
                            seq += 1
                            continue
                except MALFORMED:
                    pass  # the checked path below says precisely what is wrong
                self.next_seq = seq
                self.check_and_book(obj, seq)
                seq += 1
                last_date = self._last_date
        finally:
            self.next_seq = seq
