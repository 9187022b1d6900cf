"""Events in the shape Stripe sends at our API version: objects name their charge by id only.

localstripe's own events carry the whole charge inside the PaymentIntent (and its invoices carry
theirs), so the other webhook tests never make the service read a charge it was only named. Here
the same signed events are cut down to what Stripe sends (``latest_charge``, ``charge`` and
``payment_intent`` as bare ids): the webhook has to read the charge and its balance transaction
back from Stripe (localstripe), and books what it finds there, once.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from funds.donations.models import Gift, MonthlyGift, StripeMovement
from funds.pools import accounts
from funds.stripe_facts import stripe_id
from ledger import schema

from .conftest import balances, event, ledger_size
from .test_giving_by_card import give, pay, save_card


def named_by_id(intent: dict) -> dict:
    """A PaymentIntent as Stripe puts it in an event: its charge named, not embedded."""
    shaped = {key: value for key, value in intent.items() if key != "charges"}
    shaped["latest_charge"] = stripe_id(intent["latest_charge"])
    assert isinstance(shaped["latest_charge"], str) and shaped["latest_charge"].startswith("ch_")
    return shaped


def booked_entry(session, charge_id: str) -> tuple[dict, dict[str, int]]:
    """The meta and the postings (account code -> amount) of the charge's ledger entry."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    seq, meta = session.execute(select(e.seq, e.meta).where(e.key == f"stripe:charge:{charge_id}")).one()
    lines = session.execute(
        select(a.code, p.amount).join_from(schema.postings, schema.accounts, p.account_id == a.id)
        .where(p.entry_seq == seq)
    ).all()
    return json.loads(meta), dict(lines)


def fee_at_stripe(stripe, charge_id: str) -> int:
    """The fee Stripe (here localstripe) reports on the charge's balance transaction."""
    charge = stripe.client.v1.charges.retrieve(charge_id)
    return stripe.client.v1.balance_transactions.retrieve(stripe_id(charge.balance_transaction)).fee


def test_a_payment_naming_its_charge_only_is_booked_once_as_stripe_has_it(
    run, deliver, stripe, charged_gift, pool
):
    gift_id, intent = charged_gift(2500)
    charge_id = stripe_id(intent["latest_charge"])
    paid = event("payment_intent.succeeded", named_by_id(intent))
    before = run(ledger_size)

    assert deliver(paid).json == {"status": "booked"}
    assert deliver(paid).json == {"status": "already handled"}  # Stripe redelivers
    told_again = event("payment_intent.succeeded", named_by_id(intent))  # the same payment, another event
    assert deliver(told_again).json == {"status": "nothing new"}

    assert run(ledger_size) == before + 1
    fee = fee_at_stripe(stripe, charge_id)
    meta, lines = run(lambda s: booked_entry(s, charge_id))
    # The fee is the one Stripe reported on the balance transaction, which the event did not carry.
    assert meta["fee_reported"] is True
    expected = {accounts.donations("stripe", "PLN"): -2500, accounts.available(pool): 2500 - fee}
    if fee:
        expected[accounts.fees("stripe", "PLN")] = fee
    assert lines == expected
    movement = run(lambda s: s.get(StripeMovement, charge_id))
    assert (movement.kind, movement.gift_id, movement.amount, movement.fee) == ("charge", gift_id, 2500, fee)
    gift = run(lambda s: s.get(Gift, gift_id))
    assert (gift.status, gift.stripe_charge_id, gift.stripe_payment_intent_id) == ("paid", charge_id, intent["id"])
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 2500 - fee


def test_a_monthly_gifts_first_month_told_three_ways_by_id_is_booked_once(
    client, localstripe, run, deliver, stripe, pool
):
    # The donor subscribes; no webhook is registered, so only the events below tell the service.
    card_url = give(client, "mutual-aid", frequency="monthly", preset="other", custom_amount="40,00")
    save_card(localstripe, client.get(card_url).get_data(as_text=True))
    assert pay(client, card_url)[0].status_code == 303
    monthly = run(lambda s: s.query(MonthlyGift).one())
    assert monthly.status == "pending" and client.get("/api/v1/pools/mutual-aid").json["raised"] == 0
    invoice = stripe.client.v1.invoices.retrieve(
        stripe_id(stripe.client.v1.subscriptions.retrieve(monthly.stripe_subscription_id).latest_invoice)
    ).to_dict()
    charge_id, intent_id = stripe_id(invoice["charge"]), stripe_id(invoice["payment_intent"])
    by_id = {**invoice, "charge": charge_id, "payment_intent": intent_id}
    # Newer Stripe versions name only the invoice's PaymentIntent.
    intent_only = {key: value for key, value in by_id.items() if key != "charge"}
    intent = named_by_id(stripe.client.v1.payment_intents.retrieve(intent_id).to_dict())

    answers = [
        deliver(event("invoice.paid", by_id)).json,
        deliver(event("payment_intent.succeeded", intent)).json,
        deliver(event("invoice.payment_succeeded", intent_only)).json,
    ]
    assert answers == [{"status": "booked"}, {"status": "nothing new"}, {"status": "nothing new"}]

    gift = run(lambda s: s.query(Gift).one())
    assert (gift.monthly_gift_id, gift.amount, gift.status, gift.stripe_charge_id) == (
        monthly.id, 4000, "paid", charge_id
    )
    assert run(lambda s: s.get(MonthlyGift, monthly.id).status) == "active"
    fee = fee_at_stripe(stripe, charge_id)
    meta, lines = run(lambda s: booked_entry(s, charge_id))
    assert (meta["frequency"], meta["fee_reported"]) == ("monthly", True)
    assert lines[accounts.donations("stripe", "PLN")] == -4000
    assert lines[accounts.available(pool)] == 4000 - fee
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 4000
