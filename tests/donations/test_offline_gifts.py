"""A treasurer records cash and bank transfers for their own committee's pools."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from funds.donations.models import Gift
from ledger import schema
from tests.conftest import csrf_token_on

from .conftest import ledger_size

NEW = "/committee/pools/mutual-aid/offline-gifts/new"


@pytest.fixture
def treasurer(pool, committee_client):
    """A signed-in treasurer of the committee that runs the mutual-aid pool."""
    return committee_client("treasurer")


def record(client, **fields):
    token = csrf_token_on(client.get(NEW).get_data(as_text=True))
    return client.post(NEW, data={"csrf_token": token, "method": "cash", **fields})


def test_a_treasurer_records_cash_and_hands_over_its_receipt(run, treasurer):
    response = record(treasurer, amount="150.00", public_name="Neighbours of Praga")
    assert response.status_code == 303
    receipt = treasurer.get(response.headers["Location"]).get_data(as_text=True)
    assert "PLN\xa0150.00" in receipt and "offline, recorded by the committee" in receipt
    assert treasurer.get("/api/v1/pools/mutual-aid").json["raised"] == 15_000
    gift = run(lambda s: s.scalar(select(Gift)))
    meta = run(lambda s: s.scalar(select(schema.entries.c.meta).where(schema.entries.c.seq == gift.entry_seq)))
    # The public ledger says what came in and how, never who gave it.
    assert json.loads(meta) == {"what": "gift", "source": "offline", "pool": "mutual-aid", "method": "cash"}


def test_a_coordinator_may_record_a_gift_too(pool, committee_client):
    assert record(committee_client("coordinator"), amount="20").status_code == 303


@pytest.mark.parametrize(("typed", "reason"), [("0", "above zero"), ("-3", "cannot be negative"),
                                               ("1000000.01", "recorded up to"), ("cash", "in numbers")])
def test_a_wrong_offline_amount_is_refused_and_books_nothing(run, treasurer, typed, reason):
    before = run(ledger_size)
    response = record(treasurer, amount=typed)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert run(ledger_size) == before


def test_a_stranger_is_sent_to_sign_in_and_books_nothing(run, client, pool):
    before = run(ledger_size)
    response = client.get(NEW)
    assert response.status_code == 302 and response.location.startswith("/committee/login?next=")
    token = csrf_token_on(client.get("/pools/mutual-aid").get_data(as_text=True))
    assert client.post(NEW, data={"csrf_token": token, "amount": "10", "method": "cash"}).status_code == 401
    assert run(ledger_size) == before


def test_a_plain_member_cannot_record_a_gift(run, pool, committee_client):
    member = committee_client("member")
    before = run(ledger_size)
    token = csrf_token_on(member.get("/pools/mutual-aid").get_data(as_text=True))
    assert member.get(NEW).status_code == 403
    assert member.post(NEW, data={"csrf_token": token, "amount": "10", "method": "cash"}).status_code == 403
    assert run(ledger_size) == before


def test_another_committees_treasurer_finds_no_pool_to_book_into(run, pool, make_committee, make_member, client_of):
    other_committee, _ = make_committee("Kraków committee", "krakow")
    outsider = client_of(make_member(other_committee, "treasurer"))
    before = run(ledger_size)
    token = csrf_token_on(outsider.get("/committee/pools/krakow/offline-gifts/new").get_data(as_text=True))
    assert outsider.get(NEW).status_code == 404
    assert outsider.post(NEW, data={"csrf_token": token, "amount": "10", "method": "cash"}).status_code == 404
    assert run(ledger_size) == before and run(lambda s: s.scalar(select(Gift))) is None
