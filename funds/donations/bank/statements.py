"""A bank statement, whatever its format, as the credits on it.

:func:`read` tells the formats apart by their first bytes (XML for CAMT.053, MT940's ":20:"
block) and refuses anything else with a reason a treasurer can act on. Debits are left out: money
leaving the account is the payouts' business, recorded when a batch is marked sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from funds.refusals import Refusal

#: a statement file larger than this is refused before it is read (a year of a busy account is ~2 MB)
MAX_BYTES = 10 * 1024 * 1024


class StatementRefused(Refusal):
    """The upload is not a statement we can read; ``message`` says why."""

    status = 400


@dataclass(frozen=True)
class Credit:
    """Money that came into the account, as the statement tells it.

    ``text`` and ``payer`` may name the donor: they are shown to the treasurer once and never
    stored (see funds.donations.bank.models)."""

    source: str
    #: the bank's own reference for the line (AcctSvcrRef, MT940's bank reference), if it gives one
    bank_ref: str | None
    booked_on: date
    #: minor units, positive
    amount: int
    currency: str
    #: remittance information and other free text of the line, joined
    text: str
    payer: str


def read(data: bytes) -> list[Credit]:
    """The credits on a CAMT.053 or MT940 statement; refused with the reason otherwise."""
    from . import camt053, mt940_statement

    if not data or not data.strip():
        raise StatementRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise StatementRefused(_l("This file is too large for a statement (at most 10 MB)."))
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"<"):
        return camt053.credits(data)
    if b":20:" in head or head.startswith(b"{1:"):
        return mt940_statement.credits(data)
    raise StatementRefused(_l("This file is not a bank statement we can read: upload a CAMT.053 (XML) "
                              "or MT940 statement from your online banking."))
