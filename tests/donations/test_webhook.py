"""Stripe's webhook: signatures, redeliveries, events in any order, refunds and disputes."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from nacl.public import PrivateKey
from sqlalchemy import func, select

from funds.committees.models import Member
from funds.decisions import votes
from funds.donations.booking import owed
from funds.donations.domain import record_offline_gift
from funds.donations.models import Gift, StripeEvent, StripeMovement
from funds.pools import accounts
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.requests.models import Request
from ledger import schema, store
from ledger.entry import Entry, Posting

from .conftest import balances, event, ledger_size, signature


def test_a_signed_payment_books_the_gift_into_its_pool(app, run, deliver, charged_gift, pool):
    gift_id, intent = charged_gift(2500)
    response = deliver(event("payment_intent.succeeded", intent))
    assert response.status_code == 200, response.json
    assert response.json == {"status": "booked"}
    gift = run(lambda s: s.get(Gift, gift_id))
    assert gift.status == "paid" and gift.entry_seq is not None
    assert run(lambda s: balances(s, accounts.available(pool), accounts.donations("stripe", "PLN"))) == {
        accounts.available(pool): 2500, accounts.donations("stripe", "PLN"): -2500,
    }


def test_a_tampered_body_is_refused_and_books_nothing(run, client, config, charged_gift):
    _gift_id, intent = charged_gift()
    body = json.dumps(event("payment_intent.succeeded", intent)).encode()
    header = signature(body, config.stripe_webhook_secret)
    tampered = body.replace(b'"amount": 2500', b'"amount": 250000')
    before = run(ledger_size)
    response = client.post("/stripe/webhook", data=tampered, headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert run(ledger_size) == before


def test_a_stale_signature_is_refused(run, deliver, charged_gift):
    _gift_id, intent = charged_gift()
    response = deliver(event("payment_intent.succeeded", intent), timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert run(lambda s: s.scalar(select(func.count()).select_from(StripeEvent))) == 0


def test_an_event_signed_with_another_secret_is_refused(deliver, charged_gift):
    _gift_id, intent = charged_gift()
    response = deliver(event("payment_intent.succeeded", intent), secret="whsec_someone_else")
    assert response.status_code == 400


def test_a_post_without_a_signature_or_with_garbage_is_refused(client):
    assert client.post("/stripe/webhook", data=b"\xff\xfe not json").status_code == 400
    assert client.post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=x,v1=y"}).status_code == 400


def test_the_same_event_fifty_times_at_once_books_one_gift(app, run, live_server, config, charged_gift, pool):
    gift_id, intent = charged_gift(2500)
    body = json.dumps(event("payment_intent.succeeded", intent)).encode()
    headers = {"Stripe-Signature": signature(body, config.stripe_webhook_secret), "Content-Type": "application/json"}

    def post(_):
        return requests.post(f"{live_server}/stripe/webhook", data=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=50) as threads:
        answers = list(threads.map(post, range(50)))
    assert {a.status_code for a in answers} == {200}
    assert sorted(a.json()["status"] for a in answers).count("booked") == 1
    charge_id = run(lambda s: s.get(Gift, gift_id).stripe_charge_id)
    assert run(lambda s: s.scalar(select(func.count()).select_from(schema.entries)
                                  .where(schema.entries.c.key == f"stripe:charge:{charge_id}"))) == 1
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 2500


def test_two_events_about_one_charge_book_it_once(run, deliver, stripe, charged_gift, pool):
    _gift_id, intent = charged_gift(2500)
    charge = stripe.client.v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()
    assert deliver(event("payment_intent.succeeded", intent)).json == {"status": "booked"}
    assert deliver(event("charge.refunded", charge)).json == {"status": "nothing new"}
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 2500


def _refund_story(deliver, stripe, charged_gift, refund_first: bool) -> None:
    _gift_id, intent = charged_gift(4000)
    charge_id = intent["latest_charge"]["id"]
    stripe.client.v1.refunds.create(params={"charge": charge_id, "amount": 1500})
    refunded = event("charge.refunded", stripe.client.v1.charges.retrieve(charge_id).to_dict())
    paid = event("payment_intent.succeeded", intent)
    for told in ([refunded, paid] if refund_first else [paid, refunded]):
        assert deliver(told).status_code == 200


def test_a_refund_told_before_its_payment_ends_in_the_same_books_as_after(
    make_pool, app, run, deliver, stripe, charged_gift, pool
):
    codes = (accounts.available(pool), accounts.refunds("PLN"), accounts.donations("stripe", "PLN"))
    _refund_story(deliver, stripe, charged_gift, refund_first=True)
    after_refund_first = run(lambda s: balances(s, *codes))
    _refund_story(deliver, stripe, charged_gift, refund_first=False)
    both = run(lambda s: balances(s, *codes))
    # Two identical stories: the second doubled every balance the first left.
    assert {code: both[code] - after_refund_first[code] for code in codes} == after_refund_first
    assert after_refund_first == {codes[0]: 2500, codes[1]: 1500, codes[2]: -4000}


def _dispute(charge_id: str, amount: int, fee: int, phase: str) -> dict:
    sign = -1 if phase == "withdrawn" else 1
    return {
        "id": "dp_1test", "object": "dispute", "charge": charge_id, "amount": amount, "currency": "pln",
        "status": "needs_response" if phase == "withdrawn" else "won",
        "balance_transactions": [{"id": f"txn_dp_{phase}", "object": "balance_transaction", "amount": sign * amount,
                                  "fee": fee if phase == "withdrawn" else 0, "currency": "pln", "net": 0}],
    }


def test_a_dispute_with_a_fee_books_three_lines_and_winning_it_brings_the_money_back(
    deliver, charged_gift, run, pool
):
    run(lambda s: record_offline_gift(s, s.get(Pool, pool), 10**9, amount_text="50.00", method="cash",
                                      public_name=None))
    gift_id, intent = charged_gift(10_000)
    charge_id = intent["latest_charge"]["id"]
    withdrawn = deliver(event("charge.dispute.funds_withdrawn", _dispute(charge_id, 10_000, 1500, "withdrawn")))
    assert withdrawn.json == {"status": "booked"}
    movement = run(lambda s: s.get(StripeMovement, "dp_1test:withdrawn"))
    lines = run(lambda s: s.execute(
        select(schema.postings.c.amount).where(schema.postings.c.entry_seq == movement.entry_seq)).all())
    # Out of the pool: the disputed amount and the fee; to the donor's bank: the amount; the fee: its own line.
    assert sorted(amount for (amount,) in lines) == [-11_500, 1500, 10_000]
    codes = (accounts.available(pool), accounts.refunds("PLN"), accounts.fees("stripe", "PLN"))
    assert run(lambda s: balances(s, *codes)) == {codes[0]: 3500, codes[1]: 10_000, codes[2]: 1500}
    assert run(lambda s: s.get(Gift, gift_id).status) == "disputed"
    reinstated = deliver(event("charge.dispute.funds_reinstated", _dispute(charge_id, 10_000, 1500, "reinstated")))
    assert reinstated.json == {"status": "booked"}
    assert run(lambda s: balances(s, *codes)) == {codes[0]: 13_500, codes[1]: 0, codes[2]: 1500}
    assert run(lambda s: s.get(Gift, gift_id).status) == "paid"


def test_a_refund_after_the_pool_paid_everything_out_is_booked_as_owed_not_lost(
    deliver, stripe, charged_gift, run, pool
):
    _gift_id, intent = charged_gift(2500)
    assert deliver(event("payment_intent.succeeded", intent)).json == {"status": "booked"}
    run(lambda s: store.post(s, Entry("test:payout", "transfer", (
        Posting(accounts.available(pool), "PLN", -2000), Posting(accounts.paid(pool, "food"), "PLN", 2000)))))
    stripe.client.v1.refunds.create(params={"charge": intent["latest_charge"]["id"]})
    charge = stripe.client.v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()
    assert deliver(event("charge.refunded", charge)).json == {"status": "booked"}
    codes = (accounts.available(pool), accounts.refunds("PLN"), owed("PLN"))
    assert run(lambda s: balances(s, *codes)) == {codes[0]: 0, codes[1]: 2500, codes[2]: -2000}


def test_events_the_books_do_not_need_or_charges_that_are_not_ours_change_nothing(
    run, deliver, stripe
):
    before = run(ledger_size)
    ignored = deliver(event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert ignored.json["status"].startswith("ignored")
    stranger = stripe.client.v1.payment_intents.create(params={
        "amount": 999, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
    }).to_dict()
    assert deliver(event("payment_intent.succeeded", stranger)).json == {"status": "ignored: not a gift to Ayni"}
    assert run(ledger_size) == before


def _approved_while_the_pool_is_empty(session, pool_id: int, amount: int, pepper: bytes) -> int:
    """A request the pool's committee (of one, quorum one) approved with nothing in the pool."""
    pool = session.get(Pool, pool_id)
    pool.quorum = 1
    member = Member(committee_id=pool.committee_id, display_name="Ana")
    member.public_key = bytes(PrivateKey.generate().public_key)
    session.add(member)
    session.flush()
    asked = requests_domain.ask(session, pool=pool, amount=amount, category="rent", method="cash", contact="",
                                note="", payout="", lang="en", pepper=pepper)
    votes.cast(session, member, asked.request.id, "approve", valid_for=timedelta(hours=72))
    return asked.request.id


def test_a_card_gift_funds_the_approved_request_waiting_for_money_as_it_is_booked(
    run, config, deliver, charged_gift, pool
):
    waiting = run(lambda s: _approved_while_the_pool_is_empty(s, pool, 2000, config.effective_codename_pepper))
    assert run(lambda s: s.get(Request, waiting).state) == "waitlisted"
    _gift_id, intent = charged_gift(2500)
    assert deliver(event("payment_intent.succeeded", intent)).json == {"status": "booked"}
    # Not five minutes later by the waitlist job: in the webhook's own transaction.
    assert run(lambda s: s.get(Request, waiting).state) == "reserved"
    assert run(lambda s: accounts.pool_available(s, pool)) == store.Balance(accounts.available(pool), "PLN", 2500, 2000)
