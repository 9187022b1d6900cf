"""Money: the currencies Ayni takes, amounts as people type and read them, and as the books keep
them (integer minor units, as Stripe counts them, since Stripe's amounts are booked as they come).

One rule, one place: every area reads and shows amounts through this module, so "500" typed in a
forint pool means the same on the request form, the give form, the pool's cap and the books.

Which currencies, and what people may type in each:

- ``CURRENCIES``: the ones Stripe can charge. Their minor units are Stripe's: two decimals unless
  listed below, also where ISO or CLDR say otherwise (IDR has two at Stripe, none in CLDR).
- Zero-decimal (``ZERO_DECIMAL``: JPY, KRW, UGX, ...): 500 is ¥500, or USh 500. People type
  whole units.
- Three-decimal (``THREE_DECIMAL``: BHD, JOD, KWD, OMR, TND): 1000 is 1.000 dinar. Stripe takes
  card charges in these only in steps of 10 (its last digit must be 0), so typed amounts go in
  steps of 0.010.
- Whole units in a two-decimal API (``WHOLE_UNITS``): ISK, whose card charges Stripe refuses unless
  they are whole krónur (amounts divisible by 100); HUF and TWD, which Stripe pays out only in
  whole forints and dollars, and whose coins below one are out of use. People type whole units; the books
  keep Stripe's two decimals (5 Ft is 500) and the pages show no decimals unless a fraction came
  from Stripe itself.

Reading what people type (:func:`parse_amount`) follows the reader's language: "1,000.50" in
English, "1 000,50" in French, "1.000,50" in Spanish; any kind of space groups thousands; digits may
be Arabic-Indic, Eastern Arabic-Indic or full-width; the code or symbol may stay ("PLN 25"). The
other decimal mark is understood too when it can only mean that ("25,50" on an English page). A
text that reads as two amounts ("1,000" in a KWD pool: one thousand, or one dinar?) is asked back
with both readings, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_name,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask import has_request_context
from flask_babel import get_locale, lazy_gettext

from funds.refusals import Refusal

#: minor units as Stripe counts them: none for these, three for THREE_DECIMAL, two for all others
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
#: two decimals in Stripe's API, typed and shown in whole units (see the module's docstring)
WHOLE_UNITS = frozenset("HUF ISK TWD".split())
#: the currencies Stripe can charge (its presentment currencies), by code
CURRENCIES = tuple(sorted(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF GTQ
    GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD
    LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TND TOP
    TRY TTD TWD TZS UAH UGX USD UYU UZS VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW
    """.split()
))
_KNOWN = frozenset(CURRENCIES)
#: the most any amount may be, in minor units: absurd in every currency, and sums of many such
#: amounts still fit the books' 63-bit integers
LARGEST = 10**15 - 1
#: the one-click gifts, in whole units (hundreds of them where people type whole units: ¥1,000)
PRESETS = (10, 25, 50, 100)

EMPTY = lazy_gettext("Please write an amount.")
NOT_A_NUMBER = lazy_gettext("Please write the amount in numbers, for example 250.")
NEGATIVE = lazy_gettext("An amount cannot be negative.")
ZERO = lazy_gettext("Please write an amount above zero.")

_ARABIC_DECIMAL, _ARABIC_GROUP = "\u066b", "\u066c"
#: direction marks CLDR puts around Arabic amounts, and that phones paste with them
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_MINUS = ("-", "\u2212")
#: what is left once digits are ASCII: digits, either mark, the Arabic ones, spaces
_NUMBER = re.compile(r"[0-9., \u066b\u066c]*[0-9]")


class CurrencyError(Refusal):
    """Ayni does not take this currency; ``message`` says so in the reader's language."""


class AmountError(Refusal):
    """The text is not an amount Ayni can take; ``message`` says why, in the reader's language."""


class AmbiguousAmount(AmountError):
    """The text reads as two amounts (``readings``, minor units, larger first): ask, never guess."""

    def __init__(self, message, readings: tuple[int, int]):
        super().__init__(message)
        self.readings = readings


def check_currency(code: str) -> str:
    """``code`` if Ayni takes it (see ``CURRENCIES``); otherwise :class:`CurrencyError` says so."""
    if code not in _KNOWN:
        raise CurrencyError(lazy_gettext(
            "We cannot take “%(currency)s”: please choose a currency from the list.", currency=str(code)[:12]
        ))
    return code


def exponent(currency: str) -> int:
    """How many minor-unit digits ``currency`` has at Stripe (2 for PLN: 1 złoty = 100 groszy)."""
    check_currency(currency)
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def step(currency: str) -> int:
    """The smallest amount people may type in ``currency``, in minor units (100 for ISK: whole krónur)."""
    if currency in WHOLE_UNITS:
        return 100
    return 10 if currency in THREE_DECIMAL else 1


def _whole_units_only(currency: str) -> bool:
    return step(currency) == 10 ** exponent(currency)


def reader_locale(locale: str | None = None) -> str:
    """``locale``, else the language of the page being served, else English (a command, a job)."""
    if locale:
        return locale
    return str(get_locale() or "en") if has_request_context() else "en"


def currency_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Every currency Ayni takes as (code, "PLN · Polish Zloty"), named in the reader's language."""
    locale = reader_locale(locale)
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in CURRENCIES]


def major(minor: int, currency: str) -> Decimal:
    """``2500, "EUR"`` as the exact decimal a data file writes (a bank file, a QR code, 360Giving's
    amountAwarded): ``Decimal("25.00")``."""
    return Decimal(minor).scaleb(-exponent(currency)).quantize(Decimal(1).scaleb(-exponent(currency)))


def minor_units(amount: Decimal | str, currency: str) -> int:
    """A bank's decimal amount ("25.00", "25,5") as minor units of ``currency``; refuses (ValueError)
    an amount with more decimals than the currency has, so a statement is never rounded."""
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except ArithmeticError:
        raise ValueError(f"{amount!r} is not an amount") from None
    if not value.is_finite() or value < 0 or value > LARGEST:
        raise ValueError(f"{amount!r} is not an amount")
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} has")
    return int(minor)


def _decimals_shown(minor: int, currency: str) -> int:
    # Whole-unit currencies show no decimals, unless Stripe booked a fraction: money is never hidden.
    if currency in WHOLE_UNITS and minor % 100 == 0:
        return 0
    return exponent(currency)


def _with_decimals(pattern: str, decimals: int) -> str:
    return re.sub(r"0\.0+", "0." + "0" * decimals if decimals else "0", pattern)


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """``2500, "PLN"`` as the reader writes it: "PLN 25.00", "25,00 PLN" in French; "−€25.00" below zero.

    ``locale`` defaults to the page's language. The same amount reads the same on every page.
    """
    locale = reader_locale(locale)
    standard = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = _with_decimals(standard, _decimals_shown(minor, currency))
    text = format_currency(major(abs(minor), currency), currency, pattern, locale=locale, currency_digits=False)
    text = _spaced(text, get_currency_symbol(currency, locale))
    return f"\u2212{text}" if minor < 0 else text


def _spaced(text: str, symbol: str) -> str:
    # CLDR spaces a symbol made of letters from the digits ("PLN 25.00", not "PLN25.00"; "$25.00"
    # stays); Babel does not apply that rule itself.
    if text.startswith(symbol) and symbol[-1:].isalpha() and text[len(symbol):][:1].isdigit():
        return f"{symbol}\u00a0{text[len(symbol):]}"
    if text.endswith(symbol) and symbol[:1].isalpha() and text[: -len(symbol)][-1:].isdigit():
        return f"{text[: -len(symbol)]}\u00a0{symbol}"
    return text


def plain_amount(minor: int, currency: str, locale: str | None = None) -> str:
    """``2500, "PLN"`` as a form field shows it back: "25.00", "25,00" in French; it reads back the same."""
    decimals = _decimals_shown(minor, currency)
    return format_decimal(major(minor, currency), _with_decimals("0.0", decimals), locale=reader_locale(locale))


def presets(currency: str) -> list[int]:
    """The one-click gifts in minor units of ``currency``: 10, 25, 50, 100 (¥1,000 ... where people
    type whole units)."""
    scale = 10 ** exponent(currency) * (100 if _whole_units_only(currency) else 1)
    return [whole * scale for whole in PRESETS]


def parse_amount(text: str | None, currency: str, locale: str | None = None, *, allow_zero: bool = False) -> int:
    """What someone typed, in the reader's language, as minor units of ``currency``.

    Refuses with :class:`AmountError` (its ``message`` says why): nothing written, not a number,
    negative, zero (unless ``allow_zero``), more decimals than the currency has, not in its steps
    (whole krónur, 0.010 dinar), larger than ``LARGEST``; and :class:`AmbiguousAmount` when the
    text reads as two amounts, naming both.
    """
    locale = reader_locale(locale)
    number, negative = _number_typed(text, currency, locale)
    if not number:
        raise AmountError(EMPTY)
    if not _NUMBER.fullmatch(number):
        raise AmountError(NOT_A_NUMBER)
    if negative:
        raise AmountError(NEGATIVE)
    if len(number) > 40:
        raise _too_large(currency, locale)
    readings = _readings(number, locale)
    fitting = sorted({value for value in readings if _decimals(value) <= exponent(currency)}, reverse=True)
    if not fitting:
        raise _too_many_decimals(currency, locale) if readings else AmountError(NOT_A_NUMBER)
    minors = [int(value.scaleb(exponent(currency))) for value in fitting]
    if len(minors) > 1:
        larger, smaller = (format_money(minor, currency, locale) for minor in minors)
        raise AmbiguousAmount(lazy_gettext(
            "Did you mean %(larger)s or %(smaller)s? Please write the amount again as it is shown here.",
            larger=larger, smaller=smaller,
        ), (minors[0], minors[1]))
    minor = minors[0]
    if minor == 0 and not allow_zero:
        raise AmountError(ZERO)
    if minor > LARGEST:
        raise _too_large(currency, locale)
    if minor % step(currency):
        raise _off_step(currency, locale)
    return minor


def _clean(text: str) -> str:
    """ASCII digits, single spaces, no direction marks: "٢٥", "２５" and "25" are the same."""
    text = unicodedata.normalize("NFKC", text).translate(_BIDI_MARKS)
    text = "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in text)
    return " ".join(text.split())


def _number_typed(text: str | None, currency: str, locale: str) -> tuple[str, bool]:
    """The number in ``text`` without sign, code or symbol, and whether it had a minus sign."""
    number = _clean(text or "")
    symbols = {currency, _clean(get_currency_symbol(currency, locale))}
    negative = False
    # twice: the sign may come before or after the symbol ("−€25", "PLN -25")
    for _ in range(2):
        number = number.strip()
        if number.startswith(_MINUS):
            negative, number = True, number[1:]
        elif number.startswith("+"):
            number = number[1:]
        for symbol in symbols:
            if number.upper().startswith(symbol.upper()):
                number = number[len(symbol):]
            elif number.upper().endswith(symbol.upper()):
                number = number[: -len(symbol)]
    return number.strip(), negative


def _readings(number: str, locale: str) -> list[Decimal]:
    """The values ``number`` can mean in ``locale``: its own reading, and, when the other mark
    appears ("25,50" on an English page), the reading with the two marks swapped. Grouping must be
    right ("1,000", not "10,00") and the Arabic marks mean what they say."""
    decimal_mark, group_mark = get_decimal_symbol(locale), get_group_symbol(locale)
    other = "," if decimal_mark == "." else "."
    candidates = [number]
    if other in number and _ARABIC_DECIMAL not in number and _ARABIC_GROUP not in number:
        candidates.append(number.translate(str.maketrans({other: decimal_mark, decimal_mark: other})))
    found = []
    for candidate in candidates:
        written = candidate.replace(_ARABIC_DECIMAL, decimal_mark).replace(_ARABIC_GROUP, group_mark)
        try:
            found.append(parse_decimal(written.replace(" ", group_mark), locale, strict=True))
        except NumberFormatError:
            continue
    return found


def _decimals(value: Decimal) -> int:
    return max(0, -int(value.as_tuple().exponent))


def _too_many_decimals(currency: str, locale: str) -> AmountError:
    unit = 10 ** exponent(currency)
    if _whole_units_only(currency):
        example = format_money(25 * unit, currency, locale)
        return AmountError(lazy_gettext(
            "Please write a whole number of %(currency)s, without decimals, like %(example)s.",
            currency=currency, example=example,
        ))
    return AmountError(lazy_gettext(
        "Too many digits after the decimal mark: amounts in %(currency)s are written like %(example)s.",
        currency=currency, example=format_money(25 * unit + unit // 2, currency, locale),
    ))


def _off_step(currency: str, locale: str) -> AmountError:
    if _whole_units_only(currency):
        return _too_many_decimals(currency, locale)
    return AmountError(lazy_gettext(
        "Amounts in %(currency)s go in steps of %(step)s.", currency=currency,
        step=format_money(step(currency), currency, locale),
    ))


def _too_large(currency: str, locale: str) -> AmountError:
    return AmountError(lazy_gettext(
        "This amount is too large. Please write at most %(largest)s.", largest=format_money(LARGEST, currency, locale)
    ))
