"""Wise's batch payment CSV: one row per transfer, up to 1,000 rows a file, paid from the fund's
Wise balance in the batch's currency to bank accounts (IBAN) in the same currency."""

from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l

from funds.money import major

from . import Batch, Rail, RailRefused

MAX_ROWS = 1000
COLUMNS = ("name", "recipientEmail", "paymentReference", "receiverType", "amountCurrency", "amount",
           "sourceCurrency", "targetCurrency", "IBAN", "BIC")


def render(batch: Batch) -> bytes:
    if len(batch.payouts) > MAX_ROWS:
        raise RailRefused(_l("Wise takes at most 1,000 transfers in one file; choose fewer."))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for payout in batch.payouts:
        writer.writerow([_cell(payout.name), "", _cell(payout.remittance), "PRIVATE", payout.currency,
                         str(major(payout.amount, payout.currency)), batch.currency, payout.currency, payout.iban,
                         payout.bic or ""])
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    # a cell a spreadsheet would run as a formula is written as text
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


RAIL = Rail("wise", "text/csv", "csv", render)
