"""Entries and postings as immutable values, and the canonical bytes that are hashed.

An entry's leaf in the Merkle tree is SHA-256(0x00 || canonical_bytes(entry)). The canonical
form is compact JSON with sorted keys, UTF-8, no floats; the JSONL export writes exactly these
bytes, one entry per line, so anyone can rehash them without re-serialising.

Kinds:
- ``open``: opens an account (meta: account, currency, type, floor_zero). No postings.
- ``transfer``: postings that move money now; they balance to zero per currency.
- ``reserve``: a hold: the same shape as a transfer, but balances do not move; negative postings
  count against their account's available balance until the reservation settles.
- ``settle``: posts an open reservation (``reservation`` names its seq); postings equal the hold's.
- ``void``: releases an open reservation without moving money. No postings.
- ``note``: a governance record (approvals, declines, payouts recorded...). No postings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from .errors import InvalidEntry, UnbalancedEntry

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the standalone verifier also runs without
    orjson = None
else:
    # Subclasses, dates and dataclasses are passed through to orjson's error, so to the standard library.
    _ORJSON_CANONICAL = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

KINDS = ("open", "transfer", "reserve", "settle", "void", "note")
MONEY_KINDS = ("transfer", "reserve", "settle")
ACCOUNT_TYPES = ("Assets", "Liabilities", "Equity", "Income", "Expenses")

#: lower-case words separated by colons, e.g. ``pool:12:available``; kept this narrow so
#: the Beancount export can map codes to account names one-to-one.
ACCOUNT_CODE = re.compile(r"^[a-z][a-z0-9-]*(:[a-z0-9][a-z0-9-]*)*$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
#: far above any real gift or payout, far below int64 overflow when summed
MAX_AMOUNT = 10**15
MAX_KEY_LENGTH = 200
MAX_TEXT_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of an entry: ``amount`` minor units (cents) into ``account`` (negative: out of it)."""

    account: str
    currency: str
    amount: int

    def as_list(self) -> list:
        return [self.account, self.currency, self.amount]


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry before it is booked: what the caller asks the ledger to record.

    ``key`` makes posting idempotent: the same key with the same content returns the booked
    entry; the same key with other content is an :class:`IdempotencyConflict`.
    """

    key: str
    kind: str
    postings: tuple[Posting, ...] = ()
    meta: dict[str, str | int | bool] = field(default_factory=dict)
    reservation: int | None = None

    def content(self) -> dict:
        """What identifies the entry for idempotency: everything but seq and booking date."""
        body: dict = {
            "key": self.key,
            "kind": self.kind,
            "postings": [p.as_list() for p in self.postings],
            "meta": dict(self.meta),
        }
        if self.reservation is not None:
            body["reservation"] = self.reservation
        return body


def canonical_bytes(obj: dict) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the bytes that are hashed and exported.

    For what an entry can hold (text, whole numbers, yes/no, null, lists and objects of them)
    orjson writes the standard library's bytes exactly, an order of magnitude faster. What it
    would write its own way (subclasses, dates, dataclasses) or cannot write (integers beyond
    64 bits, lone surrogates, keys that are not text) goes to the standard library as before.
    """
    if orjson is not None:
        try:
            return orjson.dumps(obj, option=_ORJSON_CANONICAL)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_object(seq: int, booked_on: date, entry: Entry) -> dict:
    """The object whose canonical bytes form leaf ``seq`` of the tree.

    Only the day is recorded, not the time: the public books should not let anyone match a
    payout's minute to a person.
    """
    body = entry.content()
    body["seq"] = seq
    body["date"] = booked_on.isoformat()
    return body


def validate(entry: Entry) -> None:
    """Refuse a malformed entry with a named error before anything is written."""
    if not isinstance(entry.key, str) or not entry.key.strip():
        raise InvalidEntry("every entry needs a non-empty key, so a retry cannot book it twice")
    if len(entry.key) > MAX_KEY_LENGTH:
        raise InvalidEntry(f"entry key is longer than {MAX_KEY_LENGTH} characters")
    if entry.kind not in KINDS:
        raise InvalidEntry(f"unknown entry kind {entry.kind!r}; expected one of {', '.join(KINDS)}")
    for name, value in entry.meta.items():
        if not isinstance(name, str) or not isinstance(value, (str, int, bool)) or isinstance(value, float):
            raise InvalidEntry(f"entry detail {name!r} must be text, a whole number or yes/no")
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise InvalidEntry(f"entry detail {name!r} is longer than {MAX_TEXT_LENGTH} characters")
    if entry.kind in MONEY_KINDS:
        if not entry.postings:
            raise InvalidEntry(f"a {entry.kind} entry needs at least two postings")
        _validate_postings(entry.postings)
    elif entry.postings:
        raise InvalidEntry(f"a {entry.kind} entry moves no money and takes no postings")
    needs_reservation = entry.kind in ("settle", "void")
    if needs_reservation and (not isinstance(entry.reservation, int) or entry.reservation < 0):
        raise InvalidEntry(f"a {entry.kind} entry must name the reservation it closes")
    if not needs_reservation and entry.reservation is not None:
        raise InvalidEntry(f"a {entry.kind} entry cannot close a reservation")


def _validate_postings(postings: tuple[Posting, ...]) -> None:
    totals: dict[str, int] = {}
    for posting in postings:
        if not isinstance(posting.account, str) or not ACCOUNT_CODE.match(posting.account):
            raise InvalidEntry(f"{posting.account!r} is not a valid account code")
        if not isinstance(posting.currency, str) or not CURRENCY_CODE.match(posting.currency):
            raise InvalidEntry(f"{posting.currency!r} is not a three-letter currency code")
        amount = posting.amount
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise InvalidEntry(f"amount {amount!r} for {posting.account} must be a whole number of cents")
        if amount == 0:
            raise InvalidEntry(f"a posting of zero to {posting.account} moves nothing")
        if abs(amount) > MAX_AMOUNT:
            raise InvalidEntry(f"amount {amount} for {posting.account} is beyond any sane sum")
        totals[posting.currency] = totals.get(posting.currency, 0) + amount
    for currency, total in totals.items():
        if total != 0:
            raise UnbalancedEntry(
                f"postings in {currency} add up to {total}, not zero: every cent must come from somewhere"
            )
    if len({p.account for p in postings}) != len(postings):
        raise InvalidEntry("an account appears twice in one entry; combine its postings")
