"""The EPC QR code ("SEPA QR", EPC069-12 version 002) a banking app reads to fill a transfer in.

Only for euro: the standard knows no other currency. The payload is segno's, whose fields and
order are checked against the standard's layout in tests/donations/test_bank_gifts.py.
"""

from __future__ import annotations

from decimal import Decimal

import segno
from segno import helpers

from funds.money import major

from .references import spaced


def transfer_qr(*, holder: str, iban: str, bic: str | None, amount: int, currency: str,
                reference: str) -> segno.QRCode | None:
    """The QR code for a transfer of ``amount`` (minor units) with ``reference`` in its remittance
    text; None for a currency other than the euro."""
    if currency != "EUR":
        return None
    euros: Decimal = major(amount, currency)
    return helpers.make_epc_qr(name=holder, iban=iban, amount=euros, text=spaced(reference), bic=bic)


def svg(qr: segno.QRCode) -> str:
    """The code as inline SVG markup (no image request, nothing for the CSP to allow)."""
    return qr.svg_inline(scale=4, border=4, title=None, dark="#000", light="#fff")
