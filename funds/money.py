"""Amounts as people type and read them, and as the books keep them (integer minor units)."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency
from flask_babel import lazy_gettext

#: currencies without minor units, and with three, as Stripe counts them; all others have two
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
#: the gifts offered with one click, in whole units of the pool's currency
PRESETS = (10, 25, 50, 100)
_AMOUNT = re.compile(r"^(\d{1,12})(?:[.,](\d+))?$")


class AmountError(ValueError):
    """The text is not an amount we can take; the message says why in the donor's words."""


def exponent(currency: str) -> int:
    """How many minor-unit digits ``currency`` has (2 for PLN: 1 złoty = 100 groszy)."""
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def parse_amount(text: str, currency: str) -> int:
    """``"25.50"`` or ``"25,50"`` in ``currency`` to minor units; :class:`AmountError` says what is wrong.

    The messages are lazy: they are translated when shown, in the reader's language.
    """
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise AmountError(lazy_gettext("Choose or write an amount."))
    if cleaned.startswith("-"):
        raise AmountError(lazy_gettext("An amount cannot be negative."))
    found = _AMOUNT.match(cleaned.lstrip("+"))
    if not found:
        raise AmountError(lazy_gettext("Write the amount as a number, like 25.00."))
    whole, fraction = found.group(1), found.group(2) or ""
    digits = exponent(currency)
    if len(fraction) > digits:
        if digits == 0:
            raise AmountError(lazy_gettext("This currency has no cents: write a whole number."))
        raise AmountError(lazy_gettext("Too many digits after the decimal point for this currency."))
    minor = int(whole) * 10**digits + int(fraction.ljust(digits, "0") or 0)
    if minor == 0:
        raise AmountError(lazy_gettext("An amount must be more than zero."))
    return minor


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """``2500, "PLN"`` to ``"PLN 25.00"`` (or ``"25,00 PLN"`` in French): the reader's own format."""
    text = format_currency(to_decimal(abs(minor), currency), currency, locale=locale)
    # CLDR spaces a code from the digits ("PLN 25.00"); Babel does not apply that rule itself.
    if text.startswith(currency) and text[len(currency):][:1].isdigit():
        text = f"{currency}\u00a0{text[len(currency):]}"
    return f"\u2212{text}" if minor < 0 else text


def plain_amount(minor: int, currency: str) -> str:
    """``2500, "PLN"`` to ``"25.00"``: what a form field shows back."""
    return f"{to_decimal(minor, currency):.{exponent(currency)}f}"


def presets(currency: str) -> list[int]:
    """The one-click gifts in minor units of ``currency`` (hundreds of a currency without cents: ¥1,000)."""
    scale = 10 ** exponent(currency) if exponent(currency) else 100
    return [whole * scale for whole in PRESETS]
