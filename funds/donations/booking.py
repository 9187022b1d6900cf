"""Booking money that moved: a charge, a refund, a dispute, a gift handed to a treasurer.

Every pool's currency accounts were opened with the pool (funds.pools.domain.create_pool).
Callers take the books' head lock first (:func:`ledger.store.lock_head`), so two webhooks about
the same charge are put in order and the second finds the movement already recorded. Each
movement's row (unique id) is written in the same transaction as its ledger entry (unique key):
however often and in whatever order Stripe tells us, money is booked once.

Ledger entries carry no identity: no name, no email, no card; only what moved, for which pool.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.pools import accounts
from funds.pools.models import Pool
from funds.stripe_facts import Charge, Dispute, Refund
from ledger import store
from ledger.entry import Entry, Posting

from .models import Gift, MonthlyGift, StripeMovement


class BookingError(ValueError):
    """Stripe's money cannot go where our rows say (a currency the pool does not hold)."""


def owed(currency: str) -> str:
    """What the fund owes its processor: refunds and disputes that came after the pool was spent."""
    return f"owed:stripe:{currency.lower()}"


def gift_for_charge(session: Session, charge: Charge) -> Gift | None:
    """Our gift for a charge, making the month's gift of a monthly gift; None if it is not ours."""
    found = session.scalar(select(Gift).where(Gift.stripe_charge_id == charge.id))
    if found is not None:
        return found
    if charge.gift_id is not None:
        gift = session.get(Gift, charge.gift_id)
        return gift if gift is not None and gift.source == "stripe" else None
    monthly = session.get(MonthlyGift, charge.monthly_gift_id) if charge.monthly_gift_id is not None else None
    if monthly is None:
        return None
    gift = Gift(pool=monthly.pool, amount=charge.amount, currency=charge.currency, source="stripe",
                public_name=monthly.public_name, monthly_gift=monthly,
                stripe_customer_id=monthly.stripe_customer_id)
    session.add(gift)
    session.flush()
    return gift


def book_charge(session: Session, gift: Gift, charge: Charge) -> bool:
    """Book a paid charge once: gross from donations, the fee to fees, the net to the pool."""
    if not charge.paid or session.get(StripeMovement, charge.id) is not None:
        return False
    pool = gift.pool
    if charge.currency != pool.currency:
        raise BookingError(f"charge {charge.id} is in {charge.currency}; pool {pool.slug} holds {pool.currency}")
    postings = [
        Posting(accounts.donations("stripe", charge.currency), charge.currency, -charge.amount),
        Posting(accounts.available(pool.id), charge.currency, charge.amount - charge.fee),
    ]
    if charge.fee:
        postings.append(Posting(accounts.fees("stripe", charge.currency), charge.currency, charge.fee))
    meta = {"what": "gift", "source": "stripe", "pool": pool.slug,
            "frequency": "monthly" if gift.monthly_gift_id else "once", "fee_reported": charge.fee_known}
    entry = store.post(session, Entry(f"stripe:charge:{charge.id}", "transfer", tuple(postings), meta))
    if gift.stripe_charge_id is None:
        gift.stripe_charge_id = charge.id
        gift.stripe_payment_intent_id = gift.stripe_payment_intent_id or charge.payment_intent_id
        gift.entry_seq = entry.seq
        gift.status = "paid"
        gift.paid_at = datetime.now(UTC)
    if gift.monthly_gift is not None and gift.monthly_gift.status == "pending":
        gift.monthly_gift.status = "active"
    _record(session, charge.id, "charge", gift, charge.amount, charge.fee, entry.seq)
    return True


def book_refund(session: Session, gift: Gift, charge: Charge, refund: Refund) -> bool:
    """Book a refund once: it leaves the pool (or, if the pool was spent, is owed) for the donor."""
    if refund.status != "succeeded" or session.get(StripeMovement, refund.id) is not None:
        return False
    currency = charge.currency
    postings = _out_of_pool(session, gift.pool, currency, refund.amount)
    postings.append(Posting(accounts.refunds(currency), currency, refund.amount))
    meta = {"what": "refund", "source": "stripe", "pool": gift.pool.slug}
    entry = store.post(session, Entry(f"stripe:refund:{refund.id}", "transfer", tuple(postings), meta))
    _record(session, refund.id, "refund", gift, refund.amount, 0, entry.seq)
    refunded = sum(r.amount for r in charge.refunds if r.status == "succeeded")
    if refunded >= charge.amount:
        gift.status = "refunded"
    return True


def book_dispute(session: Session, gift: Gift, dispute: Dispute) -> bool:
    """Book a dispute's withdrawal (amount and fee leave the pool) or its reinstatement, once."""
    movement = f"{dispute.id}:{dispute.phase}"
    if session.get(StripeMovement, movement) is not None:
        return False
    currency, pool = dispute.currency, gift.pool
    if dispute.phase == "withdrawn":
        postings = _out_of_pool(session, pool, currency, dispute.amount + dispute.fee)
        postings.append(Posting(accounts.refunds(currency), currency, dispute.amount))
        gift.status = "disputed"
    else:
        postings = [
            Posting(accounts.refunds(currency), currency, -dispute.amount),
            Posting(accounts.available(pool.id), currency, dispute.amount - dispute.fee),
        ]
        gift.status = "paid"
    # The fee is its own line: a cost of the dispute, not money returned to the donor.
    if dispute.fee:
        postings.append(Posting(accounts.fees("stripe", currency), currency, dispute.fee))
    meta = {"what": f"dispute-{dispute.phase}", "source": "stripe", "pool": pool.slug}
    entry = store.post(session, Entry(f"stripe:dispute:{movement}", "transfer", tuple(postings), meta))
    _record(session, movement, f"dispute-{dispute.phase}", gift, dispute.amount, dispute.fee, entry.seq)
    return True


def book_offline_gift(session: Session, gift: Gift) -> None:
    """Book cash or a bank transfer a treasurer received, in the same transaction as its row."""
    postings = (
        Posting(accounts.donations("offline", gift.currency), gift.currency, -gift.amount),
        Posting(accounts.available(gift.pool_id), gift.currency, gift.amount),
    )
    meta = {"what": "gift", "source": "offline", "pool": gift.pool.slug, "method": gift.method or "other"}
    entry = store.post(session, Entry(f"offline:gift:{gift.id}", "transfer", postings, meta))
    gift.entry_seq = entry.seq
    gift.status = "paid"
    gift.paid_at = datetime.now(UTC)


def _out_of_pool(session: Session, pool: Pool, currency: str, amount: int) -> list[Posting]:
    """Postings taking ``amount`` from the pool; what it no longer has (granted, reserved) is owed.

    Stripe has already returned the money: refusing to book it would leave the books wrong.
    """
    have = max(0, store.balance(session, accounts.available(pool.id)).available)
    taken = min(have, amount)
    postings = [Posting(accounts.available(pool.id), currency, -taken)] if taken else []
    if amount > taken:
        store.open_account(session, owed(currency), currency, type="Liabilities")
        postings.append(Posting(owed(currency), currency, -(amount - taken)))
    return postings


def _record(session: Session, movement: str, kind: str, gift: Gift, amount: int, fee: int, seq: int) -> None:
    session.add(StripeMovement(id=movement, kind=kind, gift_id=gift.id, amount=amount, fee=fee, entry_seq=seq))
    session.flush()
