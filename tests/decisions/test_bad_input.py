"""Bad input never breaks a page: refused forms come back with the reason next to them, and
actions on a request that moved on say so (409) instead of failing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from funds.decisions.models import Vote
from funds.requests.models import Request

from .conftest import csrf_token, post

NASTY = ["", "\x00", "-1e999", "<script>alert(1)</script>\u202e", "😀" * 3000]
FIELDS = ["choice", "reason", "method", "reference", "code", "message", "address", "request_ids"]


@pytest.mark.sqlite_only
def test_no_field_value_on_any_decision_route_makes_a_server_error(app, peers, ask, give, client_of, run):
    give(5_000)
    asked = ask(amount=1_000)
    paths = [
        f"/committee/requests/{asked.request_id}/{action}"
        for action in ("vote", "review", "payout", "cancel", "voucher")
    ]
    paths += ["/committee/payouts", "/committee/reminders/address"]
    dora = client_of(peers.dora)  # the coordinator may use every route
    token = csrf_token(dora)
    for path in paths:
        for field in FIELDS:
            for value in NASTY:
                response = dora.post(path, data={"csrf_token": token, field: value})
                assert response.status_code < 500, (path, field, value[:20])
                if response.status_code == 422:
                    assert 'role="alert"' in response.get_data(as_text=True), (path, field)
    assert run(lambda s: s.get(Request, asked.request_id).state) == "submitted"


@pytest.mark.sqlite_only
def test_unknown_requests_are_not_found_and_forms_without_a_token_are_refused(peers, ask, client_of):
    ana = client_of(peers.ana)
    assert ana.get("/committee/requests/999999").status_code == 404
    assert post(ana, "/committee/requests/999999/vote", choice="approve").status_code == 404
    asked = ask()
    assert ana.post(f"/committee/requests/{asked.request_id}/vote", data={"choice": "approve"}).status_code == 400


def test_acting_on_a_request_that_moved_on_says_so(peers, ask, give, client_of, run):
    give(5_000)
    asked = ask(amount=1_000)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    late = post(client_of(peers.cai), f"/committee/requests/{asked.request_id}/vote", choice="decline", reason="no")
    assert late.status_code == 409 and "no longer waiting for votes" in late.get_data(as_text=True)
    treasurer = client_of(peers.cai)
    paid_in_cash = {"method": "cash", "no_reference": "y"}
    assert post(treasurer, f"/committee/requests/{asked.request_id}/payout", **paid_in_cash).status_code == 302
    again = post(treasurer, f"/committee/requests/{asked.request_id}/payout", **paid_in_cash)
    assert again.status_code == 409 and "only once" in again.get_data(as_text=True)
    cancel = post(treasurer, f"/committee/requests/{asked.request_id}/cancel")
    assert cancel.status_code == 409 and "not paid yet" in cancel.get_data(as_text=True)
    review = post(treasurer, f"/committee/requests/{asked.request_id}/review")
    assert review.status_code == 409
    assert run(lambda s: s.scalar(select(func.count()).select_from(Vote))) == 2


@pytest.mark.sqlite_only
def test_refused_forms_show_what_was_typed_and_why(peers, ask, give, client_of):
    give(5_000)
    asked = ask(amount=1_000)
    for person in (peers.ana, peers.bea):
        post(client_of(person), f"/committee/requests/{asked.request_id}/vote", choice="approve")
    refused = post(
        client_of(peers.cai), f"/committee/requests/{asked.request_id}/payout", method="gold", reference="kept as typed"
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Not a valid choice" in page and 'value="kept as typed"' in page
    empty = post(client_of(peers.cai), "/committee/payouts", method="cash")
    assert empty.status_code == 422 and "Tick at least one request." in empty.get_data(as_text=True)
