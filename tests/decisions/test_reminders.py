"""Reminders: lapsed votes send a request back to the queue; requests waiting, unpaid or with
votes about to lapse show on the queue and, when SMTP is set, reach the committee by email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from funds.decisions.jobs import remind_committees
from funds.decisions.models import Reminder, SealedPayout, Vote
from funds.requests import domain as requests_domain
from funds.requests import jobs as retention
from funds.requests.models import Request

from .conftest import notes, post
from .smtp_sink import SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as listening:
        yield listening


@pytest.fixture
def mailing_app(config, sink):
    """The same service with SMTP pointed at the sink (the scheduler process would have it)."""
    mailing = create_app(
        config.with_overrides(
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_starttls=False,
            smtp_from="ayni@example.org",
            remind_unpaid_hours=24,
        )
    )
    yield mailing
    mailing.extensions["ayni.engine"].dispose()


def hours_from_now(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def open_kinds(run) -> set[tuple[int, str]]:
    return set(
        run(lambda s: s.execute(select(Reminder.request_id, Reminder.kind).where(Reminder.cleared_at.is_(None))).all())
    )


def test_votes_lapse_and_the_request_goes_back_to_the_queue_with_a_reminder(app, peers, ask, client_of, run):
    asked = ask()
    ana = client_of(peers.ana)
    post(ana, f"/committee/requests/{asked.request_id}/vote", choice="approve")
    remind_committees(app, now=hours_from_now(73))  # votes are valid for 72 hours by default

    assert run(lambda s: s.scalar(select(func.count()).select_from(Vote))) == 0
    assert run(lambda s: s.get(Request, asked.request_id).state) == "submitted"
    assert notes(run)[-1]["what"] == "votes lapsed"
    queue = ana.get("/committee/queue").get_data(as_text=True)
    assert "its votes lapsed before a decision; it is back in the queue." in queue

    # the member may say yes again; the reminder goes away
    assert post(ana, f"/committee/requests/{asked.request_id}/vote", choice="approve").status_code == 302
    assert (asked.request_id, "votes-expired") not in open_kinds(run)


def test_reminders_show_on_the_queue_and_are_emailed_once_to_the_committee(
    mailing_app, peers, ask, give, client_of, run, sink
):
    dora = client_of(peers.dora)
    bad = post(dora, "/committee/reminders/address", address="two@a.org, three@b.org")
    assert bad.status_code == 422 and "does not look like one email address" in bad.get_data(as_text=True)
    assert post(client_of(peers.ana), "/committee/reminders/address", address="x@y.org").status_code == 403
    assert post(dora, "/committee/reminders/address", address=" peers@warsaw.example ").status_code == 302

    give(5_000)
    waiting, unpaid, half_voted = ask(amount=1_000), ask(amount=2_000), ask(amount=1_500)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{unpaid.request_id}/vote", choice="approve")
    post(client_of(peers.ana), f"/committee/requests/{half_voted.request_id}/vote", choice="approve")

    assert remind_committees(mailing_app, now=hours_from_now(65)) == 4
    assert open_kinds(run) == {
        (waiting.request_id, "waiting"),
        (half_voted.request_id, "waiting"),
        (half_voted.request_id, "votes-expiring"),
        (unpaid.request_id, "unpaid"),
    }
    queue = client_of(peers.bea).get("/committee/queue").get_data(as_text=True)
    assert "is approved and its money set aside, but not paid yet." in queue
    assert "its votes lapse soon" in queue
    dashboard = client_of(peers.bea).get("/committee/").get_data(as_text=True)
    assert "2 to decide, 1 to pay, 0 on the waitlist." in dashboard
    assert "is approved and its money set aside, but not paid yet." in dashboard

    [email] = sink.messages
    assert email["To"] == "peers@warsaw.example" and email["From"] == "ayni@example.org"
    body = email.get_payload()
    assert f"request {unpaid.request_id} (warsaw) is approved" in body
    assert "15.00" not in body and "Signal" not in body  # no amounts, nothing a person wrote

    assert remind_committees(mailing_app, now=hours_from_now(65)) == 0
    assert len(sink.messages) == 1  # nothing new, nothing sent again

    post(client_of(peers.cai), f"/committee/requests/{unpaid.request_id}/payout", method="cash", no_reference="y")
    remind_committees(mailing_app, now=hours_from_now(65))
    assert (unpaid.request_id, "unpaid") not in open_kinds(run)


def test_a_request_nobody_decided_closes_after_the_expiry_period(app, peers, ask, client_of, run):
    forgotten, withdrawn = ask(), ask()
    post(
        client_of(peers.ana),
        f"/committee/requests/{withdrawn.request_id}/vote",
        choice="decline",
        reason="not this month",
    )
    run(lambda s: requests_domain.withdraw(s, s.get(Request, withdrawn.request_id)))
    remind_committees(app, now=hours_from_now(24 * 61))
    closed = run(lambda s: s.get(Request, forgotten.request_id))
    assert closed.state == "expired" and closed.closed_at is not None
    assert "request expired" in [n["what"] for n in notes(run)]
    # a decline reason the person never received does not outlive their request
    reasons = run(lambda s: s.scalars(select(Vote.reason_sealed).where(Vote.request_id == withdrawn.request_id)).all())
    assert reasons == [None]


def test_sealed_payout_details_go_with_the_persons_other_details_after_retention(app, peers, ask, give, client_of, run):
    give(5_000)
    asked = ask(amount=1_000)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    post(client_of(peers.cai), f"/committee/requests/{asked.request_id}/payout", method="cash", reference="envelope 4")
    assert run(lambda s: s.scalar(select(func.count()).select_from(SealedPayout))) == 4
    run(lambda s: retention.purge_closed(s, 30, now=hours_from_now(24 * 31)))
    remind_committees(app, now=hours_from_now(24 * 31))
    assert run(lambda s: s.scalar(select(func.count()).select_from(SealedPayout))) == 0
    assert "What the person wrote was deleted" in client_of(peers.ana).get(
        f"/committee/requests/{asked.request_id}"
    ).get_data(as_text=True)
