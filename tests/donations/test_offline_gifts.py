"""A treasurer records cash and bank transfers, behind the placeholder committee password."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from funds.donations.models import Gift
from ledger import schema

from .conftest import COMMITTEE_KEY, csrf_token, ledger_size

NEW = "/committee/pools/mutual-aid/offline-gifts/new"


def basic(password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"treasurer:{password}".encode()).decode()}


def record(client, **fields):
    token = csrf_token(client.get(NEW, headers=basic(COMMITTEE_KEY)).get_data(as_text=True))
    return client.post(NEW, headers=basic(COMMITTEE_KEY),
                       data={"csrf_token": token, "method": "cash", **fields})


def test_a_treasurer_records_cash_and_hands_over_its_receipt(client, run, pool):
    response = record(client, amount="150.00", public_name="Neighbours of Praga")
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PLN\xa0150.00" in receipt and "offline, recorded by the committee" in receipt
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 15_000
    gift = run(lambda s: s.scalar(select(Gift)))
    meta = run(lambda s: s.scalar(select(schema.entries.c.meta).where(schema.entries.c.seq == gift.entry_seq)))
    # The public ledger says what came in and how, never who gave it.
    assert json.loads(meta) == {"what": "gift", "source": "offline", "pool": "mutual-aid", "method": "cash"}


@pytest.mark.parametrize(("typed", "reason"), [("0", "more than zero"), ("-3", "cannot be negative"),
                                               ("1000000.01", "recorded up to"), ("cash", "like 25.00")])
def test_a_wrong_offline_amount_is_refused_and_books_nothing(client, run, pool, typed, reason):
    before = run(ledger_size)
    response = record(client, amount=typed)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert run(ledger_size) == before


def test_committee_pages_need_the_placeholder_password(client, pool):
    assert client.get(NEW).status_code == 401
    assert client.get(NEW, headers=basic("guess")).status_code == 401
    token = csrf_token(client.get("/pools/mutual-aid").get_data(as_text=True))
    refused = client.post(NEW, headers=basic("guess"), data={"csrf_token": token, "amount": "10", "method": "cash"})
    assert refused.status_code == 401


def test_committee_pages_are_closed_when_no_password_is_configured(app, client, pool):
    app.extensions["ayni.config"] = app.extensions["ayni.config"].with_overrides(committee_placeholder_key="")
    assert client.get(NEW, headers=basic("")).status_code == 403
