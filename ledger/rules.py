"""The rules of the books, checked one at a time, each refusal naming the entry and the rule.

:class:`CheckedBooks` is the state the books reach when their entries are replayed in order:
per-account balances and holds, and the open reservations (plus one bit per entry, to tell a
settled reservation from one that never existed), so memory stays flat however many entries
pass. It checks every rule of every entry in turn; :class:`ledger.replay.Replayer` adds the
fast loop used on millions of entries and falls back to these checks for anything unusual.

Every refusal is a named ledger error whose message starts with ``entry <seq>:``.
"""

from __future__ import annotations

import re
from datetime import date

from .entry import ACCOUNT_CODE, ACCOUNT_TYPES, CURRENCY_CODE, MAX_AMOUNT
from .errors import (
    AccountConflict,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidEntry,
    ReservationClosed,
    UnbalancedEntry,
    UnknownAccount,
    UnknownReservation,
)

_BASE_KEYS = frozenset(("seq", "key", "kind", "date", "postings", "meta"))
#: the exact keys a leaf object of each kind carries
ENTRY_KEYS = {
    "open": _BASE_KEYS,
    "transfer": _BASE_KEYS,
    "reserve": _BASE_KEYS,
    "settle": _BASE_KEYS | {"reservation"},
    "void": _BASE_KEYS | {"reservation"},
    "note": _BASE_KEYS,
}
OPEN_META = ("account", "currency", "type", "floor_zero")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
MALFORMED = (TypeError, ValueError, KeyError, AttributeError, IndexError)

# An account's state is a list, mutated in place: [currency, floor_zero, balance, held].
_CURRENCY, _FLOOR, _BALANCE, _HELD = range(4)


class CheckedBooks:
    """The books replayed so far; :meth:`check_and_book` applies one leaf object, every rule in turn."""

    __slots__ = ("next_seq", "_accounts", "_open", "_closed", "_last_date")

    def __init__(self) -> None:
        #: the seq the next entry must carry
        self.next_seq = 0
        self._accounts: dict[str, list] = {}
        #: open reservations: reserve seq -> its postings
        self._open: dict[int, list] = {}
        #: bit s set when the reservation made by entry s has been settled or voided
        self._closed = bytearray()
        self._last_date: object = None

    @property
    def balances(self) -> dict[str, tuple[int, int]]:
        """``{account: (balance, held)}``; what is available is ``balance - held``."""
        return {name: (s[_BALANCE], s[_HELD]) for name, s in self._accounts.items()}

    @property
    def currencies(self) -> dict[str, str]:
        return {name: s[_CURRENCY] for name, s in self._accounts.items()}

    @property
    def open_reservations(self) -> frozenset[int]:
        return frozenset(self._open)

    def check_and_book(self, obj: dict, seq: int) -> None:
        """Check leaf object ``obj`` as entry ``seq`` against every rule; book it or name the rule broken."""
        try:
            kind = obj["kind"]
            if obj.keys() != ENTRY_KEYS.get(kind):
                raise _shape_error(seq, obj)
            if obj["seq"] != seq or type(obj["seq"]) is not int:
                raise InvalidEntry(f"entry {seq}: found seq {obj['seq']!r}; entries are missing, added or out of order")
            if type(obj["key"]) is not str or not obj["key"]:
                raise InvalidEntry(f"entry {seq}: the key must be non-empty text")
            if obj["date"] != self._last_date:
                self._check_date(seq, obj["date"])
            meta = obj["meta"]
            if type(meta) is not dict:
                raise InvalidEntry(f"entry {seq}: meta must be an object")
            postings = obj["postings"]
            if kind == "transfer":
                self._transfer(seq, postings)
            elif kind == "reserve":
                self._reserve(seq, postings)
            elif kind == "settle":
                self._settle(seq, obj["reservation"], postings)
            elif kind == "void":
                self._void(seq, obj["reservation"], postings)
            elif kind == "open":
                self._open_account(seq, meta, postings)
            elif postings != []:
                raise InvalidEntry(f"entry {seq}: a note moves no money and takes no postings")
        except MALFORMED as err:
            raise InvalidEntry(f"entry {seq}: malformed entry ({type(err).__name__}: {err})") from None
        self.next_seq = seq + 1

    def _moves(self, seq: int, kind: str, postings: object) -> list[tuple[str, list, int]]:
        """Validate a money entry's postings; return (account, state, amount) for each."""
        if type(postings) is not list or len(postings) < 2:
            raise InvalidEntry(f"entry {seq}: a {kind} entry needs at least two postings")
        moves, totals = [], {}
        for posting in postings:
            if type(posting) is not list or len(posting) != 3:
                raise InvalidEntry(f"entry {seq}: a posting is [account, currency, amount], not {posting!r}")
            account, currency, amount = posting
            if type(amount) is not int:
                raise InvalidEntry(f"entry {seq}: amount {amount!r} for {account} is not a whole number of cents")
            if not amount:
                raise InvalidEntry(f"entry {seq}: a posting of zero to {account} moves nothing")
            if abs(amount) > MAX_AMOUNT:
                raise InvalidEntry(f"entry {seq}: amount {amount} for {account} is beyond any sane sum")
            state = self._accounts.get(account) if type(account) is str else None
            if state is None:
                raise UnknownAccount(f"entry {seq}: account {account!r} was never opened")
            if state[_CURRENCY] != currency:
                raise CurrencyMismatch(f"entry {seq}: {account} holds {state[_CURRENCY]}, not {currency!r}")
            if any(m[0] == account for m in moves):
                raise InvalidEntry(f"entry {seq}: {account} appears twice in one entry")
            totals[currency] = totals.get(currency, 0) + amount
            moves.append((account, state, amount))
        for currency, total in totals.items():
            if total:
                raise UnbalancedEntry(f"entry {seq}: postings in {currency} add up to {total}, not zero")
        return moves

    def _transfer(self, seq: int, postings: object) -> None:
        moves = self._moves(seq, "transfer", postings)
        for account, state, amount in moves:
            _check_floor(seq, account, state, state[_BALANCE] + amount, state[_HELD])
        for _, state, amount in moves:
            state[_BALANCE] += amount

    def _reserve(self, seq: int, postings: list) -> None:
        moves = self._moves(seq, "reserve", postings)
        for account, state, amount in moves:
            if amount < 0:
                _check_floor(seq, account, state, state[_BALANCE], state[_HELD] - amount)
        for _, state, amount in moves:
            if amount < 0:
                state[_HELD] -= amount
        self._open[seq] = postings

    def _settle(self, seq: int, reservation: object, postings: list) -> None:
        held = self._reservation(seq, reservation)
        moves = self._moves(seq, "settle", postings)
        if postings != held and sorted(map(tuple, postings)) != sorted(map(tuple, held)):
            raise InvalidEntry(f"entry {seq}: settles reservation {reservation} with other postings than it holds")
        for account, state, amount in moves:
            released = amount if amount < 0 else 0
            _check_floor(seq, account, state, state[_BALANCE] + amount, state[_HELD] + released)
        for _, state, amount in moves:
            state[_BALANCE] += amount
            if amount < 0:
                state[_HELD] += amount
        self._close(reservation)

    def _void(self, seq: int, reservation: object, postings: object) -> None:
        held = self._reservation(seq, reservation)
        if postings != []:
            raise InvalidEntry(f"entry {seq}: a void moves no money and takes no postings")
        for account, _, amount in held:
            if amount < 0:
                self._accounts[account][_HELD] += amount
        self._close(reservation)

    def _reservation(self, seq: int, reservation: object) -> list:
        """The postings of the open reservation ``reservation`` names, or a named refusal."""
        if type(reservation) is not int or not 0 <= reservation < seq:
            raise UnknownReservation(f"entry {seq}: {reservation!r} names no earlier entry")
        held = self._open.get(reservation)
        if held is None:
            closed = self._closed
            if reservation >> 3 < len(closed) and closed[reservation >> 3] >> (reservation & 7) & 1:
                raise ReservationClosed(f"entry {seq}: reservation {reservation} was already settled or voided")
            raise UnknownReservation(f"entry {seq}: entry {reservation} is not a reservation")
        return held

    def _close(self, reservation: int) -> None:
        del self._open[reservation]
        closed, byte = self._closed, reservation >> 3
        if byte >= len(closed):
            closed.extend(bytes(byte - len(closed) + 4096))
        closed[byte] |= 1 << (reservation & 7)

    def _open_account(self, seq: int, meta: dict, postings: object) -> None:
        if postings != []:
            raise InvalidEntry(f"entry {seq}: opening an account moves no money and takes no postings")
        missing = [name for name in OPEN_META if name not in meta]
        if missing:
            raise InvalidEntry(f"entry {seq}: opening an account needs meta {', '.join(missing)}")
        account, currency, kind, floor_zero = (meta[name] for name in OPEN_META)
        if type(account) is not str or not ACCOUNT_CODE.match(account):
            raise InvalidEntry(f"entry {seq}: {account!r} is not a valid account code")
        if type(currency) is not str or not CURRENCY_CODE.match(currency):
            raise InvalidEntry(f"entry {seq}: {currency!r} is not a three-letter currency code")
        if kind not in ACCOUNT_TYPES:
            raise InvalidEntry(f"entry {seq}: {kind!r} is not one of {', '.join(ACCOUNT_TYPES)}")
        if type(floor_zero) is not bool:
            raise InvalidEntry(f"entry {seq}: floor_zero must be true or false")
        if account in self._accounts:
            raise AccountConflict(f"entry {seq}: account {account} is opened a second time")
        self._accounts[account] = [currency, floor_zero, 0, 0]

    def _check_date(self, seq: int, day: object) -> None:
        if type(day) is not str or not _ISO_DAY.match(day):
            raise InvalidEntry(f"entry {seq}: date {day!r} is not a YYYY-MM-DD day")
        date.fromisoformat(day)  # a ValueError (31 February) is reported as malformed
        self._last_date = day


def _check_floor(seq: int, account: str, state: list, balance: int, held: int) -> None:
    if state[_FLOOR] and balance < held:
        raise InsufficientFunds(
            f"entry {seq}: {account} would have {balance - held} {state[_CURRENCY]} available "
            f"({balance} held {held}); it may not go below zero"
        )


def _shape_error(seq: int, obj: dict) -> InvalidEntry:
    """Say precisely why an entry's keys are wrong: unknown kind, or a key missing or extra."""
    kind = obj["kind"]
    expected = ENTRY_KEYS.get(kind) if type(kind) is str else None
    if expected is None:
        return InvalidEntry(f"entry {seq}: unknown entry kind {kind!r}")
    missing, extra = sorted(expected - obj.keys()), sorted(map(str, obj.keys() - expected))
    if missing:
        return InvalidEntry(f"entry {seq}: a {kind} entry lacks {', '.join(missing)}")
    return InvalidEntry(f"entry {seq}: a {kind} entry has unexpected {', '.join(extra)}")
