"""Money moves with the decision: an approval reserves, a short pool waitlists, gifts fund the
waitlist in order, the treasurer's payout settles, a cancel releases, and vouchers reach the person."""

from __future__ import annotations

import json

from sqlalchemy import select

from funds.decisions.models import Grant, SealedPayout
from funds.requests import domain as requests_domain
from funds.requests import sealing
from funds.requests.models import Request
from funds.scheduler import run_job
from ledger import audit, schema, store
from ledger.entry import Entry, Posting
from tests.requests.conftest import TOKEN

from .conftest import available, post


def approve(client_of, peers, request_id: int) -> None:
    for person in (peers.ana, peers.bea):
        assert post(client_of(person), f"/committee/requests/{request_id}/vote", choice="approve").status_code == 302


def states_of(run, *request_ids: int) -> list[str]:
    return run(lambda s: [s.get(Request, i).state for i in request_ids])


def status_page(client, codename: str) -> str:
    token = TOKEN.search(client.get("/status").get_data(as_text=True)).group(1)
    return client.post("/status", data={"csrf_token": token, "codename": codename, "lang": "en"}).get_data(as_text=True)


def test_an_approval_sets_the_money_aside_and_the_payout_posts_it(peers, ask, give, client_of, run, client):
    give(8_000)
    asked = ask(amount=5_000, category="rent")
    approve(client_of, peers, asked.request_id)
    assert available(run, peers.pool_id) == store.Balance(f"pool:{peers.pool_id}:available", "EUR", 8_000, 5_000)

    paid = post(
        client_of(peers.cai),
        f"/committee/requests/{asked.request_id}/payout",
        method="mobile-money",
        reference="MM transfer 77-1234",
    )
    assert paid.status_code == 302
    assert states_of(run, asked.request_id) == ["paid"]
    assert available(run, peers.pool_id).balance == 3_000 and available(run, peers.pool_id).held == 0
    assert run(lambda s: store.balance(s, f"pool:{peers.pool_id}:paid:rent")).balance == 5_000
    assert "Paid" in status_page(client, asked.codename)

    # the reference exists only sealed, one copy per member key, and each member can open theirs
    copies = run(lambda s: {p.member_id: bytes(p.sealed) for p in s.scalars(select(SealedPayout))})
    assert set(copies) == set(peers.keys)
    opened = json.loads(sealing.unseal(peers.keys[peers.ana.id], copies[peers.ana.id]))
    assert opened == {"method": "mobile-money", "reference": "MM transfer 77-1234"}
    dump = run(lambda s: s.execute(select(schema.entries.c.meta)).all())
    assert "77-1234" not in json.dumps([row.meta for row in dump])
    assert run(lambda s: audit.verify(s)).size > 0


def test_a_short_pool_waitlists_and_gifts_fund_it_in_order_stopping_at_the_first_that_does_not_fit(
    peers, ask, give, client_of, run
):
    give(3_000)
    first, second, third, fourth = (ask(amount=a) for a in (2_000, 4_000, 1_000, 500))
    for asked in (first, second, third, fourth):
        approve(client_of, peers, asked.request_id)
    # the third would fit in what is left, but it does not jump the queue
    assert states_of(run, *(a.request_id for a in (first, second, third, fourth))) == [
        "reserved",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert give(2_000) == []  # 3,000 free: not enough for the second's 4,000, and nobody skips it
    assert give(2_000) == [second.request_id, third.request_id]  # 5,000: the second, then the third
    assert states_of(run, fourth.request_id) == ["waitlisted"]
    assert available(run, peers.pool_id).available == 0
    assert give(500) == [fourth.request_id]
    assert available(run, peers.pool_id) == store.Balance(f"pool:{peers.pool_id}:available", "EUR", 7_500, 7_500)
    queue = client_of(peers.ana).get("/committee/queue").get_data(as_text=True)
    assert "Nobody is waiting for money." in queue


def test_the_waitlist_job_funds_what_gifts_booked_elsewhere_made_room_for(app, peers, ask, give, client_of, run):
    asked = ask(amount=1_000)
    approve(client_of, peers, asked.request_id)
    assert states_of(run, asked.request_id) == ["waitlisted"]

    def gift_without_funding(session):
        store.post(
            session,
            Entry(
                "gift:elsewhere",
                "transfer",
                (
                    Posting("donations:offline:eur", "EUR", -1_000),
                    Posting(f"pool:{peers.pool_id}:available", "EUR", 1_000),
                ),
            ),
        )

    run(gift_without_funding)
    assert run_job(app, "fund-waitlists") == 1
    assert states_of(run, asked.request_id) == ["reserved"]


def test_cancelling_releases_the_money_to_the_next_on_the_waitlist(peers, ask, give, client_of, run, client):
    give(5_000)
    first, second = ask(amount=5_000), ask(amount=5_000)
    approve(client_of, peers, first.request_id)
    approve(client_of, peers, second.request_id)
    assert states_of(run, first.request_id, second.request_id) == ["reserved", "waitlisted"]
    assert post(client_of(peers.ana), f"/committee/requests/{first.request_id}/cancel").status_code == 403
    cancelled = post(
        client_of(peers.cai),
        f"/committee/requests/{first.request_id}/cancel",
        message="We could not reach you on Signal; please ask again.",
    )
    assert cancelled.status_code == 302
    assert states_of(run, first.request_id, second.request_id) == ["declined", "reserved"]
    assert "please ask again" in status_page(client, first.codename)
    assert run(lambda s: s.get(Grant, first.request_id).cancelled_at) is not None
    assert [e.kind for e in run(lambda s: list(s.execute(select(schema.entries.c.kind))))].count("void") == 1


def test_a_distribution_day_marks_several_paid_at_once_and_skips_what_moved_on(peers, ask, give, client_of, run):
    give(10_000)
    asked = [ask(amount=2_000) for _ in range(3)]
    for one in asked:
        approve(client_of, peers, one.request_id)
    treasurer = client_of(peers.cai)
    page = treasurer.get("/committee/payouts").get_data(as_text=True)
    assert all(f'value="{a.request_id}"' in page for a in asked)
    post(treasurer, f"/committee/requests/{asked[0].request_id}/payout", method="cash", no_reference="y")
    done = post(
        treasurer,
        "/committee/payouts",
        method="cash",
        reference="distribution day, 3 May",
        request_ids=[a.request_id for a in asked],
    )
    assert done.status_code == 302
    messages = treasurer.get("/committee/payouts").get_data(as_text=True)
    assert "2 payouts recorded." in messages and f"left as they were: {asked[0].request_id}" in messages
    assert states_of(run, *(a.request_id for a in asked)) == ["paid"] * 3
    assert available(run, peers.pool_id) == store.Balance(f"pool:{peers.pool_id}:available", "EUR", 4_000, 0)
    assert (
        post(client_of(peers.ana), "/committee/payouts", method="cash", request_ids=[asked[0].request_id]).status_code
        == 403
    )


def test_a_voucher_code_reaches_only_the_person_with_the_codename(peers, ask, give, client_of, run, client):
    give(5_000)
    asked = ask(amount=3_000)
    approve(client_of, peers, asked.request_id)
    given = post(client_of(peers.cai), f"/committee/requests/{asked.request_id}/voucher", code="GIFT-7741-XQ")
    assert given.status_code == 302
    assert "GIFT-7741-XQ" in status_page(client, asked.codename)
    stored = run(lambda s: [bytes(m.sealed) for m in s.get(Request, asked.request_id).messages])
    assert stored and all(b"GIFT-7741" not in box for box in stored)
    refused = post(client_of(peers.cai), f"/committee/requests/{ask().request_id}/voucher", code="X")
    assert refused.status_code == 409 and "set aside or paid" in refused.get_data(as_text=True)


def test_a_person_withdraws_from_the_waitlist_and_nothing_stays_held(peers, ask, client_of, run, config):
    asked = ask(amount=1_000)
    approve(client_of, peers, asked.request_id)

    def withdraw(session):
        derived, found = requests_domain.find(session, asked.codename, config.effective_codename_pepper)
        requests_domain.withdraw(session, found[0])

    run(withdraw)
    assert states_of(run, asked.request_id) == ["withdrawn"]
    assert available(run, peers.pool_id).held == 0
