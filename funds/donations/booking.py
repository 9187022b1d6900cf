"""Booking money that moved: a charge, a refund, a dispute, a gift handed to a treasurer.

Every pool's currency accounts were opened with the pool (funds.pools.domain.create_pool).
Callers take the books' head lock first (:func:`ledger.store.lock_head`), so two webhooks about
the same charge are put in order and the second finds the movement already recorded. Each
movement's row (unique id) is written in the same transaction as its ledger entry (unique key):
however often and in whatever order Stripe tells us, money is booked once.

Money that lands in a pool (a gift, a dispute won back) funds the pool's waitlist in the same
transaction, so a request approved while the pool was short is reserved as the money arrives.

Stripe's movements are booked on every webhook while the books are locked, so they read and
write with statements built once (as :mod:`ledger.store` does) rather than through ORM objects:
loading a gift, its pool and flushing three rows through the unit of work cost more than the
ledger entry itself.

Ledger entries carry no identity: no name, no email, no card; only what moved, for which pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from funds.decisions.reservations import fund_waitlist_after_gift
from funds.pools import accounts
from funds.pools.models import Pool
from funds.stripe_facts import Charge, Dispute, Refund
from ledger import store
from ledger.entry import Entry, Posting

from .models import Gift, MonthlyGift, StripeMovement

_gifts, _pools = Gift.__table__, Pool.__table__
_g, _p, _m = _gifts.c, _pools.c, MonthlyGift.__table__.c
_GIFT = select(_g.id, _g.source, _g.pool_id, _p.slug, _p.currency, _g.monthly_gift_id, _g.stripe_charge_id).join_from(
    _gifts, _pools, _g.pool_id == _p.id
)
#: the gift that already holds the charge, and the one its PaymentIntent names (often the same)
_GIFTS_OF_CHARGE = _GIFT.where(or_(_g.stripe_charge_id == bindparam("charge"), _g.id == bindparam("gift_id")))
_GIFT_BY_ID = _GIFT.where(_g.id == bindparam("gift_id"))
_MONTHLY = select(_m.pool_id, _m.public_name, _m.lang, _m.stripe_customer_id).where(_m.id == bindparam("monthly_id"))
_NEW_GIFT = insert(_gifts)
_GIFT_PAID = (
    update(_gifts)
    .where(_g.id == bindparam("gift_id"))
    .values(
        stripe_charge_id=bindparam("charge"),
        stripe_payment_intent_id=func.coalesce(_g.stripe_payment_intent_id, bindparam("intent")),
        entry_seq=bindparam("seq"),
        status="paid",
        paid_at=bindparam("paid_when"),
    )
)
_GIFT_STATUS = update(_gifts).where(_g.id == bindparam("gift_id")).values(status=bindparam("new_status"))
_MONTHLY_STARTED = (
    update(MonthlyGift.__table__)
    .where(_m.id == bindparam("monthly_id"), _m.status == "pending")
    .values(status="active")
)
_MOVED = select(StripeMovement.__table__.c.id).where(StripeMovement.__table__.c.id == bindparam("movement"))
_NEW_MOVEMENT = insert(StripeMovement.__table__)


class BookingError(ValueError):
    """Stripe's money cannot go where our rows say (a currency the pool does not hold)."""


@dataclass(slots=True)
class StripeGift:
    """What booking needs of a gift paid through Stripe, and of its pool."""

    id: int
    pool_id: int
    pool_slug: str
    pool_currency: str
    monthly_gift_id: int | None
    stripe_charge_id: str | None


def owed(currency: str) -> str:
    """What the fund owes its processor: refunds and disputes that came after the pool was spent."""
    return f"owed:stripe:{currency.lower()}"


def gift_for_charge(session: Session, charge: Charge) -> StripeGift | None:
    """Our gift for a charge, making the month's gift of a monthly gift; None if it is not ours."""
    connection = session.connection()
    rows = connection.execute(_GIFTS_OF_CHARGE, {"charge": charge.id, "gift_id": charge.gift_id}).all()
    for row in rows:
        if row.stripe_charge_id == charge.id:
            return _stripe_gift(row)
    if charge.gift_id is not None:
        named = next((row for row in rows if row.id == charge.gift_id), None)
        return _stripe_gift(named) if named is not None and named.source == "stripe" else None
    if charge.monthly_gift_id is None:
        return None
    monthly = connection.execute(_MONTHLY, {"monthly_id": charge.monthly_gift_id}).first()
    if monthly is None:
        return None
    made = connection.execute(
        _NEW_GIFT,
        {
            "pool_id": monthly.pool_id,
            "amount": charge.amount,
            "currency": charge.currency,
            "source": "stripe",
            "public_name": monthly.public_name,
            "lang": monthly.lang,
            "monthly_gift_id": charge.monthly_gift_id,
            "stripe_customer_id": monthly.stripe_customer_id,
        },
    )
    return _stripe_gift(connection.execute(_GIFT_BY_ID, {"gift_id": made.inserted_primary_key[0]}).one())


def _stripe_gift(row) -> StripeGift:
    return StripeGift(row.id, row.pool_id, row.slug, row.currency, row.monthly_gift_id, row.stripe_charge_id)


def book_charge(session: Session, gift: StripeGift, charge: Charge) -> bool:
    """Book a paid charge once: gross from donations, the fee to fees, the net to the pool."""
    if not charge.paid or _moved(session, charge.id):
        return False
    if charge.currency != gift.pool_currency:
        raise BookingError(
            f"charge {charge.id} is in {charge.currency}; pool {gift.pool_slug} holds {gift.pool_currency}"
        )
    postings = [
        Posting(accounts.donations("stripe", charge.currency), charge.currency, -charge.amount),
        Posting(accounts.available(gift.pool_id), charge.currency, charge.amount - charge.fee),
    ]
    if charge.fee:
        postings.append(Posting(accounts.fees("stripe", charge.currency), charge.currency, charge.fee))
    meta = {
        "what": "gift",
        "source": "stripe",
        "pool": gift.pool_slug,
        "frequency": "monthly" if gift.monthly_gift_id else "once",
        "fee_reported": charge.fee_known,
    }
    entry = store.post(session, Entry(f"stripe:charge:{charge.id}", "transfer", tuple(postings), meta))
    connection = session.connection()
    if gift.stripe_charge_id is None:
        connection.execute(
            _GIFT_PAID,
            {
                "gift_id": gift.id,
                "charge": charge.id,
                "intent": charge.payment_intent_id,
                "seq": entry.seq,
                "paid_when": datetime.now(UTC),
            },
        )
        gift.stripe_charge_id = charge.id
    if gift.monthly_gift_id is not None:
        connection.execute(_MONTHLY_STARTED, {"monthly_id": gift.monthly_gift_id})
    _record(session, charge.id, "charge", gift, charge.amount, charge.fee, entry.seq)
    # Before any refund of the same charge is booked, so the books end the same in any event order.
    fund_waitlist_after_gift(session, gift.pool_id)
    return True


def book_refund(session: Session, gift: StripeGift, charge: Charge, refund: Refund) -> bool:
    """Book a refund once: it leaves the pool (or, if the pool was spent, is owed) for the donor."""
    if refund.status != "succeeded" or _moved(session, refund.id):
        return False
    currency = charge.currency
    postings = _out_of_pool(session, gift.pool_id, currency, refund.amount)
    postings.append(Posting(accounts.refunds(currency), currency, refund.amount))
    meta = {"what": "refund", "source": "stripe", "pool": gift.pool_slug}
    entry = store.post(session, Entry(f"stripe:refund:{refund.id}", "transfer", tuple(postings), meta))
    _record(session, refund.id, "refund", gift, refund.amount, 0, entry.seq)
    refunded = sum(r.amount for r in charge.refunds if r.status == "succeeded")
    if refunded >= charge.amount:
        _set_status(session, gift, "refunded")
    return True


def book_dispute(session: Session, gift: StripeGift, dispute: Dispute) -> bool:
    """Book a dispute's withdrawal (amount and fee leave the pool) or its reinstatement, once."""
    movement = f"{dispute.id}:{dispute.phase}"
    if _moved(session, movement):
        return False
    currency = dispute.currency
    if dispute.phase == "withdrawn":
        postings = _out_of_pool(session, gift.pool_id, currency, dispute.amount + dispute.fee)
        postings.append(Posting(accounts.refunds(currency), currency, dispute.amount))
        _set_status(session, gift, "disputed")
    else:
        postings = [
            Posting(accounts.refunds(currency), currency, -dispute.amount),
            Posting(accounts.available(gift.pool_id), currency, dispute.amount - dispute.fee),
        ]
        _set_status(session, gift, "paid")
    # The fee is its own line: a cost of the dispute, not money returned to the donor.
    if dispute.fee:
        postings.append(Posting(accounts.fees("stripe", currency), currency, dispute.fee))
    meta = {"what": f"dispute-{dispute.phase}", "source": "stripe", "pool": gift.pool_slug}
    entry = store.post(session, Entry(f"stripe:dispute:{movement}", "transfer", tuple(postings), meta))
    _record(session, movement, f"dispute-{dispute.phase}", gift, dispute.amount, dispute.fee, entry.seq)
    if dispute.phase == "reinstated":
        fund_waitlist_after_gift(session, gift.pool_id)
    return True


def book_offline_gift(session: Session, gift: Gift) -> None:
    """Book cash or a bank transfer a treasurer received, in the same transaction as its row."""
    book_received(session, gift, gift.amount, f"offline:gift:{gift.id}")


def book_received(session: Session, gift: Gift, amount: int, key: str) -> int:
    """Book ``amount`` (what arrived, which may differ from what the donor meant to give) for an
    offline or bank-transfer gift under the idempotency ``key``; the gift is paid. Returns the
    entry's seq."""
    postings = (
        Posting(accounts.donations("offline", gift.currency), gift.currency, -amount),
        Posting(accounts.available(gift.pool_id), gift.currency, amount),
    )
    method = "bank-transfer" if gift.source == "bank" else gift.method or "other"
    meta = {"what": "gift", "source": "offline", "pool": gift.pool.slug, "method": method}
    entry = store.post(session, Entry(key, "transfer", postings, meta))
    gift.entry_seq = entry.seq
    gift.status = "paid"
    gift.paid_at = datetime.now(UTC)
    fund_waitlist_after_gift(session, gift.pool_id)
    return entry.seq


def _out_of_pool(session: Session, pool_id: int, currency: str, amount: int) -> list[Posting]:
    """Postings taking ``amount`` from the pool; what it no longer has (granted, reserved) is owed.

    Stripe has already returned the money: refusing to book it would leave the books wrong.
    """
    have = max(0, store.balance(session, accounts.available(pool_id)).available)
    taken = min(have, amount)
    postings = [Posting(accounts.available(pool_id), currency, -taken)] if taken else []
    if amount > taken:
        store.open_account(session, owed(currency), currency, type="Liabilities")
        postings.append(Posting(owed(currency), currency, -(amount - taken)))
    return postings


def _moved(session: Session, movement: str) -> bool:
    return session.connection().execute(_MOVED, {"movement": movement}).first() is not None


def _set_status(session: Session, gift: StripeGift, status: str) -> None:
    session.connection().execute(_GIFT_STATUS, {"gift_id": gift.id, "new_status": status})


def _record(session: Session, movement: str, kind: str, gift: StripeGift, amount: int, fee: int, seq: int) -> None:
    session.connection().execute(
        _NEW_MOVEMENT,
        {
            "id": movement,
            "kind": kind,
            "gift_id": gift.id,
            "amount": amount,
            "fee": fee,
            "entry_seq": seq,
        },
    )
