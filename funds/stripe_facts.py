"""What Stripe's JSON means for us, as plain values (no calls: funds.stripe_gateway makes those)."""

from __future__ import annotations

from dataclasses import dataclass

#: metadata names linking Stripe objects to our rows
GIFT_KEY = "ayni_gift"
MONTHLY_KEY = "ayni_monthly_gift"
#: which Ayni (its ledger origin) made the object: two deployments may share one Stripe account
ORIGIN_KEY = "ayni_origin"


@dataclass(frozen=True)
class Checkout:
    """A card form's Stripe side: the customer and the SetupIntent Stripe.js confirms."""

    customer_id: str
    setup_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class Payment:
    """Where a payment stands right after we asked Stripe to take it."""

    #: succeeded, processing, requires_action (the bank wants the donor) or failed
    status: str
    #: the PaymentIntent or Subscription
    stripe_id: str | None = None
    #: for requires_action: the PaymentIntent secret Stripe.js needs to show the bank's check
    client_secret: str | None = None
    #: for failed: Stripe's codes for why (decline code first, then error code); the donor reads our
    #: own sentence for them (funds.web.labels.card_refusal), never Stripe's English message
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str


@dataclass(frozen=True)
class Charge:
    """A charge as Stripe holds it now, with what the books need from it."""

    id: str
    paid: bool
    amount: int
    currency: str
    #: from the balance transaction; 0 and fee_known False when Stripe reported none (localstripe)
    fee: int
    fee_known: bool
    gift_id: int | None
    monthly_gift_id: int | None
    payment_intent_id: str | None
    refunds: tuple[Refund, ...]


@dataclass(frozen=True)
class Dispute:
    id: str
    charge_id: str
    #: withdrawn or reinstated
    phase: str
    amount: int
    #: Stripe's dispute fee (negative when it is given back on reinstatement)
    fee: int
    currency: str


def stripe_id(value) -> str | None:
    """An id whether Stripe sent the bare id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return value["id"]


def _ours(metadata: dict | None, key: str, origin: str) -> int | None:
    """Our row id in ``metadata``, if this deployment put it there."""
    metadata = metadata or {}
    value = metadata.get(key)
    if metadata.get(ORIGIN_KEY) != origin or not (isinstance(value, str) and value.isdigit()):
        return None
    return int(value)


def charge_from(found: dict, refunds: tuple[Refund, ...], origin: str) -> Charge:
    """What the books need from an expanded charge; links to our rows only if ``origin`` made them."""
    currency = found["currency"].upper()
    transaction = found.get("balance_transaction")
    # A fee in another settlement currency cannot be booked against a pool in this one.
    fee_known = isinstance(transaction, dict) and transaction["currency"].upper() == currency
    intent = found.get("payment_intent") if isinstance(found.get("payment_intent"), dict) else {}
    invoice = intent.get("invoice") if isinstance(intent.get("invoice"), dict) else {}
    subscription = invoice.get("subscription") if isinstance(invoice.get("subscription"), dict) else {}
    return Charge(
        id=found["id"],
        paid=found["status"] == "succeeded",
        amount=found["amount"],
        currency=currency,
        fee=transaction["fee"] if fee_known else 0,
        fee_known=fee_known,
        gift_id=_ours(intent.get("metadata"), GIFT_KEY, origin),
        monthly_gift_id=_ours(subscription.get("metadata"), MONTHLY_KEY, origin),
        payment_intent_id=stripe_id(found.get("payment_intent")),
        refunds=refunds,
    )


def dispute_from(dispute: dict, phase: str) -> Dispute:
    """A dispute event's money: its balance transaction for ``phase`` carries amount and fee."""
    wanted = [t for t in dispute.get("balance_transactions") or []
              if isinstance(t, dict) and (t["amount"] < 0 if phase == "withdrawn" else t["amount"] > 0)]
    amount = abs(wanted[0]["amount"]) if wanted else dispute["amount"]
    fee = wanted[0]["fee"] if wanted else 0
    return Dispute(dispute["id"], stripe_id(dispute["charge"]), phase, amount, fee, dispute["currency"].upper())


def payment_of(intent: dict) -> Payment:
    if intent["status"] in ("succeeded", "processing"):
        return Payment(intent["status"], intent["id"])
    if intent["status"] == "requires_action":
        return Payment("requires_action", intent["id"], intent["client_secret"])
    return Payment("failed", intent["id"], reasons=refusal_codes(intent.get("last_payment_error")))


def refusal_codes(error: dict | None) -> tuple[str, ...]:
    """Stripe's codes for a card refusal, the most precise first."""
    error = error or {}
    return tuple(code for code in (error.get("decline_code"), error.get("code")) if isinstance(code, str))


def subscription_payment(subscription: dict) -> Payment:
    if subscription["status"] in ("active", "trialing"):
        return Payment("succeeded", subscription["id"])
    invoice = subscription.get("latest_invoice") or {}
    intent = invoice.get("payment_intent") if isinstance(invoice, dict) else None
    if isinstance(intent, dict) and intent.get("status") == "requires_action":
        return Payment("requires_action", subscription["id"], intent["client_secret"])
    error = intent.get("last_payment_error") if isinstance(intent, dict) else None
    return Payment("failed", subscription["id"], reasons=refusal_codes(error))
