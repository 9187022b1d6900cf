"""Reading SWIFT MT940 statements, with the ``mt-940`` package (the best-kept MT940 reader on
PyPI: it knows the German ``?20`` sub-fields of :86: and most banks' quirks)."""

from __future__ import annotations

from datetime import date

import mt940
from flask_babel import lazy_gettext as _l

from funds.money import CurrencyError, check_currency, minor_units

from .statements import Credit, StatementRefused

#: the :86: sub-fields that carry the payer's words (purpose, references) rather than bank codes
TEXT_FIELDS = ("purpose", "additional_purpose", "end_to_end_reference", "creditor_id", "transaction_details",
               "extra_details", "customer_reference")


def credits(data: bytes) -> list[Credit]:
    text = _decoded(data)
    transactions = mt940.models.Transactions()
    try:
        transactions.parse(text)
    except Exception:  # noqa: BLE001 (the package raises bare exceptions of many kinds on a broken file)
        raise StatementRefused(_l("This MT940 file could not be read: it may be damaged or cut short.")) from None
    if ":61:" not in text and not transactions.data:
        raise StatementRefused(_l("This file is not a bank statement we can read: upload a CAMT.053 (XML) "
                                  "or MT940 statement from your online banking."))
    found = []
    for transaction in transactions:
        line = transaction.data
        if line.get("status") not in ("C", "RD") or line.get("amount") is None:
            continue
        currency = line.get("currency") or transactions.data.get("currency") or ""
        try:
            check_currency(currency)
            minor = minor_units(abs(line["amount"].amount), currency)
        except (CurrencyError, ValueError):
            raise StatementRefused(_l("A line of this statement has an amount we cannot read: %(amount)s %(currency)s.",
                                      amount=str(line["amount"].amount)[:20], currency=str(currency)[:3])) from None
        booked = line.get("entry_date") or line.get("date")
        words = " ".join(str(line[f]).strip() for f in TEXT_FIELDS if line.get(f))
        bank_ref = line.get("bank_reference") or None
        found.append(Credit("mt940", bank_ref, date(booked.year, booked.month, booked.day), minor, currency, words,
                            line.get("applicant_name") or ""))
    return found


def _decoded(data: bytes) -> str:
    # MT940 is meant to be SWIFT's ASCII subset; banks send UTF-8 or Latin-1 (ISO 8859-1) in practice.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
