"""Matching a statement's credits to the gifts waiting for them, and booking what the treasurer
confirms, once.

Importing keeps each new credit as a :class:`StatementLine` (amount, day, the reference found,
a fingerprint; nothing that names anyone) and says what it looks like:

- ``matches``: its reference is a gift still expected, for the same amount and currency;
- ``differs``: a gift still expected, but another amount (a partial or over-payment) or currency:
  shown with both amounts, booked only if the treasurer ticks it (what arrived is booked);
- ``already-paid``: the gift it names has arrived before (a second transfer);
- ``unknown``: no reference of ours.

A line already imported (same fingerprint) is counted and left alone, so the same statement
twice books nothing new. Booking takes the books' lock, re-checks the line is still waiting, and
posts under the key ``bank:line:<fingerprint>``: a double click or two treasurers at once book
one entry. Any line but a ``matches`` or ``differs`` one can be booked as an anonymous gift to
a pool the treasurer chooses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.pools.models import Pool
from funds.refusals import Refusal
from ledger import store

from .. import booking
from ..models import Gift
from . import statements
from .models import BankTransfer, StatementLine
from .references import found_in

VERDICTS = ("matches", "differs", "already-paid", "unknown")


class BookingRefused(Refusal):
    status = 409


@dataclass
class Reviewed:
    """A waiting line, what it looks like, and (on the upload's own page only) its words."""

    line: StatementLine
    verdict: str
    gift: Gift | None = None
    #: the statement's text and payer for this line: never stored, so only right after upload
    text: str = ""
    payer: str = ""


@dataclass
class Imported:
    new: list[Reviewed] = field(default_factory=list)
    #: lines of this statement imported before: nothing new is done with them
    seen_before: int = 0
    #: debits and unbooked lines left out
    credits: int = 0


def fingerprint(secret: bytes, committee_id: int, credit: statements.Credit, occurrence: int) -> str:
    """Recognises a line when the same statement (or an overlapping one) is imported again."""
    if credit.bank_ref and credit.bank_ref.upper() != "NONREF":
        words = f"{credit.source}|ref|{credit.bank_ref}|{credit.booked_on}|{credit.amount}|{credit.currency}"
    else:
        words = (f"{credit.source}|text|{credit.booked_on}|{credit.amount}|{credit.currency}|{credit.text}|"
                 f"{credit.payer}|{occurrence}")
    message = f"ayni statement line|{committee_id}|{words}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def import_statement(session: Session, committee_id: int, data: bytes, secret: bytes) -> Imported:
    """Keep the statement's new credits as waiting lines and say what each looks like."""
    credits = statements.read(data)
    imported = Imported(credits=len(credits))
    seen: Counter[tuple] = Counter()
    for credit in credits:
        plain = (credit.booked_on, credit.amount, credit.currency, credit.text, credit.payer)
        fp = fingerprint(secret, committee_id, credit, seen[plain])
        seen[plain] += 1
        exists = session.scalar(select(StatementLine.id).where(StatementLine.committee_id == committee_id,
                                                               StatementLine.fingerprint == fp))
        if exists is not None:
            imported.seen_before += 1
            continue
        line = StatementLine(committee_id=committee_id, fingerprint=fp, source=credit.source,
                             booked_on=credit.booked_on, amount=credit.amount, currency=credit.currency,
                             reference=_our_reference(session, committee_id, credit.text))
        session.add(line)
        session.flush()
        reviewed = review(session, line)
        reviewed.text, reviewed.payer = credit.text, credit.payer
        imported.new.append(reviewed)
    return imported


def waiting(session: Session, committee_id: int) -> list[Reviewed]:
    """The committee's lines nobody has booked yet, oldest first."""
    lines = session.scalars(select(StatementLine).where(StatementLine.committee_id == committee_id,
                                                        StatementLine.state == "waiting")
                            .order_by(StatementLine.booked_on, StatementLine.id))
    return [review(session, line) for line in lines]


def review(session: Session, line: StatementLine) -> Reviewed:
    gift = _gift(session, line)
    if gift is None:
        return Reviewed(line, "unknown")
    if gift.status != "expected":
        return Reviewed(line, "already-paid", gift)
    same = gift.amount == line.amount and gift.currency == line.currency
    return Reviewed(line, "matches" if same else "differs", gift)


def book(session: Session, committee_id: int, line_id: int, *, as_gift: bool, pool: Pool | None = None) -> int | None:
    """Book one waiting line: to the gift it names (``as_gift``) or as an anonymous gift to
    ``pool``. Returns the entry's seq, or None when the line was booked already."""
    store.lock_head(session)
    line = session.get(StatementLine, line_id, with_for_update=True)
    if line is None or line.committee_id != committee_id:
        raise LookupError(f"statement line {line_id} is not this committee's")
    if line.state != "waiting":
        return None
    key = f"bank:line:{line.fingerprint}"
    if as_gift:
        reviewed = review(session, line)
        if reviewed.verdict not in ("matches", "differs") or reviewed.gift.currency != line.currency:
            raise BookingRefused(_l("This line cannot be booked to a gift: book it as an anonymous gift instead."))
        gift = reviewed.gift
    else:
        if pool is None or pool.committee_id != committee_id:
            raise BookingRefused(_l("Choose one of the committee's pools for this gift."))
        if pool.currency != line.currency:
            raise BookingRefused(_l("This money is in %(currency)s; choose a pool that holds %(currency)s.",
                                    currency=line.currency))
        gift = Gift(pool=pool, amount=line.amount, currency=line.currency, source="offline",
                    method="bank-transfer", status="pending")
        session.add(gift)
        session.flush()
    seq = booking.book_received(session, gift, line.amount, key)
    line.state, line.gift_id, line.entry_seq, line.booked_at = "booked", gift.id, seq, datetime.now(UTC)
    session.flush()
    return seq


def _our_reference(session: Session, committee_id: int, text: str) -> str | None:
    """The first reference in ``text`` that names a gift to one of the committee's pools."""
    for reference in found_in(text):
        gift_pool = session.execute(
            select(Pool.committee_id).join(Gift, Gift.pool_id == Pool.id)
            .join(BankTransfer, BankTransfer.gift_id == Gift.id).where(BankTransfer.reference == reference)
        ).scalar()
        if gift_pool == committee_id:
            return reference
    return None


def _gift(session: Session, line: StatementLine) -> Gift | None:
    if line.reference is None:
        return None
    return session.scalar(select(Gift).join(BankTransfer, BankTransfer.gift_id == Gift.id)
                          .where(BankTransfer.reference == line.reference))
