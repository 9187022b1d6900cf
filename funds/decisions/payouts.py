"""The treasurer's part: recording payouts (one, or a distribution day's worth), cancelling an
approval not yet paid, and handing a voucher code to the person.

A payout settles the request's reservation in the ledger, whose entry names the method (cash,
bank transfer...) so the public books show how money reaches people; the reference is sealed,
with the method, to every member key and never written in plain text anywhere.
Cancelling voids the reservation and lets the waitlist move up.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.clock import now as current_time
from funds.committees.commitments import commitment
from funds.committees.models import Member
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.requests import sealing, states
from funds.requests.models import Request
from funds.vocabulary import PAYOUT_METHODS
from ledger import store

from . import reservations
from .audit_trail import lock_request, note
from .models import Grant, SealedPayout
from .refusals import NotCancellable, NotPayable, VoucherRefused

#: longest payout reference (a transfer id, "cash at the Tuesday distribution")
REFERENCE_MAX = 300


@dataclass(frozen=True)
class Batch:
    """What a distribution day's "mark paid" did."""

    paid: list[int]
    #: asked for but not waiting to be paid (paid already, cancelled, not this committee's)
    skipped: list[int]


def record_payout(
    session: Session, member: Member, request_id: int, *, method: str, reference: str, now: datetime | None = None
) -> None:
    """The money reached the person: settle the reservation and keep the details sealed."""
    moment = now or current_time()
    request = _request_of(session, member, request_id)
    _pay(session, member, request, method, reference, moment)


def pay_many(
    session: Session,
    member: Member,
    request_ids: Iterable[int],
    *,
    method: str,
    reference: str,
    now: datetime | None = None,
    references: Mapping[int, str] | None = None,
) -> Batch:
    """Mark several requests paid at once, e.g. after a distribution day. Requests no longer
    waiting to be paid are skipped and named, not refused: the others were still paid.
    ``references`` gives a request its own reference (a bank batch's transfer id) instead of ``reference``."""
    moment = now or current_time()
    paid, skipped = [], []
    for request_id in sorted(set(request_ids)):
        request = lock_request(session, request_id)
        if request is None or request.pool.committee_id != member.committee_id or not states.can(request.state, "pay"):
            skipped.append(request_id)
            continue
        _pay(session, member, request, method, (references or {}).get(request_id, reference), moment)
        paid.append(request_id)
    return Batch(paid, skipped)


def cancel(
    session: Session, member: Member, request_id: int, *, message: str = "", now: datetime | None = None
) -> None:
    """Take back an approval not yet paid: void its reservation, tell the person if there is
    something to say, and fund the next people on the waitlist."""
    moment = now or current_time()
    request = _request_of(session, member, request_id)
    grant = session.get(Grant, request.id)
    if grant is None or not states.can(request.state, "cancel"):
        raise NotCancellable(f"request {request.id} is {request.state}; only an unpaid approval can be cancelled")
    message = message.strip()
    if len(message) > requests_domain.MESSAGE_MAX:
        raise NotCancellable("a message to the person is at most 2000 characters")
    reservations.release(session, request, grant, moment, commitment(session, member))
    if message:
        requests_domain.tell(session, request, message)


def attach_voucher(
    session: Session, member: Member, request_id: int, code: str, *, now: datetime | None = None
) -> None:
    """Give the person a voucher code, readable only with their codename on their status page."""
    request = _request_of(session, member, request_id)
    code = code.strip()
    if request.state not in (states.RESERVED, states.PAID):
        raise VoucherRefused(f"request {request.id} is {request.state}; vouchers go to approved, funded requests")
    if not code or len(code) > REFERENCE_MAX:
        raise VoucherRefused("a voucher code is 1-300 characters")
    requests_domain.tell(session, request, code, kind="voucher")
    note(
        session,
        f"request:{request.ledger_ref}:voucher:{secrets.token_hex(8)}",
        request,
        "voucher given",
        member=commitment(session, member),
    )


def waiting_to_be_paid(session: Session, member: Member) -> list[tuple[Request, Grant]]:
    """The committee's reserved requests, oldest reservation first (the distribution day list)."""
    # rows unpack as (request, grant)
    return list(
        session.execute(
            select(Request, Grant)
            .join(Grant, Grant.request_id == Request.id)
            .join(Pool, Pool.id == Request.pool_id)
            .where(Pool.committee_id == member.committee_id, Request.state == states.RESERVED)
            .order_by(Grant.reserved_at, Request.id)
        )
    )


def _pay(session: Session, member: Member, request: Request, method: str, reference: str, moment: datetime) -> None:
    if not states.can(request.state, "pay"):
        raise NotPayable(f"request {request.id} is {request.state}, not waiting to be paid")
    reference = reference.strip()
    if method not in PAYOUT_METHODS or len(reference) > REFERENCE_MAX:
        raise NotPayable("a payout needs a known method and a reference of at most 300 characters")
    grant = session.get(Grant, request.id)
    details = json.dumps({"method": method, "reference": reference}, ensure_ascii=False).encode("utf-8")
    for member_id, key in requests_domain.committee_keys(session, request.pool.committee_id):
        session.add(SealedPayout(request_id=request.id, member_id=member_id, sealed=sealing.seal(key, details)))
    store.settle(
        session,
        f"payout:request:{request.ledger_ref}",
        grant.reservation_seq,
        {"what": "payout", "request": request.ledger_ref, "pool": request.pool.slug, "method": method,
         "member": commitment(session, member)},
    )
    grant.paid_at, grant.paid_by_id = moment, member.id
    states.move(request, "pay", now=moment)
    session.flush()


def _request_of(session: Session, member: Member, request_id: int) -> Request:
    request = lock_request(session, request_id)
    if request is None or request.pool.committee_id != member.committee_id:
        raise LookupError(f"request {request_id} is not one of this committee's")
    return request
