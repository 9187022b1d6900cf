"""Amounts as donors type them, and as the books keep them (integer minor units)."""

from __future__ import annotations

import pytest

from funds.money import AmountError, format_money, parse_amount, plain_amount, presets


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("25", "PLN", 2500), ("25.5", "PLN", 2550), ("25,50", "EUR", 2550), (" 1 000 ", "PLN", 100_000),
     ("500", "JPY", 500), ("1.234", "KWD", 1234), ("+7.05", "USD", 705)],
)
def test_a_typed_amount_becomes_minor_units(typed, currency, minor):
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "reason"),
    [("0", "PLN", "more than zero"), ("0,00", "PLN", "more than zero"), ("-1", "PLN", "negative"),
     ("1.5", "JPY", "no cents"), ("2.555", "PLN", "Too many digits"), ("1,000.00", "PLN", "like 25.00"),
     ("1e3", "PLN", "like 25.00"), ("NaN", "PLN", "like 25.00"), ("", "PLN", "Choose or write"),
     ("9" * 13, "PLN", "like 25.00")],
)
def test_an_amount_that_is_not_one_says_why(typed, currency, reason):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency)
    assert reason in str(refused.value.args[0])


def test_amounts_read_in_the_readers_own_format():
    assert format_money(2500, "PLN") == "PLN\xa025.00"
    assert format_money(2500, "PLN", "fr") == "25,00\xa0PLN"
    assert format_money(-2500, "EUR") == "\u2212€25.00"
    assert format_money(500, "JPY") == "¥500"
    assert plain_amount(2550, "PLN") == "25.50"


def test_one_click_gifts_follow_the_currency():
    assert presets("PLN") == [1000, 2500, 5000, 10000]
    assert presets("JPY") == [1000, 2500, 5000, 10000]
