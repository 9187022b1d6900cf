"""A malformed entry is refused, told exactly what is wrong, and books nothing.

A gift that does not balance, an amount that is not a sane whole number of cents, a bad account
or currency code, an entry without a key: each is named and leaves the books as they were.
"""

from __future__ import annotations

from ledger import store
from ledger.entry import MAX_AMOUNT, Entry, Posting
from ledger.errors import InvalidEntry, UnbalancedEntry
from tests.ledger.pool_books import AVAILABLE, STRIPE, assert_refused_and_nothing_booked, gift


def test_a_gift_that_does_not_balance_is_refused_and_books_nothing(pool):
    lopsided = Entry("gift:1", "transfer", (Posting(STRIPE, "EUR", -1000), Posting(AVAILABLE, "EUR", 900)))
    assert_refused_and_nothing_booked(
        pool, UnbalancedEntry, ["EUR", "add up to -100", "not zero", "every cent"], lambda: store.post(pool, lopsided)
    )


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


def test_an_entry_without_a_key_is_refused_so_a_retry_cannot_book_it_twice(pool):
    for key in ("", "   "):
        assert_refused_and_nothing_booked(
            pool, InvalidEntry, ["non-empty key", "retry"], lambda key=key: store.post(pool, gift(500, key))
        )
