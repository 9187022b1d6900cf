"""A distribution day by bank: the treasurer's file of transfers, then marking them all paid.

**Where the file is made.** The people's names and accounts exist only sealed to the committee's
keys (DESIGN.md, principle 2: a seized server reveals nobody). The treasurer's browser opens
them and sends them, with the request numbers, to the server, which assembles the file in memory
and answers it as a download: nothing is written (no table, no file, no log line: the request
body is never logged, the answer is ``no-store``). We chose this over assembling the file in the
browser because the SEPA file must be checked against the pain.001 schema and the amounts must
come from the books, not from the page; both are the server's. The cost, said plainly: while the
request is served, a server that is already compromised could read those names and accounts. A
seized disk or a database copy cannot.

**What is kept.** Marking the batch sent records each payout through the distribution-day code
(:func:`funds.decisions.payouts.pay_many`) with its own reference, ``<rail> <batch id>
<end-to-end id>``, sealed to every member key like any payout reference. Both ids are derived
from the requests' random ledger references under the app's secret, so the file and the
"mark sent" step agree without storing the batch, and neither id can be traced to an entry of
the public books by anyone without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from funds.committees.models import Member
from funds.pools.bank_details import BankDetailsRefused, bank_account, check_bic, check_iban
from funds.refusals import Refusal
from funds.requests import states
from funds.requests.models import Request

from . import payouts
from .rails import Batch, Payout, rails

METHOD = "bank-transfer"
NAME_MAX = 70
#: what the person's statement says by default: nothing about who paid or why
REMITTANCE = "Transfer"


class BatchRefused(Refusal):
    status = 400


@dataclass(frozen=True)
class Recipient:
    """What the treasurer's browser opened for one request."""

    name: str
    iban: str
    bic: str | None = None


def waiting(session: Session, member: Member) -> list[Request]:
    """The committee's reserved requests to be paid by bank transfer, oldest first."""
    return [request for request, _grant in payouts.waiting_to_be_paid(session, member) if request.method == METHOD]


def assemble(session: Session, member: Member, rail_key: str, recipients: dict[int, Recipient], *, secret: bytes,
             execution_date: date, remittance: str = "") -> tuple[str, str, bytes]:
    """The file for ``recipients`` by ``rail_key``: (file name, media type, bytes). Nothing is stored."""
    rail = rails().get(rail_key)
    if rail is None:
        raise BatchRefused(_l("Choose a file format."))
    requests = _chosen(session, member, recipients)
    pool = requests[0].pool
    account = bank_account(session, pool.id)
    if account is None:
        raise BatchRefused(_l("The pool has no bank details: a coordinator sets them on the pool's Bank details page."))
    if any(r.pool.currency != pool.currency or (bank_account(session, r.pool_id) or account).iban != account.iban
           for r in requests):
        raise BatchRefused(_l("One file pays from one account in one currency: "
                              "choose requests of pools that share them."))
    text = " ".join((remittance or REMITTANCE).split())[:140]
    people = []
    for request in requests:
        recipient = recipients[request.id]
        name = " ".join(recipient.name.split())
        if not name or len(name) > NAME_MAX:
            raise BatchRefused(_l("Request %(id)s: write the account holder's name (up to 70 characters).",
                                  id=request.id), field=f"name-{request.id}")
        try:
            iban = check_iban(recipient.iban, field=f"iban-{request.id}")
            bic = check_bic(recipient.bic, iban, field=f"bic-{request.id}")
        except BankDetailsRefused as refusal:
            raise BatchRefused(_l("Request %(id)s: %(reason)s", id=request.id, reason=refusal.message),
                               field=refusal.field) from None
        people.append(Payout(request.id, name, iban, bic, request.amount, pool.currency,
                             end_to_end(secret, request), text))
    batch = Batch(batch_id(secret, requests, execution_date), account.holder, account.iban, account.bic,
                  pool.currency, execution_date, tuple(people))
    body = rail.render(batch)  # RailRefused says what this rail cannot carry
    return f"ayni-payouts-{batch.batch_id}.{rail.extension}", rail.media_type, body


def mark_sent(session: Session, member: Member, rail_key: str, request_ids: list[int], *, secret: bytes,
              execution_date: date) -> payouts.Batch:
    """The bank took the file: record every payout at once, each with its own reference."""
    if rail_key not in rails():
        raise BatchRefused(_l("Choose a file format."))
    requests = _chosen(session, member, dict.fromkeys(request_ids))
    batch = batch_id(secret, requests, execution_date)
    references = {r.id: f"{rail_key} {batch} {end_to_end(secret, r)}" for r in requests}
    return payouts.pay_many(session, member, list(references), method=METHOD, reference="", references=references)


def batch_id(secret: bytes, requests: list[Request], day: date) -> str:
    """The same requests on the same day make the same id (the file's MsgId), so marking the batch
    sent needs nothing stored."""
    words = "|".join(sorted(r.ledger_ref for r in requests)) + f"|{day.isoformat()}"
    return "AYNI" + hmac.new(secret, f"batch|{words}".encode(), hashlib.sha256).hexdigest()[:20].upper()


def end_to_end(secret: bytes, request: Request) -> str:
    return hmac.new(secret, f"end-to-end|{request.ledger_ref}".encode(), hashlib.sha256).hexdigest()[:24].upper()


def _chosen(session: Session, member: Member, chosen: dict) -> list[Request]:
    if not chosen:
        raise BatchRefused(_l("Tick at least one request."))
    by_id = {r.id: r for r in waiting(session, member)}
    missing = sorted(set(chosen) - set(by_id))
    if missing:
        raise BatchRefused(_l("Not waiting to be paid by bank transfer any more: %(ids)s. Reload the page.",
                              ids=", ".join(str(i) for i in missing)))
    return [by_id[i] for i in sorted(chosen) if states.can(by_id[i].state, "pay")]
