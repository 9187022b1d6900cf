"""Any sequence of gifts, payouts, holds and retries leaves books that add up.

A Hypothesis state machine drives the store with accounts (some protected by a floor),
balanced and unbalanced transfers, reservations, settlements, releases, batches, retried keys
and reused keys. A plain-Python model of the books predicts each outcome; after every step the
database is checked against the model and against itself: every entry balances, every kept
balance and hold is the sum of its postings, no protected account is below zero, and the tree
head is the root of a Merkle tree rebuilt here from the rows, and undoing the later entries
gives back the books of an earlier size. A refusal must leave the database
exactly as it was: each rule runs in a fresh session that commits even after a refusal, since
the store writes nothing until every entry of a batch has passed.

Each example gets a fresh database: a copy of the migrated SQLite template, or a PostgreSQL
database created from ``ayni_template`` in the session's throwaway cluster.
"""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from funds.db import make_engine
from ledger import audit, schema, store
from ledger.entry import Entry, Posting, canonical_bytes
from ledger.errors import (
    AccountConflict,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidEntry,
    LedgerError,
    ReservationClosed,
    UnbalancedEntry,
    UnknownAccount,
    UnknownReservation,
)
from ledger.history import changes_since
from ledger.merkle import MemoryTree, leaf_hash

#: a new database per example: returns its engine and a function that throws it away
DatabaseFactory = Callable[[], tuple[Engine, Callable[[], None]]]

CODES = ("pool:1:available", "pool:2:available", "pool:1:paid", "donations:stripe", "donations:usd", "refunds")
CURRENCIES = ("EUR", "USD")


def sqlite_databases(template: Path, directory: Path) -> DatabaseFactory:
    def new_database():
        path = directory / f"books-{uuid.uuid4().hex}.sqlite3"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")

        def throw_away():
            engine.dispose()
            for leftover in directory.glob(f"{path.name}*"):
                leftover.unlink()

        return engine, throw_away

    return new_database


def postgres_databases(admin: Engine, url_of: Callable[[str], str]) -> DatabaseFactory:
    def new_database():
        name = f"books_{uuid.uuid4().hex}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE ayni_template"))
        engine = make_engine(url_of(name))

        def throw_away():
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))

        return engine, throw_away

    return new_database


@dataclass
class ModelAccount:
    currency: str
    floor_zero: bool
    balance: int = 0
    held: int = 0


class Model:
    """What the books should hold, kept without the store's code."""

    def __init__(self) -> None:
        self.accounts: dict[str, ModelAccount] = {}
        #: key -> (entry as asked, its seq)
        self.booked: dict[str, tuple[Entry, int]] = {}
        self.open_reservations: dict[int, tuple[Posting, ...]] = {}
        self.closed_reservations: set[int] = set()
        self.size = 0

    def errors(self, kind: str, postings: tuple[Posting, ...]) -> set[type[LedgerError]]:
        """Every refusal the rules allow for this transfer or reservation (empty: it must be booked)."""
        found: set[type[LedgerError]] = set()
        totals: dict[str, int] = defaultdict(int)
        for posting in postings:
            totals[posting.currency] += posting.amount
            if posting.amount == 0:
                found.add(InvalidEntry)
        if any(totals.values()):
            found.add(UnbalancedEntry)
        if len({p.account for p in postings}) != len(postings):
            found.add(InvalidEntry)
        for posting in postings:
            account = self.accounts.get(posting.account)
            if account is None:
                found.add(UnknownAccount)
            elif account.currency != posting.currency:
                found.add(CurrencyMismatch)
        if not found:
            for posting in postings:
                account = self.accounts[posting.account]
                if kind == "transfer":
                    after = account.balance + posting.amount - account.held
                else:
                    after = account.balance - account.held + min(posting.amount, 0)
                if account.floor_zero and after < 0:
                    found.add(InsufficientFunds)
        return found

    def book(self, entry: Entry) -> int:
        seq = self.size
        self.size += 1
        self.booked[entry.key] = (entry, seq)
        if entry.kind == "transfer":
            for p in entry.postings:
                self.accounts[p.account].balance += p.amount
        elif entry.kind == "reserve":
            self.open_reservations[seq] = entry.postings
            for p in entry.postings:
                self.accounts[p.account].held -= min(p.amount, 0)
        elif entry.kind in ("settle", "void"):
            held = self.open_reservations.pop(entry.reservation)
            self.closed_reservations.add(entry.reservation)
            for p in held:
                self.accounts[p.account].held += min(p.amount, 0)
                if entry.kind == "settle":
                    self.accounts[p.account].balance += p.amount
        elif entry.kind == "open":
            m = entry.meta
            self.accounts[m["account"]] = ModelAccount(m["currency"], m["floor_zero"])
        return seq


def snapshot(session: Session) -> tuple:
    """Everything a refusal must leave alone, read in the caller's session."""
    tables = (schema.accounts, schema.entries, schema.postings, schema.tree_nodes, schema.tree_head)
    counts = tuple(session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)
    a, h = schema.accounts.c, schema.tree_head.c
    figures = sorted(session.execute(select(a.code, a.balance, a.held)).all())
    head = session.execute(select(h.size, h.root)).first()
    return counts, figures, tuple(head) if head else None


class Books(RuleBasedStateMachine):
    """The state machine; a test subclasses it with the backend's ``new_database``."""

    new_database: DatabaseFactory

    def __init__(self) -> None:
        super().__init__()
        self.engine, self.throw_away = self.new_database()
        self.model = Model()
        self.keys = 0
        #: tree size -> {code: (balance, held)} as the model had them at that size
        self.earlier: dict[int, dict[str, tuple[int, int]]] = {}

    def teardown(self) -> None:
        self.throw_away()

    # ---- helpers ------------------------------------------------------------------------------

    def new_key(self, prefix: str) -> str:
        self.keys += 1
        return f"{prefix}:{self.keys}"

    def attempt(self, work: Callable[[Session], object], expected: set[type[LedgerError]]):
        """Run ``work`` in a fresh session; a refusal must be expected and change nothing."""
        with Session(self.engine) as session:
            before = snapshot(session)
            try:
                result = work(session)
            except LedgerError as error:
                assert type(error) in expected, f"refused with {type(error).__name__}: {error}; expected {expected}"
                assert str(error)
                # No rollback: the store wrote nothing, so committing must change nothing either.
                assert snapshot(session) == before
                session.commit()
                return None
            assert not expected, f"booked, but expected a refusal: {expected}"
            session.commit()
            return result

    def draw_postings(self, data, kind: str) -> tuple[Posting, ...]:
        opened = sorted(self.model.accounts)
        choices = opened if data.draw(st.integers(0, 9), label="known accounts") else list(CODES)
        unique = data.draw(st.integers(0, 19), label="unique accounts") > 0
        codes = data.draw(st.lists(st.sampled_from(choices), min_size=2, max_size=3, unique=unique), label="accounts")
        currencies = []
        for code in codes:
            currency = self.model.accounts[code].currency if code in self.model.accounts else "EUR"
            if not data.draw(st.integers(0, 19), label="same currency"):
                currency = "USD" if currency == "EUR" else "EUR"
            currencies.append(currency)
        if kind == "reserve":
            source = self.model.accounts.get(codes[0])
            available = source.balance - source.held if source else 0
            # Often no more than is available, so that holds are made, settled and released.
            first = data.draw(st.one_of(st.integers(1, 1500), st.integers(1, max(1, available))), label="held")
            amounts = [-first] + [0] * (len(codes) - 1)
            amounts[-1] += first
            if len(codes) == 3:
                split = data.draw(st.integers(0, first), label="split")
                amounts[1], amounts[2] = split, first - split
        else:
            amounts = [data.draw(st.integers(-2500, 2500), label="amount") for _ in codes[:-1]]
            amounts.append(-sum(amounts))
        if not data.draw(st.integers(0, 9), label="balanced"):
            amounts[-1] += data.draw(st.integers(1, 50), label="imbalance")
        return tuple(Posting(c, cur, amt) for c, cur, amt in zip(codes, currencies, amounts, strict=True))

    def book_or_refuse(self, entry: Entry) -> None:
        expected = self.model.errors(entry.kind, entry.postings)
        booked = self.attempt(lambda s: store.post(s, entry), expected)
        if booked is not None:
            assert booked.seq == self.model.book(entry)

    def reservation_target(self, data) -> int:
        """Mostly an open reservation; sometimes a closed one, or any seq at all."""
        pick = data.draw(st.integers(0, 5), label="which reservation")
        if pick == 1 and self.model.closed_reservations:
            return data.draw(st.sampled_from(sorted(self.model.closed_reservations)), label="closed")
        if pick > 1 and self.model.open_reservations:
            return data.draw(st.sampled_from(sorted(self.model.open_reservations)), label="open")
        return data.draw(st.integers(0, self.model.size + 1), label="any seq")

    def closing_errors(self, seq: int) -> set[type[LedgerError]]:
        if seq in self.model.open_reservations:
            return set()
        return {ReservationClosed} if seq in self.model.closed_reservations else {UnknownReservation}

    # ---- rules --------------------------------------------------------------------------------

    @initialize()
    def open_a_pool_and_a_source_of_gifts(self):
        self.open_account("donations:stripe", "EUR", False)
        self.open_account("pool:1:available", "EUR", True)

    @rule(code=st.sampled_from(CODES), currency=st.sampled_from(CURRENCIES), floor_zero=st.booleans())
    def open_account(self, code, currency, floor_zero):
        known = self.model.accounts.get(code)
        same = known is not None and (known.currency, known.floor_zero) == (currency, floor_zero)
        expected = set() if known is None or same else {AccountConflict}
        opened = self.attempt(lambda s: store.open_account(s, code, currency, floor_zero=floor_zero), expected)
        if opened is not None:
            if known is None:
                meta = {"account": code, "currency": currency, "type": "Assets", "floor_zero": floor_zero}
                self.model.book(Entry(f"open:{code}", "open", meta=meta))
            account = self.model.accounts[code]
            assert (opened.balance, opened.held) == (account.balance, account.held)

    @rule(data=st.data(), cents=st.integers(1, 5000))
    def give(self, data, cents):
        pools = sorted(code for code, a in self.model.accounts.items() if a.floor_zero and a.currency == "EUR")
        if pools:
            pool = data.draw(st.sampled_from(pools), label="pool")
            postings = (Posting("donations:stripe", "EUR", -cents), Posting(pool, "EUR", cents))
            self.book_or_refuse(Entry(self.new_key("gift"), "transfer", postings, {"source": "stripe"}))

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data())
    def transfer(self, data):
        self.book_or_refuse(Entry(self.new_key("transfer"), "transfer", self.draw_postings(data, "transfer")))

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data())
    def reserve(self, data):
        self.book_or_refuse(Entry(self.new_key("reserve"), "reserve", self.draw_postings(data, "reserve")))

    @rule(data=st.data())
    def hold_for_an_approved_request(self, data):
        funded = sorted(c for c, a in self.model.accounts.items() if a.floor_zero and a.balance - a.held > 0)
        if not funded:
            return
        source = data.draw(st.sampled_from(funded), label="pool")
        account = self.model.accounts[source]
        targets = sorted(c for c, a in self.model.accounts.items() if c != source and a.currency == account.currency)
        if targets:
            target = data.draw(st.sampled_from(targets), label="payee")
            cents = data.draw(st.integers(1, account.balance - account.held + 10), label="cents")
            postings = (Posting(source, account.currency, -cents), Posting(target, account.currency, cents))
            self.book_or_refuse(Entry(self.new_key("hold"), "reserve", postings, {"request": self.keys}))

    @rule(data=st.data())
    def settle(self, data):
        seq = self.reservation_target(data)
        key = self.new_key("settle")
        booked = self.attempt(lambda s: store.settle(s, key, seq), self.closing_errors(seq))
        if booked is not None:
            entry = Entry(key, "settle", self.model.open_reservations[seq], {}, reservation=seq)
            assert booked.seq == self.model.book(entry)

    @rule(data=st.data())
    def void(self, data):
        seq = self.reservation_target(data)
        key = self.new_key("void")
        booked = self.attempt(lambda s: store.void(s, key, seq), self.closing_errors(seq))
        if booked is not None:
            assert booked.seq == self.model.book(Entry(key, "void", (), {}, reservation=seq))

    @rule()
    def record_an_approval(self):
        entry = Entry(self.new_key("approval"), "note", meta={"request": self.keys, "approved": True})
        self.book_or_refuse(entry)

    @precondition(lambda self: len(self.model.accounts) >= 2)
    @rule(data=st.data(), size=st.integers(2, 3))
    def post_a_batch(self, data, size):
        entries = [Entry(self.new_key("batch"), "transfer", self.draw_postings(data, "transfer")) for _ in range(size)]
        trial, expected = copy.deepcopy(self.model), set()
        for entry in entries:
            errors = trial.errors(entry.kind, entry.postings)
            expected |= errors
            if not errors:
                trial.book(entry)
        booked = self.attempt(lambda s: store.post_many(s, entries), expected)
        if booked is not None:
            assert [b.seq for b in booked] == [self.model.book(e) for e in entries]

    @precondition(lambda self: self.model.booked)
    @rule(data=st.data())
    def retry_a_booked_key(self, data):
        key = data.draw(st.sampled_from(sorted(self.model.booked)), label="retried key")
        entry, seq = self.model.booked[key]
        if entry.kind == "open":
            m = entry.meta
            self.attempt(
                lambda s: store.open_account(s, m["account"], m["currency"], floor_zero=m["floor_zero"]), set()
            )
            return
        with Session(self.engine) as session:
            before = snapshot(session)
            again = store.post(session, entry)
            assert snapshot(session) == before
            session.commit()
        assert again.seq == seq
        assert (again.kind, again.postings, again.meta, again.reservation) == (
            entry.kind,
            entry.postings,
            dict(entry.meta),
            entry.reservation,
        )

    @precondition(lambda self: self.model.booked)
    @rule(data=st.data())
    def reuse_a_key_for_other_content(self, data):
        key = data.draw(st.sampled_from(sorted(self.model.booked)), label="reused key")
        entry, _ = self.model.booked[key]
        variants = [
            Entry(key, "note", meta={"changed": True}),
            Entry(key, entry.kind, entry.postings, {"changed": 1}, entry.reservation),
        ]
        if entry.kind == "transfer":
            variants.append(
                Entry(key, "transfer", tuple(Posting(p.account, p.currency, -p.amount) for p in entry.postings))
            )
        other = data.draw(st.sampled_from(variants), label="variant")
        self.attempt(lambda s: store.post(s, other), {IdempotencyConflict})

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def the_books_add_up(self):
        with Session(self.engine) as session:
            self.check(session)

    @invariant()
    def undoing_later_entries_gives_the_earlier_books(self):
        now = {code: (m.balance, m.held) for code, m in self.model.accounts.items()}
        self.earlier.setdefault(self.model.size, now)
        sizes = sorted(self.earlier)
        with Session(self.engine) as session:
            for size in {sizes[0], sizes[len(sizes) // 2], sizes[-1]}:
                later = changes_since(session, now, size)
                undone = {
                    code: (balance - later[code].balance, held - later[code].held) if code in later else (balance, held)
                    for code, (balance, held) in now.items()
                }
                assert undone == {code: self.earlier[size].get(code, (0, 0)) for code in now}, size

    def check(self, session: Session) -> None:
        e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
        accounts = {row.code: row for row in session.execute(select(schema.accounts))}
        model = self.model.accounts
        assert {code: (r.currency, r.floor_zero, r.balance, r.held) for code, r in accounts.items()} == {
            code: (m.currency, m.floor_zero, m.balance, m.held) for code, m in model.items()
        }

        # Every entry balances in every currency.
        unbalanced = session.execute(
            select(p.entry_seq, a.currency, func.sum(p.amount))
            .join(schema.accounts, a.id == p.account_id)
            .group_by(p.entry_seq, a.currency)
            .having(func.sum(p.amount) != 0)
        ).all()
        assert unbalanced == []

        # Kept figures are sums of postings: moved money, and the holds of open reservations.
        moved = dict(
            session.execute(
                select(a.code, func.sum(p.amount))
                .join(schema.postings, p.account_id == a.id)
                .join(schema.entries, e.seq == p.entry_seq)
                .where(e.kind.in_(("transfer", "settle")))
                .group_by(a.code)
            ).all()
        )
        closed = select(e.reservation).where(e.reservation.is_not(None))
        held = dict(
            session.execute(
                select(a.code, func.sum(-p.amount))
                .join(schema.postings, p.account_id == a.id)
                .join(schema.entries, e.seq == p.entry_seq)
                .where(e.kind == "reserve", p.amount < 0, e.seq.not_in(closed))
                .group_by(a.code)
            ).all()
        )
        for code, row in accounts.items():
            assert row.balance == moved.get(code, 0), code
            assert row.held == held.get(code, 0), code
            assert not row.floor_zero or row.balance - row.held >= 0, code

        # The tree head is the root of a tree rebuilt here from the rows.
        lines: dict[int, list[list]] = defaultdict(list)
        for seq, code, currency, amount in session.execute(
            select(p.entry_seq, a.code, a.currency, p.amount)
            .join(schema.accounts, a.id == p.account_id)
            .order_by(p.entry_seq, p.position)
        ):
            lines[seq].append([code, currency, amount])
        tree = MemoryTree()
        rows = session.execute(select(schema.entries).order_by(e.seq)).all()
        assert [row.seq for row in rows] == list(range(self.model.size))
        for row in rows:
            leaf = {
                "seq": row.seq,
                "key": row.key,
                "kind": row.kind,
                "date": row.booked_on.isoformat(),
                "postings": lines.get(row.seq, []),
                "meta": json.loads(row.meta),
            }
            if row.reservation is not None:
                leaf["reservation"] = row.reservation
            asked, seq = self.model.booked[row.key]
            assert seq == row.seq
            assert {k: v for k, v in leaf.items() if k not in ("seq", "date")} == asked.content()
            data = canonical_bytes(leaf)
            assert leaf_hash(data) == bytes(row.leaf_hash), row.seq
            tree.append(data)
        head = session.execute(select(schema.tree_head)).first()
        assert head is not None and head.size == tree.size
        assert bytes(head.root) == tree.root()
        nodes = {(n.level, n.idx): bytes(n.hash) for n in session.execute(select(schema.tree_nodes))}
        expected_nodes = {(lv, ix): h for lv, level in enumerate(tree.levels) if lv for ix, h in enumerate(level)}
        assert nodes == expected_nodes

        report = audit.verify(session)
        assert (report.size, report.root, report.accounts_checked) == (tree.size, tree.root(), len(model))


def run_books(new_database: DatabaseFactory, examples: int, steps: int) -> None:
    machine = type("BooksOnThisBackend", (Books,), {"new_database": staticmethod(new_database)})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_any_sequence_of_gifts_holds_and_payouts_keeps_the_books_true_on_sqlite(sqlite_template, tmp_path):
    run_books(sqlite_databases(sqlite_template, tmp_path), examples=40, steps=30)


def test_any_sequence_of_gifts_holds_and_payouts_keeps_the_books_true_on_postgresql(postgres_cluster):
    admin = create_engine(postgres_cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        run_books(postgres_databases(admin, postgres_cluster.url), examples=8, steps=25)
    finally:
        admin.dispose()
