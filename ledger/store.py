"""Booking entries: the only code that writes the books.

Every write goes through :func:`post_many`. It locks the tree head first (SQLite: the caller's
transaction began with ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT ... FOR UPDATE`` on the head
row), so appends are totally ordered, balances are read and written under that lock (written in
account id order), and a floor that would be crossed refuses the whole batch before anything is
written (the batch moves the balances in memory first: :mod:`ledger.working_balances`). A CHECK
constraint on the accounts table refuses an overdraw even if this code were wrong.

Booking a gift reads the books in one statement (the head, whether its key was booked before,
its accounts; PostgreSQL first locks the head row in a statement of its own) and writes them in
four (balances, entry, postings, head; once in 16 entries also the tree nodes it completes). On
SQLite a statement costs more in Python than in the database, so their number is what counts, and
they run on the driver's cursor (:mod:`ledger.driver`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Connection, Select, bindparam, insert, null, select, update
from sqlalchemy.orm import Session

from . import schema
from .booked import BookedEntry, already_booked, check_same_content, load_reservations, reservation_postings
from .driver import Driver
from .entry import ACCOUNT_CODE, ACCOUNT_TYPES, CURRENCY_CODE, Entry, Posting, canonical_bytes, leaf_object, validate
from .errors import AccountConflict, IdempotencyConflict, InvalidEntry, LedgerError, UnknownAccount, UnknownReservation
from .merkle import Frontier, leaf_hash
from .stream import TreeHead
from .working_balances import WorkingAccount, apply, apply_open

# The statements of the write path, built once: building and cache-keying a statement costs more
# than running it on SQLite.
_a, _e = schema.accounts.c, schema.entries.c
_SELECT_HEAD = select(schema.tree_head).where(schema.tree_head.c.id == 1)
_LOCK_HEAD = _SELECT_HEAD.with_for_update()
_SET_HEAD = (
    update(schema.tree_head)
    .where(schema.tree_head.c.id == 1)
    .values(size=bindparam("new_size"), frontier=bindparam("new_frontier"))
)
_LOCK_HEAD_ROW = select(schema.tree_head.c.id).where(schema.tree_head.c.id == 1).with_for_update()
_ACCOUNT_COLUMNS = (_a.id, _a.code, _a.currency, _a.floor_zero, _a.balance, _a.held)
_NEW_ACCOUNT = insert(schema.accounts).returning(_a.id)
_SET_BALANCE = (
    update(schema.accounts)
    .where(_a.id == bindparam("account_id"))
    .values(balance=bindparam("new_balance"), held=bindparam("new_held"))
)
_INSERT_ENTRIES = insert(schema.entries)
_INSERT_POSTINGS = insert(schema.postings)
_INSERT_NODES = insert(schema.tree_nodes)


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's current figures in minor units."""

    account: str
    currency: str
    balance: int
    #: promised by open reservations
    held: int

    @property
    def available(self) -> int:
        return self.balance - self.held


#: the day entries are booked on when the caller names none (None: today, UTC)
_BOOKING_DAY: ContextVar[date | None] = ContextVar("ledger_booking_day", default=None)


@contextmanager
def booking_day(day: date) -> Iterator[None]:
    """Book every entry made inside the block on ``day``: to load a past history (a demo fund)
    into books that hold nothing later. The books' days must never go backwards, since the public
    books end at the first entry of today."""
    token = _BOOKING_DAY.set(day)
    try:
        yield
    finally:
        _BOOKING_DAY.reset(token)


def open_account(
    session: Session, code: str, currency: str, *, type: str = "Assets", floor_zero: bool = False
) -> Balance:
    """Open an account (idempotent: opening it again with the same settings is a no-op).

    Opening is itself an entry, so the export alone tells a verifier every account's currency
    and whether it may go below zero.
    """
    if not isinstance(code, str) or not ACCOUNT_CODE.match(code):
        raise InvalidEntry(f"{code!r} is not a valid account code (lower-case words joined by ':')")
    if not isinstance(currency, str) or not CURRENCY_CODE.match(currency):
        raise InvalidEntry(f"{currency!r} is not a three-letter currency code")
    if type not in ACCOUNT_TYPES:
        raise InvalidEntry(f"account type {type!r} is not one of {', '.join(ACCOUNT_TYPES)}")
    meta = {"account": code, "currency": currency, "type": type, "floor_zero": bool(floor_zero)}
    try:
        post(session, Entry(key=f"open:{code}", kind="open", meta=meta))
    except IdempotencyConflict:
        raise AccountConflict(f"account {code} is already open with other settings") from None
    return balance(session, code)


def post(session: Session, entry: Entry, *, on: date | None = None) -> BookedEntry:
    """Book one entry, or return the one booked before under the same key and content."""
    return post_many(session, [entry], on=on)[0]


def reserve(session: Session, key: str, postings: Sequence[Posting], meta: dict | None = None) -> BookedEntry:
    """Hold money for a later payment: it stays in its account but is no longer available."""
    return post(session, Entry(key=key, kind="reserve", postings=tuple(postings), meta=meta or {}))


def settle(session: Session, key: str, reservation: int, meta: dict | None = None) -> BookedEntry:
    """Post an open reservation: move the held money exactly as reserved."""
    held = reservation_postings(session.connection(), reservation)
    if not held:
        # Without this, an unknown seq would be refused as "needs at least two postings".
        raise UnknownReservation(f"entry {reservation} is not a reservation")
    return post(session, Entry(key=key, kind="settle", postings=held, meta=meta or {}, reservation=reservation))


def void(session: Session, key: str, reservation: int, meta: dict | None = None) -> BookedEntry:
    """Release an open reservation without moving money."""
    return post(session, Entry(key=key, kind="void", meta=meta or {}, reservation=reservation))


def record(session: Session, key: str, meta: dict) -> BookedEntry:
    """Hash a governance event (an approval, a decline, a payout record) into the tree."""
    return post(session, Entry(key=key, kind="note", meta=meta))


def balance(session: Session, code: str) -> Balance:
    """The current balance of one account, read from the kept figures (never summed)."""
    row = session.execute(
        select(schema.accounts.c.code, schema.accounts.c.currency, schema.accounts.c.balance, schema.accounts.c.held)
        .where(schema.accounts.c.code == code)
    ).first()
    if row is None:
        raise UnknownAccount(f"there is no account {code!r}")
    return Balance(row.code, row.currency, row.balance, row.held)


def balances(session: Session, codes: Iterable[str]) -> dict[str, Balance]:
    """Current balances of several accounts, in one query; unknown codes are left out."""
    rows = session.execute(
        select(schema.accounts.c.code, schema.accounts.c.currency, schema.accounts.c.balance, schema.accounts.c.held)
        .where(schema.accounts.c.code.in_(list(codes)))
    )
    return {r.code: Balance(r.code, r.currency, r.balance, r.held) for r in rows}


def post_many(session: Session, entries: Sequence[Entry], *, on: date | None = None) -> list[BookedEntry]:
    """Book entries in order, all or none, in the caller's transaction (which is not committed).

    Entries whose key was booked before with the same content come back as they were booked;
    a key reused for other content raises :class:`IdempotencyConflict` and nothing is written.
    """
    if not entries:
        return []
    for entry in entries:
        validate(entry)
    booked_on = on or _BOOKING_DAY.get() or datetime.now(UTC).date()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Locked alone, so that the reads below see whatever the writer before us committed.
        connection.execute(_LOCK_HEAD_ROW)
    reservations = load_reservations(connection, entries)
    with Driver(connection) as books:
        frontier, any_booked, accounts = _read_books(books, entries, reservations)
        results: dict[str, BookedEntry] = already_booked(connection, entries) if any_booked else {}
        rows = _lay_out(entries, results, accounts, reservations, frontier, booked_on)
        if rows.entries:
            _write(connection, books, accounts, rows, frontier)
    return [results[e.key] for e in entries]


@dataclass(slots=True)
class _NewRows:
    """What a batch adds to the books, checked in full before any of it is written."""

    entries: list[dict]
    #: (seq, position, working account, amount): the account's id is known once it is inserted
    postings: list[tuple[int, int, WorkingAccount, int]]
    nodes: list[dict]


def _lay_out(entries, results, accounts, reservations, frontier: Frontier, booked_on: date) -> _NewRows:
    """Move the working balances and the tree through the batch's new entries, refusing the first
    one that breaks a rule; ``results`` gains each booked entry by key."""
    rows = _NewRows([], [], [])
    for entry in entries:
        if entry.key in results:
            check_same_content(results[entry.key], entry)
            continue
        if entry.kind == "open":
            apply_open(entry, accounts)
        else:
            apply(entry, accounts, reservations)
        seq = frontier.size
        leaf = leaf_hash(canonical_bytes(leaf_object(seq, booked_on, entry)))
        rows.nodes.extend(
            {"level": lv, "idx": ix, "hash": h}
            for lv, ix, h in frontier.append(leaf)
            if lv >= schema.LOWEST_STORED_LEVEL
        )
        meta = dict(entry.meta)
        rows.entries.append(
            {
                "seq": seq,
                "key": entry.key,
                "kind": entry.kind,
                "booked_on": booked_on,
                "meta": canonical_bytes(meta).decode("utf-8"),
                "reservation": entry.reservation,
                "leaf_hash": leaf,
            }
        )
        rows.postings.extend((seq, i, accounts[p.account], p.amount) for i, p in enumerate(entry.postings))
        results[entry.key] = BookedEntry(
            seq, entry.key, entry.kind, booked_on, leaf, entry.postings, meta, entry.reservation
        )
    return rows


def lock_head(session: Session) -> TreeHead:
    """Lock the tree head row: every append and signature orders here."""
    return _lock_head(session.connection())


def _lock_head(connection: Connection) -> TreeHead:
    # On SQLite the transaction's BEGIN IMMEDIATE already holds the write lock.
    query = _LOCK_HEAD if connection.dialect.name == "postgresql" else _SELECT_HEAD
    head = connection.execute(query).first()
    if head is None:
        raise LedgerError("the books have no tree head: create the schema with its migrations first")
    return TreeHead.from_row(head)


@cache  # one per pair of padded lengths: a handful
def _books_query(keys: int, codes: int) -> Select:
    """One row per account in ``codes`` (one with no account if none is open), each carrying the
    head and whether any of ``keys`` is booked. Plain bind parameters, one per value: an
    expanding IN is rendered again on every execution, which costs more than running it."""
    h = schema.tree_head.c
    booked = select(_e.seq).where(_e.key.in_([bindparam(f"key{i}") for i in range(keys)])).exists()
    head = select(h.size, h.frontier, booked.label("any_booked")).where(h.id == 1)
    if not codes:
        return head.add_columns(*(null().label(c.name) for c in _ACCOUNT_COLUMNS))
    named = _a.code.in_([bindparam(f"code{i}") for i in range(codes)])
    return head.add_columns(*_ACCOUNT_COLUMNS).select_from(schema.tree_head.outerjoin(schema.accounts, named))


def _read_books(books: Driver, entries: Sequence[Entry], reservations: dict):
    """The head, whether any entry's key is booked already, and the accounts the entries touch."""
    keys = _padded(list(dict.fromkeys(e.key for e in entries)))
    touched = {p.account for e in entries for p in e.postings}
    # A void has no postings of its own but releases the holds on its reservation's accounts.
    touched |= {p.account for held in reservations.values() if held for p in held}
    # An account being opened is looked up too: opening one that exists is refused.
    touched |= {e.meta["account"] for e in entries if e.kind == "open" and isinstance(e.meta.get("account"), str)}
    codes = _padded(list(touched))
    params = {f"key{i}": key for i, key in enumerate(keys)}
    params.update((f"code{i}", code) for i, code in enumerate(codes))
    rows = books.fetch_all(_books_query(len(keys), len(codes)), params)
    if not rows:
        raise LedgerError("the books have no tree head: create the schema with its migrations first")
    size, frontier, any_booked = rows[0][:3]
    accounts = {
        code: WorkingAccount(id_, code, currency, floor_zero, balance, held)
        for *_head, id_, code, currency, floor_zero, balance, held in rows
        if id_ is not None
    }
    return Frontier.from_bytes(size, frontier), any_booked, accounts


def _padded(values: list) -> list:
    """``values`` to a power-of-two length by repeating the last: the same IN list, but batches of
    any size share a few statements (each costs milliseconds to build and compile)."""
    if not values:
        return values
    return values + values[-1:] * ((1 << (len(values) - 1).bit_length()) - len(values))


def _write(connection: Connection, books: Driver, accounts, rows: _NewRows, frontier: Frontier) -> None:
    """Write a checked batch: nothing reaches the database before every entry passed."""
    for account in accounts.values():
        if account.id is None:
            account.id = connection.execute(
                _NEW_ACCOUNT,
                {"code": account.code, "currency": account.currency, "type": account.type,
                 "floor_zero": account.floor_zero, "balance": 0, "held": 0},
            ).scalar_one()
    # One statement for every changed balance, still in account id order (so writers lock alike).
    changed = [
        {"account_id": account.id, "new_balance": account.balance, "new_held": account.held}
        for account in sorted(accounts.values(), key=lambda acc: acc.id)
        if account.changed
    ]
    if changed:
        books.execute_many(_SET_BALANCE, changed)
    books.execute_many(_INSERT_ENTRIES, rows.entries)
    if rows.postings:
        books.execute_many(
            _INSERT_POSTINGS,
            [{"entry_seq": s, "position": i, "account_id": acc.id, "amount": amt} for s, i, acc, amt in rows.postings],
        )
    if rows.nodes:
        books.execute_many(_INSERT_NODES, rows.nodes)
    books.execute(_SET_HEAD, {"new_size": frontier.size, "new_frontier": frontier.to_bytes()})
