"""Amounts as people type and read them in their own language, and as the books keep them.

No database and no app: what the money module says is all there is to check here. The pages and
the books that use it are checked in tests/donations/test_five_currencies.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funds.money import (
    CURRENCIES,
    LARGEST,
    AmbiguousAmount,
    AmountError,
    CurrencyError,
    check_currency,
    currency_choices,
    exponent,
    format_money,
    parse_amount,
    plain_amount,
    presets,
    step,
)

LANGUAGES = ("en", "fr", "es", "ar", "zh")


@pytest.mark.parametrize(
    ("typed", "locale"),
    [("1,000", "en"), ("1,000", "zh"), ("1 000", "fr"), ("1\u202f000", "fr"), ("1\xa0000", "fr"), ("1.000", "es"),
     ("١٬٠٠٠", "ar"), ("1,000", "ar"), ("1000", "en"), (" 1 000 ", "en")],
)
def test_one_thousand_is_read_as_each_language_writes_it(typed, locale):
    assert parse_amount(typed, "PLN", locale) == 100_000


@pytest.mark.parametrize(
    ("typed", "locale"),
    [("1 000,50", "fr"), ("1\u202f000,50", "fr"), ("1.000,50", "es"), ("1,000.50", "en"), ("١٬٠٠٠٫٥٠", "ar")],
)
def test_thousands_and_cents_together(typed, locale):
    assert parse_amount(typed, "PLN", locale) == 100_050


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("٢٥", 2500), ("۲۵", 2500), ("２５", 2500), ("٢٥٫٥", 2550), ("PLN 25", 2500), ("25 PLN", 2500), ("+25", 2500),
     ("pln 1,000.00", 100_000)],
)
def test_digits_of_any_script_and_a_pasted_code_are_understood(typed, minor):
    assert parse_amount(typed, "PLN", "en") == minor


def test_an_amount_copied_from_a_page_reads_back_in_the_same_language():
    assert parse_amount("25,00\xa0€", "EUR", "fr") == 2500
    assert parse_amount("\u200f1,234.500\xa0د.ك.\u200f", "KWD", "ar") == 1_234_500
    assert parse_amount("¥1,000", "JPY", "en") == 1000


@pytest.mark.parametrize(("typed", "locale", "minor"), [("25,50", "en", 2550), ("25,50", "zh", 2550),
                                                         ("25.50", "fr", 2550), ("25.50", "es", 2550),
                                                         ("1.000,50", "en", 100_050)])
def test_the_other_decimal_mark_is_understood_when_it_can_mean_nothing_else(typed, locale, minor):
    assert parse_amount(typed, "PLN", locale) == minor


@pytest.mark.parametrize(("typed", "locale"), [("1,000", "en"), ("1.000", "es"), ("10,000", "zh")])
def test_an_amount_that_reads_two_ways_is_asked_back_never_guessed(typed, locale):
    with pytest.raises(AmbiguousAmount) as asked:
        parse_amount(typed, "KWD", locale)
    larger, smaller = asked.value.readings
    assert larger == 1000 * smaller and smaller in (1000, 10_000)
    question = str(asked.value.message)
    assert format_money(larger, "KWD", locale) in question and format_money(smaller, "KWD", locale) in question


def test_the_question_names_both_readings_as_the_reader_writes_them():
    with pytest.raises(AmbiguousAmount) as asked:
        parse_amount("1,000", "KWD", "en")
    assert str(asked.value.message).startswith("Did you mean KWD\xa01,000.000 or KWD\xa01.000?")


@pytest.mark.parametrize(
    ("typed", "locale", "minor"),
    [("1.000", "en", 1000), ("1,000", "es", 1000), ("1,000.000", "en", 1_000_000), ("1000", "en", 1_000_000),
     ("١٬٠٠٠", "ar", 1_000_000), ("1 000", "fr", 1_000_000), ("1,000,000", "en", 1_000_000_000)],
)
def test_a_dinar_amount_that_reads_only_one_way_is_taken(typed, locale, minor):
    assert parse_amount(typed, "KWD", locale) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "reason"),
    [("", "PLN", "Please write an amount."), ("   ", "PLN", "Please write an amount."),
     ("twenty", "PLN", "in numbers"), ("1e3", "PLN", "in numbers"), ("NaN", "PLN", "in numbers"),
     ("1_000", "PLN", "in numbers"), ("Infinity", "PLN", "in numbers"), ("1,0,0", "PLN", "in numbers"),
     ("-25", "PLN", "cannot be negative"), ("\u221225", "PLN", "cannot be negative"),
     ("PLN -25", "PLN", "cannot be negative"),
     ("0", "PLN", "above zero"), ("0.00", "PLN", "above zero"),
     ("2.555", "PLN", "Too many digits after the decimal mark: amounts in PLN are written like PLN\xa025.50."),
     ("25.5", "JPY", "Please write a whole number of JPY, without decimals, like ¥25."),
     ("25.50", "ISK", "Please write a whole number of ISK"), ("1500.5", "HUF", "a whole number of HUF"),
     ("25.125", "KWD", "Amounts in KWD go in steps of KWD\xa00.010."),
     ("9" * 16, "PLN", "too large. Please write at most PLN\xa09,999,999,999,999.99."),
     ("9" * 500, "JPY", "too large")],
)
def test_each_wrong_amount_gets_its_own_reason(typed, currency, reason):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency, "en")
    assert reason in str(refused.value.message)


def test_a_goal_or_a_fast_track_amount_may_be_zero_when_asked():
    assert parse_amount("0", "PLN", "en", allow_zero=True) == 0
    assert parse_amount("0,00", "PLN", "fr", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("500", "PLN", 50_000), ("500", "JPY", 500), ("500", "UGX", 500), ("500", "KWD", 500_000),
     ("500", "HUF", 50_000), ("500", "ISK", 50_000), ("500", "TWD", 50_000), ("500", "IDR", 50_000)],
)
def test_the_books_keep_stripes_minor_units(typed, currency, minor):
    # Stripe's amounts are booked as they come: HUF, ISK, TWD and IDR have two decimals there.
    assert parse_amount(typed, currency, "en") == minor
    assert 10 ** exponent(currency) * 500 == minor


@pytest.mark.parametrize("code", ["XYZ", "pln", "", "EURO", "ZWL"])
def test_a_currency_stripe_cannot_charge_is_refused(code):
    with pytest.raises(CurrencyError) as refused:
        check_currency(code)
    assert "cannot take" in str(refused.value.message)
    with pytest.raises(CurrencyError):
        parse_amount("5", code)


def test_amounts_read_in_the_readers_own_format():
    assert format_money(2500, "PLN", "en") == "PLN\xa025.00"
    assert format_money(290_000, "PLN", "zh") == "PLN\xa02,900.00"
    assert format_money(2500, "PLN", "fr") == "25,00\xa0PLN"
    assert format_money(250_000, "PLN", "es") == "2.500,00\xa0PLN"
    assert format_money(2500, "PLN", "ar") == "\u200f25.00\xa0PLN"
    assert format_money(-2500, "EUR", "en") == "\u2212€25.00"
    assert format_money(500, "JPY", "en") == "¥500"
    assert format_money(1000, "KWD", "en") == "KWD\xa01.000"
    assert format_money(500_000, "HUF", "en") == "HUF\xa05,000"
    # a fraction Stripe booked is shown, never rounded away
    assert format_money(500_050, "HUF", "en") == "HUF\xa05,000.50"


def test_a_form_field_shows_an_amount_back_the_way_the_reader_types_it():
    assert plain_amount(250_050, "PLN", "en") == "2500.50"
    assert plain_amount(250_050, "PLN", "fr") == "2500,50"
    assert plain_amount(1000, "KWD", "es") == "1,000"
    assert plain_amount(500_000, "HUF", "en") == "5000"
    assert plain_amount(500, "JPY", "zh") == "500"


def test_one_click_gifts_follow_the_currency():
    assert presets("PLN") == [1000, 2500, 5000, 10000]
    assert presets("JPY") == [1000, 2500, 5000, 10000]  # ¥1,000 ...
    assert presets("HUF") == [100_000, 250_000, 500_000, 1_000_000]  # 1,000 Ft ...
    assert presets("KWD") == [10_000, 25_000, 50_000, 100_000]  # KWD 10.000 ...


def test_the_currency_list_is_named_in_the_readers_language():
    assert ("PLN", "PLN · zloty polonais") in currency_choices("fr")
    assert [code for code, _name in currency_choices("zh")] == list(CURRENCIES)


#: (currency, an amount people may type in it, in minor units)
amounts = st.sampled_from(CURRENCIES).flatmap(lambda currency: st.tuples(
    st.just(currency), st.integers(1, LARGEST // step(currency)).map(lambda units: units * step(currency))
))


@settings(max_examples=400)
@given(amount=amounts, locale=st.sampled_from(LANGUAGES))
def test_every_amount_shown_reads_back_as_itself(amount, locale):
    currency, minor = amount
    assert parse_amount(plain_amount(minor, currency, locale), currency, locale) == minor
    assert parse_amount(format_money(minor, currency, locale), currency, locale) == minor


@settings(max_examples=400)
@given(typed=st.text(max_size=24), currency=st.sampled_from(CURRENCIES), locale=st.sampled_from(LANGUAGES))
def test_anything_typed_is_an_amount_people_may_type_or_a_reason(typed, currency, locale):
    try:
        minor = parse_amount(typed, currency, locale)
    except AmountError as refused:
        assert str(refused.message)
    else:
        assert 0 < minor <= LARGEST and minor % step(currency) == 0
