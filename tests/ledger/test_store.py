"""The books, as a committee and a donor meet them: every refusal named, nothing half-booked.

Each test runs on SQLite and on PostgreSQL (the ``db_session`` fixture is parametrized).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger import audit, schema, store
from ledger.checkpoint import generate_signer
from ledger.entry import MAX_AMOUNT, Entry, Posting
from ledger.errors import (
    AccountConflict,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidEntry,
    ReservationClosed,
    TamperDetected,
    UnbalancedEntry,
    UnknownAccount,
    UnknownReservation,
)

AVAILABLE = "pool:1:available"
PAID = "pool:1:paid"
STRIPE = "donations:stripe"


@pytest.fixture
def pool(db_session):
    """A pool that may not go below zero, a place gifts come from and one payouts go to."""
    store.open_account(db_session, AVAILABLE, "EUR", floor_zero=True)
    store.open_account(db_session, STRIPE, "EUR", type="Income")
    store.open_account(db_session, PAID, "EUR", type="Expenses")
    return db_session


@pytest.fixture
def give(pool):
    """``give(cents, key)`` books a gift from Stripe into the pool."""

    def give(cents: int, key: str = "gift:1", **meta):
        return store.post(pool, gift(cents, key, **meta))

    return give


def gift(cents: int, key: str = "gift:1", **meta) -> Entry:
    return Entry(key, "transfer", (Posting(STRIPE, "EUR", -cents), Posting(AVAILABLE, "EUR", cents)), meta)


def payout(cents: int, key: str = "payout:1") -> Entry:
    return Entry(key, "transfer", (Posting(AVAILABLE, "EUR", -cents), Posting(PAID, "EUR", cents)))


def hold(cents: int) -> tuple[Posting, ...]:
    return (Posting(AVAILABLE, "EUR", -cents), Posting(PAID, "EUR", cents))


def row_counts(session) -> dict[str, int]:
    tables = (schema.accounts, schema.entries, schema.postings, schema.tree_nodes, schema.checkpoints)
    counts = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
    counts["tree size"] = session.execute(select(schema.tree_head.c.size)).scalar_one()
    return counts


def figures(session) -> dict[str, tuple[int, int]]:
    a = schema.accounts.c
    return {code: (bal, held) for code, bal, held in session.execute(select(a.code, a.balance, a.held))}


def assert_refused_and_nothing_booked(session, error, words, attempt):
    before, money = row_counts(session), figures(session)
    with pytest.raises(error) as refused:
        attempt()
    message = str(refused.value)
    for word in words:
        assert word in message
    assert row_counts(session) == before
    assert figures(session) == money
    audit.verify(session)
    return refused.value


# ---- what a malformed entry is told -------------------------------------------------------------


def test_a_gift_that_does_not_balance_is_refused_and_books_nothing(pool):
    lopsided = Entry("gift:1", "transfer", (Posting(STRIPE, "EUR", -1000), Posting(AVAILABLE, "EUR", 900)))
    assert_refused_and_nothing_booked(
        pool, UnbalancedEntry, ["EUR", "add up to -100", "not zero", "every cent"], lambda: store.post(pool, lopsided)
    )


# A refusal writes nothing, so one database serves every case of a test (a fresh database per
# case would cost a PostgreSQL CREATE DATABASE each).


def test_a_gift_must_be_a_sane_whole_number_of_cents(pool):
    cases = [
        (0, ["zero", AVAILABLE, "moves nothing"]),
        (10.5, ["10.5", "whole number of cents"]),
        (True, ["True", "whole number of cents"]),
        (MAX_AMOUNT + 1, [str(MAX_AMOUNT + 1), "beyond any sane sum"]),
    ]
    for cents, words in cases:
        odd = Entry("gift:1", "transfer", (Posting(AVAILABLE, "EUR", cents), Posting(STRIPE, "EUR", -cents)))
        error = assert_refused_and_nothing_booked(pool, InvalidEntry, words, lambda odd=odd: store.post(pool, odd))
        assert not isinstance(error, UnbalancedEntry), cents


def test_a_posting_with_a_bad_account_or_currency_code_is_refused(pool):
    cases = [
        (Posting("Pool 1", "EUR", 5), ["'Pool 1'", "not a valid account code"]),
        (Posting("pool:1:", "EUR", 5), ["not a valid account code"]),
        (Posting(AVAILABLE, "eur", 5), ["'eur'", "three-letter currency code"]),
        (Posting(AVAILABLE, "EURO", 5), ["three-letter currency code"]),
    ]
    for posting, words in cases:
        entry = Entry("gift:1", "transfer", (posting, Posting(STRIPE, posting.currency, -5)))
        assert_refused_and_nothing_booked(pool, InvalidEntry, words, lambda entry=entry: store.post(pool, entry))


def test_an_account_with_a_bad_code_currency_or_type_is_not_opened(pool):
    cases = [
        ("Pool:2", "EUR", "Assets", ["'Pool:2'", "lower-case words"]),
        ("pool:2", "Euro", "Assets", ["'Euro'", "three-letter"]),
        ("pool:2", "EUR", "Savings", ["'Savings'", "Assets"]),
    ]
    for code, currency, kind, words in cases:
        assert_refused_and_nothing_booked(
            pool, InvalidEntry, words, lambda c=code, cur=currency, k=kind: store.open_account(pool, c, cur, type=k)
        )


def test_an_open_entry_posted_directly_is_checked_like_open_account(pool):
    # Booking any of these would leave books that audit.verify refuses: the store must say no first.
    cases = [
        ({"account": "Pool!", "currency": "EUR", "type": "Assets", "floor_zero": True}, "not a valid account code"),
        ({"account": "pool:2", "currency": "eur", "type": "Assets", "floor_zero": True}, "three-letter currency"),
        ({"account": "pool:2", "currency": "EUR", "type": "Savings", "floor_zero": True}, "not one of Assets"),
        ({"account": "pool:2", "currency": "EUR", "type": "Assets", "floor_zero": 1}, "true or false"),
        ({"account": "pool:2", "currency": "EUR", "type": "Assets"}, "true or false"),
        ({"currency": "EUR", "type": "Assets", "floor_zero": False}, "None is not a valid account code"),
    ]
    for meta, words in cases:
        entry = Entry("open:odd", "open", meta=meta)
        assert_refused_and_nothing_booked(pool, InvalidEntry, [words], lambda entry=entry: store.post(pool, entry))


def test_an_entry_without_a_key_is_refused_so_a_retry_cannot_book_it_twice(pool):
    for key in ("", "   "):
        assert_refused_and_nothing_booked(
            pool, InvalidEntry, ["non-empty key", "retry"], lambda key=key: store.post(pool, gift(500, key))
        )


def test_a_payout_to_an_account_never_opened_is_refused(pool, give):
    give(1000)
    stray = Entry("payout:1", "transfer", (Posting(AVAILABLE, "EUR", -100), Posting("pool:9:paid", "EUR", 100)))
    assert_refused_and_nothing_booked(
        pool, UnknownAccount, ["no account 'pool:9:paid'", "open it first"], lambda: store.post(pool, stray)
    )
    with pytest.raises(UnknownAccount, match="no account 'pool:9:paid'"):
        store.balance(pool, "pool:9:paid")


def test_a_gift_in_another_currency_than_the_pool_is_refused(pool):
    store.open_account(pool, "donations:offline", "USD", type="Income")
    dollars = Entry("gift:1", "transfer", (Posting("donations:offline", "USD", -500), Posting(AVAILABLE, "USD", 500)))
    assert_refused_and_nothing_booked(
        pool, CurrencyMismatch, [AVAILABLE, "holds EUR, not USD"], lambda: store.post(pool, dollars)
    )


def test_a_payout_larger_than_the_pool_is_refused_and_says_what_is_available(pool, give):
    give(1000)
    error = assert_refused_and_nothing_booked(
        pool,
        InsufficientFunds,
        [AVAILABLE, "has 1000 available", "less than the 1500 asked", "nothing was booked"],
        lambda: store.post(pool, payout(1500)),
    )
    assert isinstance(error, InsufficientFunds)
    assert store.balance(pool, AVAILABLE).available == 1000


def test_an_account_that_may_go_below_zero_does(pool):
    # Stripe's side is not protected: gifts come out of it.
    store.post(pool, gift(700))
    assert store.balance(pool, STRIPE).balance == -700


# ---- idempotency --------------------------------------------------------------------------------


def test_a_donors_duplicate_webhook_books_one_gift(pool, give):
    first = give(1000, "stripe:pi_1", source="stripe")
    give(250, "stripe:pi_2")
    again = give(1000, "stripe:pi_1", source="stripe")
    assert again == first
    assert again.seq == first.seq
    assert store.balance(pool, AVAILABLE).balance == 1250
    assert row_counts(pool)["ledger_entries"] == 3 + 2
    audit.verify(pool)


def test_a_key_reused_for_another_amount_is_refused_and_books_nothing(pool, give):
    give(1000, "stripe:pi_1")
    assert_refused_and_nothing_booked(
        pool,
        IdempotencyConflict,
        ["'stripe:pi_1'", "already used", "different content", "nothing was booked"],
        lambda: give(999, "stripe:pi_1"),
    )


def test_a_key_reused_with_details_of_another_type_is_a_conflict(pool, give):
    # True == 1 in Python, but the hashed bytes differ: it is other content.
    for n, (first, second) in enumerate([(True, 1), (1, True), ("yes", True), (0, False)]):
        key = f"stripe:pi_{n}"
        give(1000, key, monthly=first)
        assert_refused_and_nothing_booked(
            pool, IdempotencyConflict, ["already used"], lambda k=key, s=second: give(1000, k, monthly=s)
        )


def test_a_retried_settlement_or_release_returns_the_first(pool, give):
    give(1000)
    kept = store.reserve(pool, "reserve:1", hold(300))
    dropped = store.reserve(pool, "reserve:2", hold(200))
    settled = store.settle(pool, "settle:1", kept.seq)
    released = store.void(pool, "void:2", dropped.seq)
    assert store.settle(pool, "settle:1", kept.seq).seq == settled.seq
    assert store.void(pool, "void:2", dropped.seq).seq == released.seq
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 700, 0)
    audit.verify(pool)


def test_opening_an_account_twice_with_the_same_settings_changes_nothing(pool):
    before = row_counts(pool)
    assert store.open_account(pool, AVAILABLE, "EUR", floor_zero=True) == store.Balance(AVAILABLE, "EUR", 0, 0)
    assert row_counts(pool) == before


def test_opening_an_account_again_with_other_settings_is_refused(pool):
    for currency, floor_zero in (("USD", True), ("EUR", False)):
        assert_refused_and_nothing_booked(
            pool,
            AccountConflict,
            [AVAILABLE, "already open with other settings"],
            lambda c=currency, f=floor_zero: store.open_account(pool, AVAILABLE, c, floor_zero=f),
        )


def test_an_open_entry_under_another_key_cannot_reopen_an_account(pool):
    again = Entry(
        "reopen", "open", meta={"account": AVAILABLE, "currency": "EUR", "type": "Assets", "floor_zero": True}
    )
    assert_refused_and_nothing_booked(
        pool, AccountConflict, [AVAILABLE, "already open"], lambda: store.post(pool, again)
    )


# ---- batches ------------------------------------------------------------------------------------


def test_a_batch_whose_third_entry_fails_writes_nothing(pool, give):
    give(1000, "gift:1")
    opening = Entry(
        "open:pool:1:fees",
        "open",
        meta={"account": "pool:1:fees", "currency": "EUR", "type": "Expenses", "floor_zero": False},
    )
    third_entries = [
        (payout(601, "payout:3"), InsufficientFunds),  # only after the second entry's 400
        (Entry("payout:3", "transfer", (Posting(AVAILABLE, "EUR", -1), Posting("nowhere", "EUR", 1))), UnknownAccount),
        (gift(999, "gift:1"), IdempotencyConflict),
        (Entry("payout:3", "transfer", (Posting(AVAILABLE, "EUR", -1), Posting(PAID, "EUR", 2))), UnbalancedEntry),
        (Entry("open:again", "open", meta=dict(opening.meta)), AccountConflict),
    ]
    for third, error in third_entries:
        batch = [opening, payout(400, "payout:2"), third]
        assert_refused_and_nothing_booked(pool, error, [], lambda batch=batch: store.post_many(pool, batch))
        with pytest.raises(UnknownAccount):
            store.balance(pool, "pool:1:fees")
    booked = store.post_many(pool, [opening, payout(400, "payout:2"), payout(600, "payout:3")])
    assert [b.seq for b in booked] == [4, 5, 6]
    assert store.balance(pool, AVAILABLE).available == 0


def test_a_batch_can_open_an_account_and_use_it(pool, give):
    give(1000)
    opened = Entry(
        "open:pool:1:fees",
        "open",
        meta={"account": "pool:1:fees", "currency": "EUR", "type": "Expenses", "floor_zero": False},
    )
    fee = Entry("fee:1", "transfer", (Posting(AVAILABLE, "EUR", -30), Posting("pool:1:fees", "EUR", 30)))
    booked = store.post_many(pool, [opened, fee, payout(970)])
    assert [b.seq for b in booked] == [4, 5, 6]
    assert store.balance(pool, "pool:1:fees").balance == 30
    assert store.balance(pool, AVAILABLE).available == 0
    audit.verify(pool)


def test_a_refused_post_needs_no_rollback_to_keep_working(pool, give):
    give(1000)
    with pytest.raises(InsufficientFunds):
        store.post(pool, payout(1001))
    store.post(pool, payout(1000))
    pool.commit()
    assert store.balance(pool, AVAILABLE).available == 0
    assert row_counts(pool)["ledger_entries"] == 5
    audit.verify(pool)


# ---- reservations -------------------------------------------------------------------------------


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


# ---- balances are kept, and true ----------------------------------------------------------------


def test_kept_balances_equal_the_sums_of_their_postings(pool, give):
    store.open_account(pool, "refunds", "EUR", type="Expenses")
    for n in range(1, 6):
        give(100 * n, f"gift:{n}")
    first = store.reserve(pool, "reserve:1", hold(300))
    second = store.reserve(pool, "reserve:2", hold(200))
    third = store.reserve(pool, "reserve:3", hold(50))
    store.settle(pool, "settle:1", first.seq)
    store.void(pool, "void:2", second.seq)
    store.post(pool, Entry("refund:1", "transfer", (Posting(AVAILABLE, "EUR", -100), Posting("refunds", "EUR", 100))))
    store.record(pool, "approval:1", {"request": "r-1", "by": "peer-3"})
    pool.commit()

    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    moved = dict(
        pool.execute(
            select(a.code, func.coalesce(func.sum(p.amount), 0))
            .select_from(schema.accounts)
            .outerjoin(schema.postings, p.account_id == a.id)
            .outerjoin(schema.entries, e.seq == p.entry_seq)
            .where((e.kind.in_(("transfer", "settle"))) | (e.kind.is_(None)))
            .group_by(a.code)
        ).all()
    )
    closed = select(e.reservation).where(e.reservation.is_not(None))
    held = dict(
        pool.execute(
            select(a.code, func.sum(-p.amount))
            .join(schema.postings, p.account_id == a.id)
            .join(schema.entries, e.seq == p.entry_seq)
            .where(e.kind == "reserve", p.amount < 0, e.seq.not_in(closed))
            .group_by(a.code)
        ).all()
    )
    kept = figures(pool)
    for code, (balance, holding) in kept.items():
        assert balance == moved.get(code, 0), code
        assert holding == held.get(code, 0), code
    assert kept[AVAILABLE] == (1500 - 300 - 100, 50)
    assert kept[STRIPE] == (-1500, 0)
    assert kept[PAID] == (300, 0)
    assert sum(balance for balance, _ in kept.values()) == 0
    assert third.seq in {r for (r,) in pool.execute(select(e.seq).where(e.seq.not_in(closed), e.kind == "reserve"))}
    report = audit.verify(pool)
    assert report.size == row_counts(pool)["ledger_entries"]
    assert report.accounts_checked == 4


# ---- the database itself refuses -----------------------------------------------------------------


@pytest.fixture
def signed_books(pool, give):
    """Books with a gift, a reservation, enough entries for interior tree nodes, and a checkpoint."""
    give(1000)
    store.reserve(pool, "reserve:1", hold(100))
    store.record(pool, "approval:1", {"request": "r-1"})
    audit.checkpoint(pool, generate_signer("ayni.test"), "ayni.test")
    pool.commit()
    return pool


def test_the_database_refuses_to_rewrite_or_erase_the_books(signed_books):
    session = signed_books
    before = row_counts(session)
    columns = {
        "ledger_entries": "meta",
        "ledger_postings": "amount",
        "ledger_tree_nodes": "hash",
        "ledger_checkpoints": "note",
    }
    assert set(columns) == set(schema.APPEND_ONLY_TABLES)
    for table, column in columns.items():
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0  # a trigger needs a row
        session.rollback()
        for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only") as refused:
                session.execute(text(statement))
            assert table in str(refused.value), statement
            session.rollback()
    assert row_counts(session) == before
    audit.verify(session)


def test_the_database_refuses_to_overdraw_a_protected_pool_even_behind_the_ledgers_back(pool, give):
    give(1000)
    pool.commit()
    for change in ("balance = -1", "held = 1001", "balance = 99, held = 100", "held = -1"):
        with pytest.raises(IntegrityError):
            pool.execute(text(f"UPDATE ledger_accounts SET {change} WHERE code = :code"), {"code": AVAILABLE})
        pool.rollback()
    # The floor is the pool's: an unprotected account may be set below zero (and the audit finds it).
    pool.execute(text("UPDATE ledger_accounts SET balance = -1 WHERE code = :code"), {"code": PAID})
    pool.rollback()
    assert store.balance(pool, AVAILABLE) == store.Balance(AVAILABLE, "EUR", 1000, 0)


def test_a_balance_changed_behind_the_ledgers_back_is_found_by_the_audit(pool, give):
    give(1000)
    pool.execute(text("UPDATE ledger_accounts SET balance = balance + 5 WHERE code = :code"), {"code": PAID})
    with pytest.raises(TamperDetected, match=PAID):
        audit.verify(pool)
