"""Every committee action that moves money or cannot be undone asks once more, on a second page
that works without JavaScript and says what will happen: the request, its amount, its pool. Nothing
changes until the member says yes; "no" leads back to where they were."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from funds.decisions.models import Vote
from funds.requests.models import Request
from tests.committees.conftest import csrf_token

from .conftest import available, post


def first_post(client, path: str, **form):
    """A form sent as the page sends it, before any confirmation."""
    return client.post(path, data={"csrf_token": csrf_token(client), **form})


def confirm(client, page: str, path: str):
    """Press the confirmation page's button: it sends back what the page carries."""
    fields = MultiDict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert fields["confirmed"] == "yes"
    return client.post(path, data=fields)


def test_approving_shows_the_request_amount_and_pool_then_counts_only_when_confirmed(
    peers, ask, give, client_of, run
):
    give(8_000)
    asked = ask(amount=5_000, category="rent")
    ana = client_of(peers.ana)
    path = f"/committee/requests/{asked.request_id}/vote"
    asked_again = first_post(ana, path, choice="approve")
    page = asked_again.get_data(as_text=True)
    assert asked_again.status_code == 200 and f"Approve request {asked.request_id}?" in page
    assert "€50.00" in page and "Rent or a place to stay" in page and "Yes, approve" in page
    assert f'href="/committee/requests/{asked.request_id}"' in page  # the way back
    assert run(lambda s: s.query(Vote).count()) == 0
    assert confirm(ana, page, path).status_code == 302
    assert run(lambda s: [v.choice for v in s.query(Vote)]) == ["approve"]


def test_a_decline_shows_the_reason_the_person_will_read_before_it_counts(peers, ask, client_of, run):
    asked = ask(amount=2_000)
    path = f"/committee/requests/{asked.request_id}/vote"
    page = first_post(client_of(peers.ana), path, choice="decline", reason="The fund pays rent only.").get_data(
        as_text=True)
    assert "Decline request" in page and "The fund pays rent only." in page and "codename" in page
    assert run(lambda s: s.query(Vote).count()) == 0


def test_a_payout_needs_its_reference_or_a_tick_for_none_and_asks_before_it_is_final(peers, ask, give, client_of, run):
    give(8_000)
    asked = ask(amount=3_000)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    cai = client_of(peers.cai)
    path = f"/committee/requests/{asked.request_id}/payout"
    empty = first_post(cai, path, method="mobile-money", reference="  ")
    assert empty.status_code == 422 and "There is no reference" in empty.get_data(as_text=True)
    page = first_post(cai, path, method="mobile-money", no_reference="y").get_data(as_text=True)
    assert "Mark request" in page and "€30.00" in page and "Mobile money" in page and "cannot be undone" in page
    assert run(lambda s: s.get(Request, asked.request_id).state) == "reserved"
    assert confirm(cai, page, path).status_code == 302
    assert run(lambda s: s.get(Request, asked.request_id).state) == "paid"
    assert available(run, peers.pool_id).balance == 5_000


def test_a_distribution_day_lists_every_request_and_its_amount_before_marking_them_paid(
    peers, ask, give, client_of, run
):
    give(10_000)
    asked = [ask(amount=amount) for amount in (2_000, 3_500)]
    for one in asked:
        for person in (peers.ana, peers.bea):
            post(client_of(person), f"/committee/requests/{one.request_id}/vote", choice="approve")
    cai = client_of(peers.cai)
    page = first_post(cai, "/committee/payouts", method="cash", reference="3 May",
                      request_ids=[a.request_id for a in asked]).get_data(as_text=True)
    assert "Mark 2 requests paid?" in page and "€20.00" in page and "€35.00" in page
    assert run(lambda s: {s.get(Request, a.request_id).state for a in asked}) == {"reserved"}
    # both ticked boxes travel to the second page
    assert page.count('name="request_ids"') == 2
    confirm(cai, page, "/committee/payouts")
    assert run(lambda s: {s.get(Request, a.request_id).state for a in asked}) == {"paid"}


def test_cancelling_an_approval_asks_once_more(peers, ask, give, client_of, run):
    give(8_000)
    asked = ask(amount=3_000)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    page = first_post(client_of(peers.cai), f"/committee/requests/{asked.request_id}/cancel").get_data(as_text=True)
    assert "Cancel the approval of request" in page and "Yes, cancel the approval" in page
    assert run(lambda s: s.get(Request, asked.request_id).state) == "reserved"
