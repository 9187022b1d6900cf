"""A distribution day by bank: three approved requests to be paid by transfer, one SEPA file
(pain.001, valid against the schema sepaxml ships) whose count and control sum match the books,
a confirmation, then every payout recorded at once with its own reference."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import sepaxml
from lxml import etree
from sqlalchemy import select

from funds.decisions.models import SealedPayout
from funds.pools import bank_details
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.requests import sealing
from funds.requests.models import Request
from ledger import schema
from tests.committees.conftest import csrf_token

from .conftest import post
from .test_money_moves import approve

PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
PEOPLE = {  # what the treasurer's browser opened from each person's sealed payout details
    0: ("Ola Nowak", "FR1420041010050500013M02606", "PSSTFRPPLIL"),
    1: ("Marta Wiśniewska", "DE02120300000000202051", ""),
    2: ("Ana Lopes", "PT50000201231234567890154", ""),
}


def ask_for_transfer(run, config, peers, amount: int) -> int:
    def work(session):
        return requests_domain.ask(session, pool=session.get(Pool, peers.pool_id), amount=amount, category="rent",
                                   method="bank-transfer", contact="Signal", note="", payout="IBAN and name here",
                                   lang="en", pepper=config.effective_codename_pepper).request.id

    return run(work)


def three_approved(run, config, peers, give, client_of) -> list[int]:
    give(20_000)
    run(lambda s: bank_details.set_bank_account(s, s.get(Pool, peers.pool_id), holder="Ayni Warsaw",
                                                iban="DE89370400440532013000", bic="COBADEFFXXX"))
    ids = [ask_for_transfer(run, config, peers, amount) for amount in (2_000, 3_550, 1_275)]
    for request_id in ids:
        approve(client_of, peers, request_id)
    return ids


def batch_form(ids: list[int], rail: str = "sepa", **extra) -> dict:
    form = {"request_ids": [str(i) for i in ids], "rail": rail, "remittance": "Transfer", **extra}
    for number, request_id in enumerate(ids):
        name, iban, bic = PEOPLE[number]
        form |= {f"name-{request_id}": name, f"iban-{request_id}": iban, f"bic-{request_id}": bic}
    return form


def test_a_sepa_file_for_three_payouts_is_valid_and_matches_the_books_then_all_are_marked_paid_at_once(
    run, config, peers, give, client_of
):
    ids = three_approved(run, config, peers, give, client_of)
    treasurer = client_of(peers.cai)
    page = treasurer.get("/committee/payouts/bank").get_data(as_text=True)
    assert all(f'id="batch-{i}"' in page for i in ids) and "data-sealed-field=\"payout\"" in page

    response = post(treasurer, "/committee/payouts/bank", **batch_form(ids))
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="ayni-payouts-AYNI')
    assert response.headers["Cache-Control"] == "no-store"
    document = etree.fromstring(response.data)
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(document)
    ns = {"p": PAIN}
    amounts = [Decimal(a.text) for a in document.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns)]
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert Decimal(document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns)) == Decimal("68.25")
    assert sorted(amounts) == [Decimal("12.75"), Decimal("20.00"), Decimal("35.50")]
    names = [n.text for n in document.iterfind(".//p:Cdtr/p:Nm", ns)]
    assert "Ola Nowak" in names and document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=ns) == \
        "DE89370400440532013000"
    # the file was made and handed out; nothing of it was written anywhere
    assert run(lambda s: s.scalar(select(SealedPayout))) is None
    assert all(state == "reserved" for state in run(lambda s: [s.get(Request, i).state for i in ids]))

    sent = {"csrf_token": csrf_token(treasurer), **batch_form(ids)}
    asked = treasurer.post("/committee/payouts/bank/sent", data=sent)
    assert asked.status_code == 200 and "This cannot be undone." in asked.get_data(as_text=True)
    assert all(state == "reserved" for state in run(lambda s: [s.get(Request, i).state for i in ids]))
    done = post(treasurer, "/committee/payouts/bank/sent", request_ids=[str(i) for i in ids], rail="sepa",
                confirmed="yes")
    assert done.status_code == 303
    assert run(lambda s: [s.get(Request, i).state for i in ids]) == ["paid"] * 3

    # the books paid what the file carries: three settlements, the same control sum
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    paid = run(lambda s: s.execute(select(e.meta, p.amount).join(schema.postings, p.entry_seq == e.seq)
                                   .join(schema.accounts, a.id == p.account_id)
                                   .where(e.kind == "settle", a.code.like("pool:%:paid:%"))).all())
    assert len(paid) == 3 and sum(row.amount for row in paid) == 6_825
    assert {json.loads(row.meta)["method"] for row in paid} == {"bank-transfer"}
    # each payout's reference (sealed) names the batch and its own transfer in the file
    message_id = document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=ns)
    end_to_end = {t.text for t in document.iterfind(".//p:EndToEndId", ns)}
    sealed = run(lambda s: s.scalars(select(SealedPayout.sealed).where(SealedPayout.member_id == peers.cai.id)).all())
    opened = [json.loads(sealing.unseal(peers.keys[peers.cai.id], bytes(box))) for box in sealed]
    assert {o["reference"].split()[2] for o in opened} == end_to_end
    assert all(o["reference"].startswith(f"sepa {message_id} ") for o in opened)


def test_a_wise_batch_csv_carries_one_row_per_payout(run, config, peers, give, client_of):
    ids = three_approved(run, config, peers, give, client_of)
    response = post(client_of(peers.cai), "/committee/payouts/bank", **batch_form(ids, rail="wise"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["amount"] for r in rows] == ["20.00", "35.50", "12.75"]
    assert {r["sourceCurrency"] for r in rows} == {r["targetCurrency"] for r in rows} == {"EUR"}
    assert rows[1]["name"] == "Marta Wiśniewska" and rows[0]["IBAN"] == PEOPLE[0][1]


def test_a_wrong_iban_is_refused_with_its_request_and_what_was_typed_stays(run, config, peers, give, client_of):
    ids = three_approved(run, config, peers, give, client_of)
    form = batch_form(ids) | {f"iban-{ids[1]}": "DE02120300000000202052"}
    response = post(client_of(peers.cai), "/committee/payouts/bank", **form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f"Request {ids[1]}: This is not a valid IBAN" in page
    assert 'value="DE02120300000000202052"' in page and 'value="Ola Nowak"' in page


def test_only_a_treasurer_makes_payout_files(run, config, peers, give, client_of):
    ids = three_approved(run, config, peers, give, client_of)
    assert post(client_of(peers.ana), "/committee/payouts/bank", **batch_form(ids)).status_code == 403
