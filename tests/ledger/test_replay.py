"""Replaying entries in order enforces every rule of the books, and names the entry that breaks one."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import (
    AccountConflict,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidEntry,
    LedgerError,
    ReservationClosed,
    UnbalancedEntry,
    UnknownAccount,
    UnknownReservation,
)
from ledger.replay import Replayer

DAY = "2025-03-01"


class Books:
    """Builds leaf objects with the next seq and applies them, as the store would have written them."""

    def __init__(self, replayer: Replayer | None = None):
        self.replayer = replayer or Replayer()

    def leaf(self, kind: str, postings=(), meta=None, key=None, **extra) -> dict:
        seq = self.replayer.next_seq
        obj = {"seq": seq, "key": key or f"{kind}:{seq}", "kind": kind, "date": DAY,
               "postings": [list(p) for p in postings], "meta": meta or {}}  # fmt: skip
        obj.update(extra)
        return obj

    def apply(self, kind: str, postings=(), meta=None, **extra) -> int:
        obj = self.leaf(kind, postings, meta, **extra)
        self.replayer.apply(obj)
        return obj["seq"]

    def open(self, account: str, currency: str = "EUR", type: str = "Assets", floor_zero: bool = False) -> int:
        meta = {"account": account, "currency": currency, "type": type, "floor_zero": floor_zero}
        return self.apply("open", meta=meta)

    def balance(self, account: str) -> tuple[int, int]:
        return self.replayer.balances[account]


@pytest.fixture
def books() -> Books:
    """A small fund: gifts come in from Stripe into a pool that may not go below zero."""
    b = Books()
    b.open("donations:stripe", type="Income")
    b.open("pool:1:available", type="Liabilities", floor_zero=True)
    b.open("pool:1:paid", type="Expenses")
    b.open("pool:2:available", "PLN", type="Liabilities", floor_zero=True)
    b.open("donations:offline", "PLN", type="Income")
    b.apply("transfer", [("donations:stripe", "EUR", -10_000), ("pool:1:available", "EUR", 10_000)])
    return b


GIFT = [("donations:stripe", "EUR", -500), ("pool:1:available", "EUR", 500)]
PAYOUT = [("pool:1:available", "EUR", -3_000), ("pool:1:paid", "EUR", 3_000)]


def test_a_gift_moves_money_and_the_balances_say_so(books):
    books.apply("transfer", GIFT)
    assert books.balance("pool:1:available") == (10_500, 0)
    assert books.balance("donations:stripe") == (-10_500, 0)  # an income account may go below zero
    assert books.replayer.next_seq == 7


def test_entries_must_come_in_seq_order(books):
    for seq in (books.replayer.next_seq + 1, books.replayer.next_seq - 1, True, str(books.replayer.next_seq)):
        obj = books.leaf("transfer", GIFT)
        obj["seq"] = seq
        with pytest.raises(InvalidEntry, match="entry 6: found seq"):
            books.replayer.apply(obj)
    first = Books().leaf("note")
    first["seq"] = 1
    with pytest.raises(InvalidEntry, match="entry 0"):
        Replayer().apply(first)


def test_a_seq_of_true_is_not_entry_one():
    b = Books()
    b.open("pool:1:available")
    obj = b.leaf("note")
    obj["seq"] = True
    with pytest.raises(InvalidEntry, match="entry 1"):
        b.replayer.apply(obj)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"kind": "gift"}, InvalidEntry, "unknown entry kind 'gift'"),
        ({"kind": ["transfer"]}, InvalidEntry, "malformed"),
        ({"reservation": 3}, InvalidEntry, "unexpected reservation"),
        ({"extra": 1}, InvalidEntry, "unexpected extra"),
        ({"key": ""}, InvalidEntry, "key must be non-empty"),
        ({"key": 7}, InvalidEntry, "key must be non-empty"),
        ({"date": "2025-02-30"}, InvalidEntry, "malformed"),
        ({"date": "1 March 2025"}, InvalidEntry, "is not a YYYY-MM-DD day"),
        ({"date": "2025-W09-6"}, InvalidEntry, "is not a YYYY-MM-DD day"),
        ({"meta": ["note"]}, InvalidEntry, "meta must be an object"),
        ({"postings": "none"}, InvalidEntry, "needs at least two postings"),
    ],
)
def test_a_malformed_entry_is_refused_by_name(books, change, error, message):
    obj = books.leaf("transfer", GIFT)
    obj.update(change)
    with pytest.raises(error, match=f"^entry 6: .*{message}"):
        books.replayer.apply(obj)
    assert books.replayer.next_seq == 6  # nothing was booked


def test_an_entry_missing_a_key_is_refused(books):
    for missing in ("key", "date", "meta", "postings", "seq"):
        obj = books.leaf("transfer", GIFT)
        del obj[missing]
        with pytest.raises(InvalidEntry, match="entry 6"):
            books.replayer.apply(obj)
    with pytest.raises(InvalidEntry, match="entry 6"):
        books.replayer.apply(["not", "an", "entry"])


def test_an_account_opens_once_with_a_valid_code_currency_type_and_floor(books):
    with pytest.raises(AccountConflict, match="entry 6: account pool:1:available is opened a second time"):
        books.open("pool:1:available", floor_zero=True)
    for meta in (
        {"account": "Pool 1", "currency": "EUR", "type": "Assets", "floor_zero": False},
        {"account": "pool:9", "currency": "eur", "type": "Assets", "floor_zero": False},
        {"account": "pool:9", "currency": "EUR", "type": "Savings", "floor_zero": False},
        {"account": "pool:9", "currency": "EUR", "type": "Assets", "floor_zero": 0},
        {"account": "pool:9", "currency": "EUR", "type": "Assets"},
    ):
        with pytest.raises(InvalidEntry, match="entry 6"):
            books.apply("open", meta=meta)
    with pytest.raises(InvalidEntry, match="takes no postings"):
        books.apply("open", GIFT, meta={"account": "pool:9", "currency": "EUR", "type": "Assets", "floor_zero": False})


def test_postings_name_opened_accounts_in_their_own_currency(books):
    with pytest.raises(UnknownAccount, match="entry 6: account 'pool:7:available' was never opened"):
        books.apply("transfer", [("donations:stripe", "EUR", -5), ("pool:7:available", "EUR", 5)])
    with pytest.raises(CurrencyMismatch, match="entry 6: pool:2:available holds PLN"):
        books.apply("transfer", [("donations:stripe", "EUR", -5), ("pool:2:available", "EUR", 5)])
    with pytest.raises(CurrencyMismatch, match="entry 6: pool:1:available holds EUR, not 'PLN'"):
        books.apply("transfer", [("donations:stripe", "EUR", -5), ("pool:1:available", "PLN", 5)])


@pytest.mark.parametrize("amount", [0, True, 5.0, "5", None, 10**16])
def test_amounts_are_non_zero_whole_numbers_of_cents(books, amount):
    with pytest.raises(InvalidEntry, match="entry 6"):
        books.apply("transfer", [("donations:stripe", "EUR", -5), ("pool:1:available", "EUR", amount)])


def test_an_absurd_sum_is_refused_even_when_it_balances(books):
    with pytest.raises(InvalidEntry, match="beyond any sane sum"):
        books.apply("transfer", [("donations:stripe", "EUR", -(10**16)), ("pool:1:available", "EUR", 10**16)])


def test_a_transfer_of_nothing_is_refused(books):
    with pytest.raises(InvalidEntry, match="entry 6: a posting of zero to donations:stripe moves nothing"):
        books.apply("transfer", [("donations:stripe", "EUR", 0), ("pool:1:available", "EUR", 0)])


def test_money_entries_balance_to_zero_in_each_currency(books):
    with pytest.raises(UnbalancedEntry, match="^entry 6: postings in EUR add up to 5, not zero$"):
        books.apply("transfer", [("donations:stripe", "EUR", -495), ("pool:1:available", "EUR", 500)])
    with pytest.raises(UnbalancedEntry, match="entry 6: postings in PLN add up to -100"):
        books.apply("reserve", [("pool:1:available", "EUR", -100), ("pool:1:paid", "EUR", 100),
                                ("donations:offline", "PLN", -100)])  # fmt: skip
    books.apply("transfer", [("donations:stripe", "EUR", -100), ("pool:1:available", "EUR", 60),
                             ("pool:1:paid", "EUR", 40), ("donations:offline", "PLN", -900),
                             ("pool:2:available", "PLN", 900)])  # fmt: skip
    assert books.balance("pool:2:available") == (900, 0)
    with pytest.raises(InvalidEntry, match="appears twice"):
        books.apply("transfer", [("pool:1:paid", "EUR", -5), ("pool:1:paid", "EUR", 5)])
    with pytest.raises(InvalidEntry, match="at least two postings"):
        books.apply("transfer", [])


def test_a_protected_pool_never_goes_below_zero(books):
    with pytest.raises(InsufficientFunds, match="entry 6: pool:1:available would have -1 EUR available"):
        books.apply("transfer", [("pool:1:available", "EUR", -10_001), ("pool:1:paid", "EUR", 10_001)])
    books.apply("transfer", [("pool:1:available", "EUR", -10_000), ("pool:1:paid", "EUR", 10_000)])
    assert books.balance("pool:1:available") == (0, 0)


def test_a_reservation_holds_money_until_it_is_settled_once(books):
    hold = books.apply("reserve", PAYOUT)
    assert books.balance("pool:1:available") == (10_000, 3_000)
    assert books.balance("pool:1:paid") == (0, 0)
    with pytest.raises(InsufficientFunds):  # held money is not available to anyone else
        books.apply("transfer", [("pool:1:available", "EUR", -7_001), ("pool:1:paid", "EUR", 7_001)])
    with pytest.raises(InsufficientFunds):
        books.apply("reserve", [("pool:1:available", "EUR", -7_001), ("pool:1:paid", "EUR", 7_001)])
    books.apply("settle", PAYOUT, reservation=hold)
    assert books.balance("pool:1:available") == (7_000, 0)
    assert books.balance("pool:1:paid") == (3_000, 0)
    assert books.replayer.open_reservations == frozenset()
    with pytest.raises(ReservationClosed, match=f"reservation {hold} was already settled or voided"):
        books.apply("settle", PAYOUT, reservation=hold)
    with pytest.raises(ReservationClosed):
        books.apply("void", reservation=hold)


def test_a_void_releases_the_hold_without_moving_money(books):
    hold = books.apply("reserve", PAYOUT)
    with pytest.raises(InvalidEntry, match="takes no postings"):
        books.apply("void", PAYOUT, reservation=hold)
    books.apply("void", reservation=hold)
    assert books.balance("pool:1:available") == (10_000, 0)
    assert books.balance("pool:1:paid") == (0, 0)
    with pytest.raises(ReservationClosed):
        books.apply("settle", PAYOUT, reservation=hold)


def test_a_settlement_names_an_open_reservation_and_pays_exactly_what_it_held(books):
    hold = books.apply("reserve", PAYOUT)
    for reservation in (5, hold + 1, 10**9, -1, True, "7", None):
        with pytest.raises(UnknownReservation):
            books.apply("settle", PAYOUT, reservation=reservation)
    with pytest.raises(InvalidEntry, match="other postings than it holds"):
        books.apply("settle", [("pool:1:available", "EUR", -2_999), ("pool:1:paid", "EUR", 2_999)], reservation=hold)
    with pytest.raises(InvalidEntry):
        books.apply("settle", [("pool:1:available", "EUR", -3_000), ("pool:1:paid", "EUR", 3000.0)],
                    reservation=hold)  # fmt: skip
    with pytest.raises(InvalidEntry, match="lacks reservation"):
        books.apply("settle", PAYOUT)
    books.apply("settle", PAYOUT[::-1], reservation=hold)  # the same postings, listed the other way round
    assert books.balance("pool:1:paid") == (3_000, 0)


def test_a_one_cent_settlement_with_a_boolean_amount_is_refused():
    b = Books()
    b.open("pool:1:available", floor_zero=True)
    b.open("pool:1:paid")
    b.open("donations:stripe")
    b.apply("transfer", [("donations:stripe", "EUR", -1), ("pool:1:available", "EUR", 1)])
    hold = b.apply("reserve", [("pool:1:available", "EUR", -1), ("pool:1:paid", "EUR", 1)])
    with pytest.raises(InvalidEntry):
        b.apply("settle", [("pool:1:available", "EUR", -1), ("pool:1:paid", "EUR", True)], reservation=hold)


def test_a_note_records_governance_and_moves_nothing(books):
    books.apply("note", meta={"event": "approval", "request": "r-17", "quorum": 2, "fast_track": False})
    with pytest.raises(InvalidEntry, match="entry 7: a note moves no money"):
        books.apply("note", GIFT)
    assert books.balance("pool:1:available") == (10_000, 0)


# --- the fast path and the careful path agree on everything --------------------------------------


class CarefulReplayer(Replayer):
    """The replayer with its fast path switched off: every entry goes through every check."""

    __slots__ = ()

    def apply(self, obj: dict) -> None:
        self.check_and_book(obj, self.next_seq)


ACCOUNTS = ["donations:stripe", "pool:1:available", "pool:1:paid", "pool:2:available", "nowhere"]
amounts = st.one_of(st.integers(-3_000, 3_000), st.sampled_from([0, True, 1.0, "5", 10**16]))
posting = st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(["EUR", "EUR", "EUR", "PLN"]), amounts)


@st.composite
def entries(draw):
    kind = draw(st.sampled_from(["transfer", "transfer", "reserve", "settle", "void", "note"]))
    if draw(st.booleans()):  # mostly the balanced two-posting shape
        (account, currency, amount), other = draw(posting), draw(st.sampled_from(ACCOUNTS))
        other_currency = draw(st.sampled_from([currency, currency, "PLN"]))
        postings = [[account, currency, amount], [other, other_currency, -amount if type(amount) is int else amount]]
    else:
        postings = [list(p) for p in draw(st.lists(posting, max_size=3))]
    obj = {"key": draw(st.sampled_from(["k", "", 3])), "kind": kind, "date": draw(st.sampled_from([DAY, DAY, "x"])),
           "postings": [] if kind in ("void", "note") and draw(st.booleans()) else postings, "meta": {}}  # fmt: skip
    if kind in ("settle", "void") or draw(st.integers(0, 9)) == 0:
        obj["reservation"] = draw(st.integers(0, 40))
    return obj, draw(st.integers(0, 19))


@settings(max_examples=300, deadline=None)
@given(st.lists(entries(), max_size=40))
def test_the_fast_path_accepts_and_refuses_exactly_what_the_careful_path_does(steps):
    fast, careful = Books(), Books(CarefulReplayer())
    for b in (fast, careful):
        b.open("donations:stripe", type="Income")
        b.open("pool:1:available", floor_zero=True)
        b.open("pool:1:paid", type="Expenses")
        b.open("pool:2:available", "PLN", floor_zero=True)
        b.apply("transfer", [("donations:stripe", "EUR", -5_000), ("pool:1:available", "EUR", 5_000)])
    reserved: list[tuple[int, list]] = []
    for obj, pick in steps:
        if obj["kind"] == "settle" and reserved and pick < 15:  # settle a real hold, usually unchanged
            obj["reservation"], held = reserved[pick % len(reserved)]
            obj["postings"] = copy.deepcopy(held) if pick < 10 else obj["postings"]
        outcomes = []
        for b in (fast, careful):
            leaf = copy.deepcopy(obj)
            leaf["seq"] = b.replayer.next_seq
            try:
                b.replayer.apply(leaf)
                outcomes.append("ok")
            except LedgerError as error:
                outcomes.append(f"{type(error).__name__}: {error}")
        assert outcomes[0] == outcomes[1], obj
        if outcomes[0] == "ok" and obj["kind"] == "reserve":
            reserved.append((fast.replayer.next_seq - 1, obj["postings"]))
    assert fast.replayer.balances == careful.replayer.balances
    assert fast.replayer.open_reservations == careful.replayer.open_reservations
