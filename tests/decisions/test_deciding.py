"""Peers decide together: a quorum approves or declines, a member counts once, a conflict of
interest steps aside, and an emergency can be fast-tracked by one member and reviewed later."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from funds.committees import commitments
from funds.committees.models import Member
from funds.decisions.models import Grant, Vote
from funds.pools.models import Pool
from funds.requests.models import Request
from tests.requests.conftest import TOKEN

from .conftest import notes, post


def state_of(run, request_id: int) -> str:
    return run(lambda s: s.get(Request, request_id).state)


def test_two_approvals_decide_and_the_first_alone_does_not(peers, ask, give, client_of, run):
    give(10_000)
    asked = ask(amount=5_000)
    first = post(client_of(peers.ana), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    assert first.status_code == 302
    assert state_of(run, asked.request_id) == "submitted"
    page = client_of(peers.bea).get(f"/committee/requests/{asked.request_id}").get_data(as_text=True)
    assert "1 of 2 approvals" in page

    post(client_of(peers.bea), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    assert state_of(run, asked.request_id) == "reserved"
    reference = run(lambda s: s.get(Request, asked.request_id).ledger_ref)
    decided = [n for n in notes(run) if n.get("request") == reference]
    assert [n["what"] for n in decided] == ["request submitted", "approval", "approval", "request approved"]
    assert decided[-1]["by"] == "quorum" and decided[-1]["approvals"] == 2


def test_a_member_counts_once_even_when_pressing_twice(peers, ask, client_of, run):
    asked = ask()
    ana = client_of(peers.ana)
    post(ana, f"/committee/requests/{asked.request_id}/vote", choice="approve")
    again = post(ana, f"/committee/requests/{asked.request_id}/vote", choice="approve")
    assert again.status_code == 409
    assert "you count once" in again.get_data(as_text=True)
    assert state_of(run, asked.request_id) == "submitted"
    assert run(lambda s: s.scalar(select(func.count()).select_from(Vote))) == 1

    # and the database refuses a second vote even if the code above it were wrong
    def sneak(session):
        session.add(Vote(request_id=asked.request_id, member_id=peers.ana.id, choice="approve"))
        session.flush()

    with pytest.raises(IntegrityError):
        run(sneak)


def test_two_declines_decline_and_the_person_reads_the_reasons(peers, ask, client_of, run, client):
    asked = ask()
    post(
        client_of(peers.ana),
        f"/committee/requests/{asked.request_id}/vote",
        choice="decline",
        reason="We only cover rent this month.",
    )
    post(
        client_of(peers.bea),
        f"/committee/requests/{asked.request_id}/vote",
        choice="decline",
        reason="Please ask the medical pool.",
    )
    assert state_of(run, asked.request_id) == "declined"
    # the reasons were stored sealed to the person's inbox, never in plain text
    assert run(lambda s: s.scalar(select(func.count()).where(Vote.reason_sealed.is_not(None)))) == 0

    token = TOKEN.search(client.get("/status").get_data(as_text=True)).group(1)
    status = client.post("/status", data={"csrf_token": token, "codename": asked.codename, "lang": "en"})
    page = status.get_data(as_text=True)
    assert "Not approved" in page
    assert "We only cover rent this month." in page and "Please ask the medical pool." in page


@pytest.mark.sqlite_only
def test_a_decline_without_a_reason_is_refused_with_the_form_shown_again(peers, ask, client_of, run):
    asked = ask()
    refused = post(client_of(peers.ana), f"/committee/requests/{asked.request_id}/vote", choice="decline", reason=" ")
    assert refused.status_code == 422
    assert "Please write the person a reason" in refused.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(func.count()).select_from(Vote))) == 0


@pytest.mark.sqlite_only
def test_a_member_with_a_conflict_steps_aside_and_cannot_vote_after(peers, ask, give, client_of, run):
    give(10_000)
    asked = ask()
    ana = client_of(peers.ana)
    post(ana, f"/committee/requests/{asked.request_id}/vote", choice="recuse")
    assert post(ana, f"/committee/requests/{asked.request_id}/vote", choice="approve").status_code == 409
    post(client_of(peers.bea), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    assert state_of(run, asked.request_id) == "submitted"
    post(client_of(peers.cai), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    assert state_of(run, asked.request_id) == "reserved"
    assert "recusal" in [n["what"] for n in notes(run)]


def test_an_emergency_is_fast_tracked_by_one_member_and_reviewed_by_another(peers, ask, give, client_of, run):
    give(10_000)
    small, large = ask(amount=2_500), ask(amount=3_500)
    ana = client_of(peers.ana)
    refused = post(ana, f"/committee/requests/{large.request_id}/vote", choice="fast-track")
    assert refused.status_code == 422 and "Fast track is only for amounts up to" in refused.get_data(as_text=True)

    assert post(ana, f"/committee/requests/{small.request_id}/vote", choice="fast-track").status_code == 302
    assert state_of(run, small.request_id) == "reserved"
    queue = client_of(peers.bea).get("/committee/queue").get_data(as_text=True)
    assert "Fast-track approvals to review" in queue

    assert post(ana, f"/committee/requests/{small.request_id}/review").status_code == 409  # not their own
    assert post(client_of(peers.bea), f"/committee/requests/{small.request_id}/review").status_code == 302
    grant = run(lambda s: s.get(Grant, small.request_id))
    assert grant.decided_by == "fast-track" and grant.reviewed_by_id == peers.bea.id
    assert [n["what"] for n in notes(run)][-1] == "fast-track reviewed"


def test_a_codename_at_its_frequency_cap_is_not_approved_again(peers, ask, give, client_of, run):
    run(
        lambda s: (
            setattr(s.get(Pool, peers.pool_id), "frequency_cap_count", 1)
            or setattr(s.get(Pool, peers.pool_id), "frequency_cap_days", 365)
        )
    )
    give(20_000)
    first = ask(amount=1_000)
    second = ask(amount=1_000, codename=first.codename)  # asked before the first was granted
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{first.request_id}/vote", choice="approve")
    refused = post(client_of(peers.ana), f"/committee/requests/{second.request_id}/vote", choice="approve")
    assert refused.status_code == 422
    assert "as often as the pool allows" in refused.get_data(as_text=True)
    assert state_of(run, second.request_id) == "submitted"


@pytest.mark.sqlite_only
def test_the_ledger_names_nobody_but_the_committee_can_reveal_who_decided(peers, ask, client_of, run, make_committee):
    asked = ask()
    post(client_of(peers.ana), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    post(client_of(peers.bea), f"/committee/requests/{asked.request_id}/vote", choice="decline", reason="no")
    votes = [n for n in notes(run) if n["what"] in ("approval", "decline")]
    text = json.dumps(notes(run))
    assert "Ana" not in text and "Bea" not in text
    assert all(re.fullmatch(r"[0-9a-f]{32}", n["member"]) for n in votes)
    assert str(peers.ana.id) not in {str(n["member"]) for n in votes}
    revealed = run(lambda s: commitments.reveal(s, peers.committee_id))
    assert [revealed[n["member"]] for n in votes] == [peers.ana.id, peers.bea.id]
    # another committee's salt gives other commitments for the same member id
    other_committee, _ = make_committee("Krakow", "krakow")
    other = run(lambda s: commitments.commitment(s, Member(id=peers.ana.id, committee_id=other_committee)))
    assert other != votes[0]["member"]
