"""A Hypothesis state machine that drives the store as a committee and its donors would.

It opens accounts (some protected by a floor) and books gifts, balanced and unbalanced transfers,
reservations, settlements, releases, notes, batches, retried keys and reused keys. The model
predicts each outcome. Each rule runs in a fresh session that commits even after a refusal, since
the store writes nothing until every entry of a batch has passed: a refusal must be one the model
expects and leave the database exactly as it was. After every step the books are checked, and
undoing the later entries must give back the books of an earlier size.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy.orm import Session

from ledger import store
from ledger.entry import Entry, Posting
from ledger.errors import AccountConflict, IdempotencyConflict, LedgerError, ReservationClosed, UnknownReservation
from ledger.history import changes_since
from tests.ledger.books_checks import check_books, snapshot
from tests.ledger.books_databases import DatabaseFactory
from tests.ledger.books_model import Model

CODES = ("pool:1:available", "pool:2:available", "pool:1:paid", "donations:stripe", "donations:usd", "refunds")
CURRENCIES = ("EUR", "USD")


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
            check_books(session, self.model)

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
