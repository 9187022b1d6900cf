"""An approved request holds money that no one else can spend, until it is paid or released.

A settlement pays out exactly what was reserved, a release frees it without moving it, each
reservation closes at most once, and only a reservation can be closed.
"""

from __future__ import annotations

import pytest

from ledger import audit, store
from ledger.entry import Entry
from ledger.errors import InsufficientFunds, InvalidEntry, ReservationClosed, UnknownReservation
from tests.ledger.pool_books import AVAILABLE, PAID, assert_refused_and_nothing_booked, hold, payout


def test_an_approved_request_holds_money_that_no_one_else_can_spend(pool, give):
    give(1000)
    store.reserve(pool, "reserve:1", hold(600))
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 1000, 600)
    assert store.balance(pool, AVAILABLE).available == 400
    assert store.balance(pool, PAID).balance == 0
    assert_refused_and_nothing_booked(
        pool, InsufficientFunds, ["has 400 available", "500 asked"], lambda: store.post(pool, payout(500))
    )
    assert_refused_and_nothing_booked(
        pool, InsufficientFunds, ["has 400 available"], lambda: store.reserve(pool, "reserve:2", hold(401))
    )
    store.reserve(pool, "reserve:3", hold(400))
    assert store.balance(pool, AVAILABLE).available == 0


def test_settling_a_reservation_pays_it_out(pool, give):
    give(1000)
    held = store.reserve(pool, "reserve:1", hold(600))
    settled = store.settle(pool, "settle:1", held.seq, {"payout": "cash"})
    assert settled.postings == hold(600)
    assert settled.reservation == held.seq
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 400, 0)
    assert store.balance(pool, PAID) == store.Balance(PAID, "EUR", 600, 0)
    audit.verify(pool)


def test_releasing_a_reservation_frees_the_money_without_moving_it(pool, give):
    give(1000)
    held = store.reserve(pool, "reserve:1", hold(600))
    store.void(pool, "void:1", held.seq)
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 1000, 0)
    assert store.balance(pool, PAID).balance == 0
    store.reserve(pool, "reserve:2", hold(1000))
    assert store.balance(pool, AVAILABLE).available == 0
    audit.verify(pool)


def test_a_released_reservation_cannot_be_paid(pool, give):
    give(1000)
    held = store.reserve(pool, "reserve:1", hold(600))
    store.void(pool, "void:1", held.seq)
    assert_refused_and_nothing_booked(
        pool,
        ReservationClosed,
        [f"reservation {held.seq}", "already posted or voided"],
        lambda: store.settle(pool, "settle:1", held.seq),
    )


def test_a_reservation_is_paid_at_most_once(pool, give):
    give(1000)
    held = store.reserve(pool, "reserve:1", hold(600))
    store.settle(pool, "settle:1", held.seq)
    assert_refused_and_nothing_booked(
        pool, ReservationClosed, ["already posted or voided"], lambda: store.settle(pool, "settle:again", held.seq)
    )
    assert_refused_and_nothing_booked(
        pool, ReservationClosed, ["already posted or voided"], lambda: store.void(pool, "void:late", held.seq)
    )
    assert store.balance(pool, AVAILABLE).balance == 400


@pytest.mark.parametrize("close", [store.settle, store.void], ids=["settle", "void"])
def test_closing_something_that_is_not_a_reservation_is_refused(pool, give, close):
    booked_gift = give(1000)
    for seq in (999, booked_gift.seq, 0):  # never booked, a transfer, an account opening
        assert_refused_and_nothing_booked(
            pool, UnknownReservation, [f"entry {seq}", "not a reservation"], lambda seq=seq: close(pool, "close", seq)
        )


def test_a_settlement_must_post_exactly_what_was_reserved(pool, give):
    give(1000)
    held = store.reserve(pool, "reserve:1", hold(600))
    other = Entry("settle:1", "settle", hold(500), reservation=held.seq)
    assert_refused_and_nothing_booked(pool, InvalidEntry, ["exactly as reserved"], lambda: store.post(pool, other))
