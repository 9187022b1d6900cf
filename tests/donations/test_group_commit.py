"""Webhooks that arrive while the books are busy are booked together, and each still answers for itself."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from funds.donations.group_commit import group_commit
from funds.donations.models import Gift, StripeMovement
from funds.pools import accounts
from ledger import store

from .conftest import balances, event, ledger_size, signature


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the deliveries never queued up"
        time.sleep(0.01)


@pytest.fixture
def while_the_books_are_busy(app, config, live_server):
    """Deliver ``first``, then ``together``, while another transaction holds the books' lock (as
    another worker's batch would): ``first`` takes the turn and waits for the lock, the others
    queue behind it, and once the lock is let go they are booked in one batch. Returns every
    answer (status, JSON) in order and how many commits booked them."""

    def deliver(first: dict, together: list[dict]):
        group, engine = group_commit(app), app.extensions["ayni.engine"]
        commits = []

        def count(_connection):
            commits.append(1)

        def post(found: dict):
            body = json.dumps(found).encode()
            headers = {
                "Stripe-Signature": signature(body, config.stripe_webhook_secret),
                "Content-Type": "application/json",
            }
            answer = requests.post(f"{live_server}/stripe/webhook", data=body, headers=headers, timeout=60)
            return answer.status_code, answer.json() if answer.status_code != 500 else None

        holder = app.extensions["ayni.sessionmaker"]()
        store.lock_head(holder)
        sqlalchemy_event.listen(engine, "commit", count)
        try:
            with ThreadPoolExecutor(max_workers=1 + len(together)) as threads:
                answers = [threads.submit(post, first)]
                _until(lambda: group._booking and not group._waiting)
                answers += [threads.submit(post, found) for found in together]
                _until(lambda: len(group._waiting) == len(together))
                holder.rollback()
                answers = [answer.result(timeout=60) for answer in answers]
        finally:
            holder.close()
            sqlalchemy_event.remove(engine, "commit", count)
        return answers, len(commits)

    return deliver


def test_webhooks_that_queue_up_are_committed_together_and_each_gets_its_own_answer(
    run, charged_gift, pool, while_the_books_are_busy
):
    paid = [event("payment_intent.succeeded", charged_gift(amount)[1]) for amount in (1000, 2000, 4000)]
    # The second is delivered twice in the batch (Stripe redelivers when an answer is slow).
    answers, commits = while_the_books_are_busy(paid[0], [paid[1], paid[2], paid[1]])
    assert [status for status, _ in answers] == [200, 200, 200, 200]
    said = [found["status"] for _, found in answers]
    # The two copies of the second queued in either order: one booked it, the other found it booked.
    assert said[0] == said[2] == "booked" and sorted((said[1], said[3])) == ["already handled", "booked"]
    assert commits == 2  # the first alone, then the three that queued behind it
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 7000


def test_an_event_that_cannot_be_booked_is_refused_alone_and_the_rest_of_its_batch_is_kept(
    run, stripe, config, charged_gift, pool, while_the_books_are_busy
):
    _, first = charged_gift(1000)
    _, second = charged_gift(2000)
    _, third = charged_gift(4000)
    # A charge in a currency the pool does not hold cannot be booked.
    wrong_gift, _ = charged_gift(500)
    wrong = stripe.client.v1.payment_intents.create(
        params={
            "amount": 800,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "payment_method_types": ["card"],
            "metadata": {"ayni_gift": str(wrong_gift), "ayni_origin": config.ledger_origin},
        }
    ).to_dict()
    paid = [event("payment_intent.succeeded", found) for found in (first, second, wrong, third)]
    answers, _ = while_the_books_are_busy(paid[0], paid[1:])
    assert [status for status, _ in answers] == [200, 200, 422, 200]
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 7000
    # Nothing of the refused event was kept, so Stripe's next delivery of it is judged afresh.
    assert run(lambda s: s.get(Gift, wrong_gift).status) == "pending"
    assert run(lambda s: s.scalar(select(func.count()).select_from(StripeMovement))) == 3


def test_when_the_batch_does_not_commit_no_webhook_in_it_is_answered_2xx(
    app, run, deliver, charged_gift, pool, while_the_books_are_busy
):
    paid = [event("payment_intent.succeeded", charged_gift(amount)[1]) for amount in (1000, 2000, 4000)]
    before = run(ledger_size)
    factory = app.extensions["ayni.sessionmaker"]
    commits = []

    def full_disk(_session):
        # The first's commit goes through; the disk is full for every commit after it.
        if commits:
            raise OSError("no space left on device")
        commits.append(1)

    sqlalchemy_event.listen(factory, "before_commit", full_disk)
    try:
        answers, _ = while_the_books_are_busy(paid[0], paid[1:])
    finally:
        sqlalchemy_event.remove(factory, "before_commit", full_disk)
    assert [status for status, _ in answers] == [200, 500, 500]
    assert run(ledger_size) == before + 1
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 1000
    # Stripe sends what got no 2xx again, and the books take it now.
    assert [deliver(again).json["status"] for again in paid[1:]] == ["booked", "booked"]
    assert run(lambda s: balances(s, accounts.available(pool)))[accounts.available(pool)] == 7000
