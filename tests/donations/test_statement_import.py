"""A treasurer imports the fund account's statement: credits naming an expected gift are matched
and, once confirmed, booked once; the same statement again books nothing new; a credit without a
reference of ours is listed and books nothing unless the treasurer books it as an anonymous gift."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from funds.donations.bank.models import BankTransfer, StatementLine
from funds.donations.bank.references import spaced
from funds.donations.models import Gift
from ledger import schema
from tests.conftest import csrf_token_on

from .bank_fixtures import camt053, mt940
from .conftest import ledger_size
from .test_bank_gifts import give_by_bank, set_account

XSD = Path(__file__).parent / "data" / "camt.053.001.02.xsd"
STATEMENTS = "/committee/bank/statements"
FORMATS = {"camt.053": (camt053, "statement.xml"), "mt940": (mt940, "statement.sta")}


@pytest.fixture
def expected_gift(run, client, make_pool):
    """A donor chose to give EUR 25.00 by bank transfer; returns (gift id, reference as shown)."""
    make_pool(currency="EUR")
    set_account(run)
    give_by_bank(client, amount="25")
    gift_id, reference = run(lambda s: s.execute(select(BankTransfer.gift_id, BankTransfer.reference)).one())
    return gift_id, spaced(reference)


@pytest.fixture
def treasurer(committee_client, expected_gift):
    return committee_client("treasurer")


def upload(client, data: bytes, name: str = "statement.xml"):
    token = csrf_token_on(client.get(STATEMENTS).get_data(as_text=True))
    return client.post(STATEMENTS, data={"csrf_token": token, "statement": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def book(client, page: str, **choices):
    """Confirm the lines ticked on ``page`` (as the browser would send the form)."""
    token = csrf_token_on(page)
    ticked = [value for value in _ticked(page)]
    return client.post(f"{STATEMENTS}/book", data={"csrf_token": token, "book": ticked, **choices})


def _ticked(page: str) -> list[str]:
    root = etree.HTML(page)
    return [box.get("value") for box in root.iterfind(".//input[@name='book']") if box.get("checked") is not None]


def test_the_statement_the_tests_write_is_a_valid_camt_053():
    schema_ = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(camt053([{"amount": "25.00", "text": "AYNI-7K3M-Q9PX"},
                                         {"amount": "5.00", "direction": "DBIT", "text": "fees"}]))
    assert schema_.validate(document), schema_.error_log


@pytest.mark.parametrize("kind", FORMATS)
def test_an_expected_gift_arrives_on_the_statement_and_is_booked_once(run, client, treasurer, expected_gift, kind):
    write, name = FORMATS[kind]
    gift_id, reference = expected_gift
    statement = write([{"amount": "25.00", "text": f"Spende {reference}", "payer": "Jan Kowalski"},
                       {"amount": "7.00", "direction": "DBIT", "text": "bank fees"}])
    if kind == "camt.053":
        assert etree.XMLSchema(etree.parse(str(XSD))).validate(etree.fromstring(statement))
    before = run(ledger_size)
    shown = upload(treasurer, statement, name)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Matches an expected gift" in page
    assert "1 credits read: 1 new" in page and "Jan Kowalski" in page  # shown once, from the file
    assert run(ledger_size) == before  # uploading books nothing

    booked = book(treasurer, page)
    assert booked.status_code == 303
    assert "Lines booked: 1." in treasurer.get(STATEMENTS).get_data(as_text=True)
    gift = run(lambda s: s.get(Gift, gift_id))
    assert gift.status == "paid" and gift.entry_seq is not None
    assert run(ledger_size) == before + 1
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 2500
    meta = run(lambda s: s.scalar(select(schema.entries.c.meta).where(schema.entries.c.seq == gift.entry_seq)))
    assert json.loads(meta) == {"what": "gift", "source": "offline", "pool": "mutual-aid", "method": "bank-transfer"}
    receipt = client.get(f"/gifts/{gift.token}").get_data(as_text=True)
    assert "Received and booked in the public ledger" in receipt

    # what is kept of the line: day, amount, currency, our reference, a fingerprint; never the payer's words
    line = run(lambda s: s.scalar(select(StatementLine)))
    kept = json.dumps({c.name: str(getattr(line, c.name)) for c in StatementLine.__table__.columns})
    assert "Kowalski" not in kept.title() and "Spende" not in kept and line.state == "booked"

    # the same statement again: recognised, nothing new to book, nothing booked
    again = upload(treasurer, statement, name).get_data(as_text=True)
    assert "1 credits read: 0 new, 1 imported before" in again and "No statement line is waiting." in again
    assert book(treasurer, again).status_code == 303
    assert run(ledger_size) == before + 1


@pytest.mark.parametrize("kind", FORMATS)
def test_an_unknown_reference_is_listed_unmatched_and_books_nothing_until_booked_as_an_anonymous_gift(
    run, client, treasurer, expected_gift, kind
):
    write, name = FORMATS[kind]
    before = run(ledger_size)
    page = upload(treasurer, write([{"amount": "12.00", "text": "AYNI-0000-0000 for the fund"}]), name)
    text = page.get_data(as_text=True)
    assert "No gift reference found" in text
    assert _ticked(text) == []
    assert book(treasurer, text).status_code == 303
    assert run(ledger_size) == before
    line_id = run(lambda s: s.scalar(select(StatementLine.id)))
    token = csrf_token_on(text)
    treasurer.post(f"{STATEMENTS}/book", data={"csrf_token": token, "book": [str(line_id)],
                                               f"as-{line_id}": "mutual-aid"})
    assert run(ledger_size) == before + 1
    anonymous = run(lambda s: s.scalar(select(Gift).where(Gift.source == "offline")))
    assert (anonymous.amount, anonymous.public_name, anonymous.status) == (1200, None, "paid")
    assert run(lambda s: s.get(Gift, expected_gift[0]).status) == "expected"


def test_a_partial_payment_is_shown_with_both_amounts_and_not_ticked(run, treasurer, expected_gift):
    page = upload(treasurer, camt053([{"amount": "20.00", "text": expected_gift[1]}])).get_data(as_text=True)
    assert "another amount" in page and "Expected €25.00, arrived €20.00." in page
    assert _ticked(page) == []
    line_id = run(lambda s: s.scalar(select(StatementLine.id)))
    token = csrf_token_on(page)
    treasurer.post(f"{STATEMENTS}/book", data={"csrf_token": token, "book": [str(line_id)], f"as-{line_id}": "gift"})
    gift = run(lambda s: s.get(Gift, expected_gift[0]))
    # the gift keeps what the donor meant to give; the books hold what arrived
    assert gift.status == "paid" and gift.amount == 2500
    assert run(lambda s: s.scalar(select(schema.postings.c.amount).where(
        schema.postings.c.entry_seq == gift.entry_seq, schema.postings.c.amount > 0))) == 2000


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "The file is empty."),
    (b"name,amount\nJan,25\n", "not a bank statement we can read"),
    (b"<html><body>hello</body></html>", "not a CAMT.053"),
    (b"<Document><unclosed>", "not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>', "not a CAMT.053"),
])
def test_a_file_that_is_not_a_statement_gets_a_clear_reason_and_books_nothing(run, treasurer, data, reason):
    before = run(ledger_size)
    response = upload(treasurer, data)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert run(ledger_size) == before and run(lambda s: s.scalar(select(StatementLine))) is None


def test_sending_no_file_asks_for_one(treasurer):
    token = csrf_token_on(treasurer.get(STATEMENTS).get_data(as_text=True))
    response = treasurer.post(STATEMENTS, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the statement file to upload." in response.get_data(as_text=True)


def test_only_a_treasurer_of_the_committee_imports_statements(committee_client, expected_gift):
    assert committee_client("member").get(STATEMENTS).status_code == 403
