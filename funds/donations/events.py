"""Stripe's events, from the webhook or from reconciliation, turned into bookings.

Handling is in two steps so that no database lock is held while Stripe is asked anything:
:func:`gather` re-reads from Stripe how the charge stands now (events come late, twice and in any
order, so their own snapshot is not trusted for money), then :func:`record` books it under the
books' lock and remembers the event id, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.orm import Session

from funds.stripe_facts import GIFT_KEY, ORIGIN_KEY, Charge, Dispute, dispute_from
from funds.stripe_gateway import StripeGateway
from ledger import store

from . import booking
from .models import StripeEvent

PAYMENTS = ("payment_intent.succeeded", "invoice.payment_succeeded", "invoice.paid")
DISPUTES = {"charge.dispute.funds_withdrawn": "withdrawn", "charge.dispute.funds_reinstated": "reinstated"}
HANDLED = frozenset((*PAYMENTS, "charge.refunded", *DISPUTES))
_events = StripeEvent.__table__
_SEEN = select(_events.c.id).where(_events.c.id == bindparam("event_id"))
_REMEMBER = insert(_events)


@dataclass(frozen=True)
class Facts:
    """What Stripe says now about the money an event is about."""

    charge: Charge | None
    dispute: Dispute | None = None


def gather(gateway: StripeGateway, event: dict) -> Facts:
    """Read from Stripe what booking ``event`` needs (outside any database transaction)."""
    kind, found = event["type"], event["data"]["object"]
    dispute = None
    if kind == "payment_intent.succeeded":
        if ours(found, gateway.origin):
            return Facts(gateway.charge_of_gift_payment(found))
        # A monthly gift's PaymentIntent: its gift is found through the invoice's subscription.
        charge_id = found.get("latest_charge")
        charge_id = charge_id["id"] if isinstance(charge_id, dict) else charge_id
    elif kind in PAYMENTS:
        charge_id = gateway.charge_of_invoice(found)
    elif kind == "charge.refunded":
        charge_id = found["id"]
    else:
        dispute = dispute_from(found, DISPUTES[kind])
        charge_id = dispute.charge_id
    return Facts(gateway.charge(charge_id) if charge_id else None, dispute)


def ours(intent: dict, origin: str) -> bool:
    """Whether this deployment made the PaymentIntent for a one-time gift."""
    metadata = intent.get("metadata") or {}
    return metadata.get(ORIGIN_KEY) == origin and GIFT_KEY in metadata


def seen(session: Session | Connection, event_id: str) -> bool:
    """Whether the event was handled before (booked, or found to need nothing)."""
    return session.execute(_SEEN, {"event_id": event_id}).first() is not None


def record(session: Session, event: dict, facts: Facts) -> str:
    """Book what ``facts`` show and remember ``event``; returns what happened, in a few words.

    Takes the books' lock first, so of two deliveries of one event the second sees the first.
    """
    store.lock_head(session)
    return record_locked(session, event, facts)


def record_locked(session: Session, event: dict, facts: Facts) -> str:
    """:func:`record`, for a caller that already holds the books' lock in this transaction."""
    connection = session.connection()
    if seen(connection, event["id"]):
        return "already handled"
    outcome = _book(session, facts)
    connection.execute(
        _REMEMBER, {"id": event["id"], "type": event["type"], "created": event["created"], "outcome": outcome}
    )
    return outcome


def _book(session: Session, facts: Facts) -> str:
    charge = facts.charge
    if charge is None:
        return "ignored: no charge"
    gift = booking.gift_for_charge(session, charge)
    if gift is None:
        return "ignored: not a gift to Ayni"
    # Whichever event comes first books the charge and everything that has happened to it since,
    # so a refund told before its payment ends in the same books as one told after.
    booked = booking.book_charge(session, gift, charge)
    if not charge.paid:
        return "ignored: the charge did not succeed"
    for refund in charge.refunds:
        booked |= booking.book_refund(session, gift, charge, refund)
    if facts.dispute is not None:
        booked |= booking.book_dispute(session, gift, facts.dispute)
    return "booked" if booked else "nothing new"


def newest_event_time(session: Session) -> int | None:
    return session.scalar(select(func.max(StripeEvent.created)))
