"""Giving: choosing a gift, the card's checkout, offline gifts, stopping a monthly gift.

Functions take a session and flush; they never call Stripe (views do, between transactions).
Refusals are :class:`GiftError` with a message for the donor and the HTTP status that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.money import AmountError, format_money, parse_amount
from funds.pools.models import Pool
from funds.refusals import Refusal
from funds.stripe_facts import Checkout, Payment
from funds.web.labels import GIVING_METHODS

from . import booking
from .bank.models import BankTransfer
from .bank.references import new_reference
from .models import Gift, MonthlyGift

FREQUENCIES = ("once", "monthly")
CLOSED = _l("This pool is closed and takes no gifts now.")


class GiftError(Refusal):
    """A gift cannot be taken as asked; ``message`` tells the donor why."""

    status = 400


@dataclass(frozen=True)
class Limits:
    """Bounds of one gift, in minor units."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class Choice:
    """A gift as the donor chose it, checked."""

    pool_id: int
    amount: int
    currency: str
    frequency: str
    public_name: str | None
    #: card or bank
    method: str = "card"
    #: the language the donor gave in; the gift's pages keep speaking it
    lang: str = "en"


def check_choice(pool: Pool, limits: Limits, *, amount_text: str, currency: str, frequency: str,
                 public_name: str | None, locale: str = "en", method: str = "card",
                 methods: tuple[str, ...] = ("card",)) -> Choice:
    """Check a gift against the pool and the limits; refuse with the reason otherwise. ``methods``
    are the ways this pool takes gifts now (card when Stripe is configured, bank when the pool has
    bank details)."""
    if not pool.is_open:
        raise GiftError(CLOSED, status=409)
    if method not in methods:
        raise GiftError(_l("Choose how to give: this pool takes gifts by %(ways)s.",
                           ways=", ".join(str(GIVING_METHODS[m]) for m in methods) or "-"), field="method")
    if method == "bank" and frequency != "once":
        raise GiftError(_l("By bank transfer, give once here; your bank can repeat it as a standing order "
                           "with the same reference."), field="frequency")
    if currency != pool.currency:
        raise GiftError(_l("This pool takes gifts in %(currency)s.", currency=pool.currency), field="currency")
    if frequency not in FREQUENCIES:
        raise GiftError(_l("Choose once or every month."), field="frequency")
    try:
        amount = parse_amount(amount_text, currency, locale)
    except AmountError as refusal:
        raise GiftError(refusal.message, field="custom_amount") from None
    if amount < limits.minimum:
        raise GiftError(_l("The smallest gift by card is %(amount)s.",
                             amount=format_money(limits.minimum, currency, locale)), field="custom_amount")
    if amount > limits.maximum:
        raise GiftError(_l("Gifts by card go up to %(amount)s; for more, please write to the committee.",
                             amount=format_money(limits.maximum, currency, locale)), field="custom_amount")
    name = (public_name or "").strip() or None
    return Choice(pool.id, amount, currency, frequency, name, method, locale)


def start_gift(session: Session, choice: Choice) -> Gift | MonthlyGift:
    """The pending row a card checkout is made for (committed before Stripe is asked)."""
    values = dict(pool_id=choice.pool_id, amount=choice.amount, currency=choice.currency,
                  public_name=choice.public_name, lang=choice.lang)
    row: Gift | MonthlyGift = (
        MonthlyGift(**values) if choice.frequency == "monthly" else Gift(source="stripe", **values)
    )
    session.add(row)
    session.flush()
    return row


def start_bank_gift(session: Session, choice: Choice) -> Gift:
    """A gift the donor will transfer: expected until a statement shows it, with its reference."""
    gift = Gift(pool_id=choice.pool_id, amount=choice.amount, currency=choice.currency, source="bank",
                method="bank-transfer", public_name=choice.public_name, status="expected",
                lang=choice.lang)
    session.add(gift)
    session.flush()
    reference = new_reference()
    while session.scalar(select(BankTransfer.gift_id).where(BankTransfer.reference == reference)) is not None:
        reference = new_reference()  # 40 random bits: a repeat is rare, never silent
    session.add(BankTransfer(gift_id=gift.id, reference=reference))
    session.flush()
    return gift


def kind_of(row: Gift | MonthlyGift) -> str:
    """``gift`` or ``monthly``: how the row is named to Stripe and in addresses."""
    return "monthly" if isinstance(row, MonthlyGift) else "gift"


def attach_checkout(session: Session, model: type[Gift] | type[MonthlyGift], row_id: int, checkout: Checkout) -> None:
    row = session.get(model, row_id)
    row.stripe_customer_id = checkout.customer_id
    row.stripe_setup_intent_id = checkout.setup_intent_id
    session.flush()


def find(session: Session, model: type[Gift] | type[MonthlyGift], token: str) -> Gift | MonthlyGift:
    row = session.scalar(select(model).where(model.token == token))
    if row is None:
        raise GiftError(_l("There is no gift at this address."), status=404)
    return row


def note_payment(session: Session, model: type[Gift] | type[MonthlyGift], row_id: int, payment: Payment,
                 lang: str | None = None) -> None:
    """Keep the PaymentIntent or Subscription Stripe made; the webhook books the money itself.
    A refused payment is forgotten: the gift stays pending, so the donor can try another card.
    ``lang`` is the language the donor paid in (they may have changed it on the card page)."""
    row = session.get(model, row_id)
    row.lang = lang or row.lang
    if model is Gift:
        row.stripe_payment_intent_id = payment.stripe_id if payment.status != "failed" else None
    elif payment.status != "failed":
        row.stripe_subscription_id = payment.stripe_id
    session.flush()


def new_card_form(session: Session, model: type[Gift] | type[MonthlyGift], row_id: int, setup_intent_id: str,
                  lang: str) -> None:
    """The SetupIntent the donor's next card goes to, and the language they now read."""
    row = session.get(model, row_id)
    row.stripe_setup_intent_id = setup_intent_id
    row.lang = lang
    session.flush()


def stop_monthly(session: Session, token: str) -> MonthlyGift:
    monthly = find(session, MonthlyGift, token)
    monthly.status = "stopped"
    monthly.stopped_at = datetime.now(UTC)
    session.flush()
    return monthly


def record_offline_gift(session: Session, pool: Pool, maximum: int, *, amount_text: str, method: str,
                        public_name: str | None, locale: str = "en") -> Gift:
    """Book cash or a bank transfer a treasurer received, and return its receipt's gift."""
    try:
        amount = parse_amount(amount_text, pool.currency, locale)
    except AmountError as refusal:
        raise GiftError(refusal.message, field="amount") from None
    if amount > maximum:
        raise GiftError(_l("An offline gift is recorded up to %(amount)s at once.",
                             amount=format_money(maximum, pool.currency, locale)), field="amount")
    gift = Gift(pool=pool, amount=amount, currency=pool.currency, source="offline", method=method,
                public_name=(public_name or "").strip() or None)
    session.add(gift)
    session.flush()
    booking.book_offline_gift(session, gift)
    return gift
