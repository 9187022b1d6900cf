"""Gifts by bank transfer: a coordinator gives the pool the fund's account, a donor picks "bank
transfer", gets a reference and an EPC QR code, and the gift waits as expected; no account needed."""

from __future__ import annotations

import re
from decimal import Decimal

import segno
from sqlalchemy import select

from funds.donations.bank import epc
from funds.donations.bank.models import BankTransfer
from funds.donations.bank.references import found_in, spaced
from funds.donations.models import Gift
from funds.pools import bank_details
from funds.pools.models import Pool
from tests.conftest import csrf_token_on

from .bank_fixtures import FUND_BIC, FUND_IBAN, HOLDER
from .conftest import ledger_size

BANK = "/committee/pools/{slug}/bank"


def set_account(run, slug: str = "mutual-aid", iban: str = FUND_IBAN, bic: str | None = FUND_BIC) -> None:
    run(lambda s: bank_details.set_bank_account(s, s.scalar(select(Pool).where(Pool.slug == slug)),
                                                holder=HOLDER, iban=iban, bic=bic))


def give_by_bank(client, slug: str = "mutual-aid", amount: str = "25", **fields):
    token = csrf_token_on(client.get(f"/pools/{slug}/give").get_data(as_text=True))
    return client.post(f"/pools/{slug}/give", data={"csrf_token": token, "method": "bank", "preset": "other",
                                                     "custom_amount": amount, "frequency": "once",
                                                     "currency": fields.pop("currency", "EUR"), **fields})


def test_a_coordinator_saves_the_funds_account_and_a_wrong_iban_is_refused_keeping_what_was_typed(
    run, make_pool, committee_client
):
    make_pool(currency="EUR")
    coordinator = committee_client("coordinator")
    page = coordinator.get(BANK.format(slug="mutual-aid")).get_data(as_text=True)
    token = csrf_token_on(page)
    wrong = coordinator.post(BANK.format(slug="mutual-aid"), data={
        "csrf_token": token, "holder": HOLDER, "iban": "DE89 3704 0044 0532 0130 01", "bic": ""})
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "This is not a valid IBAN" in text and "DE89 3704 0044 0532 0130 01" in text
    other_country = coordinator.post(BANK.format(slug="mutual-aid"), data={
        "csrf_token": token, "holder": HOLDER, "iban": "de89 3704 0044 0532 0130 00", "bic": "BPKOPLPW"})
    assert other_country.status_code == 400 and "another country" in other_country.get_data(as_text=True)
    saved = coordinator.post(BANK.format(slug="mutual-aid"), data={
        "csrf_token": token, "holder": HOLDER, "iban": "de89 3704 0044 0532 0130 00", "bic": "cobadeffxxx"})
    assert saved.status_code == 303
    account = run(lambda s: bank_details.bank_account(s, s.scalar(select(Pool.id))))
    assert (account.iban, account.bic) == (FUND_IBAN, FUND_BIC)
    assert committee_client("treasurer").get(BANK.format(slug="mutual-aid")).status_code == 403


def test_a_donor_gives_by_bank_transfer_and_sees_the_account_reference_and_qr_code_while_it_is_expected(
    run, client, make_pool
):
    make_pool(currency="EUR")
    set_account(run)
    before = run(ledger_size)
    response = give_by_bank(client, amount="25", public_name="Ola")
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    page = receipt.get_data(as_text=True)
    gift, transfer = run(lambda s: s.execute(select(Gift, BankTransfer).join(BankTransfer)).one())
    assert (gift.status, gift.amount, gift.source) == ("expected", 2500, "bank")
    assert "DE89 3704 0044 0532 0130 00" in page and FUND_BIC in page and HOLDER in page
    assert spaced(transfer.reference) in page and "Expected" in page
    assert '<svg' in page and 'id="epc-qr"' in page
    assert receipt.headers["Cache-Control"] == "no-store"
    # nothing is booked and nothing counts as raised until the money arrives
    assert run(ledger_size) == before
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 0


def test_giving_by_bank_is_offered_only_where_the_pool_has_an_account_and_only_once(run, client, make_pool):
    make_pool(currency="EUR")
    assert "By bank transfer" not in client.get("/pools/mutual-aid/give").get_data(as_text=True)
    refused = give_by_bank(client)
    assert refused.status_code == 400 and "Choose how to give" in refused.get_data(as_text=True)
    set_account(run)
    assert "By bank transfer" in client.get("/pools/mutual-aid/give").get_data(as_text=True)
    monthly = give_by_bank(client, frequency="monthly")
    assert monthly.status_code == 400 and "standing order" in monthly.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(Gift))) is None


def test_a_zloty_pool_shows_the_account_and_reference_but_no_euro_qr_code(run, client, make_pool):
    make_pool(currency="PLN")
    set_account(run, iban="PL61109010140000071219812874", bic="WBKPPLPP")
    response = give_by_bank(client, amount="40", currency="PLN")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PL61 1090 1014 0000 0712 1981 2874" in page and "<svg" not in page


def test_the_epc_payload_follows_the_epc069_12_layout_field_by_field():
    qr = epc.transfer_qr(holder=HOLDER, iban=FUND_IBAN, bic=FUND_BIC, amount=2550, currency="EUR",
                         reference="AYNI7K3MQ9PX")
    # EPC069-12 v3.0, section 3.4: one field per line, LF-separated, in this order.
    fields = [
        "BCD",  # 1 service tag
        "002",  # 2 version
        "2",  # 3 character set: 2 = ISO 8859-1 (enough for this text)
        "SCT",  # 4 identification: SEPA credit transfer
        FUND_BIC,  # 5 BIC of the beneficiary bank (optional in version 002)
        HOLDER,  # 6 name of the beneficiary, at most 70 characters
        FUND_IBAN,  # 7 IBAN of the beneficiary
        "EUR25.5",  # 8 amount: "EUR", at most two decimals, 0.01-999999999.99
        "",  # 9 purpose (4-letter code), empty
        "",  # 10 structured remittance (ISO 11649 reference): empty when 11 is used
        "AYNI-7K3M-Q9PX",  # 11 unstructured remittance, at most 140 characters
    ]
    payload = "\n".join(fields).encode("iso-8859-1")
    assert len(payload) <= 331  # the standard's limit
    expected = segno.make_qr(payload, error="m", boost_error=False)
    assert qr.error == "M" and qr.version <= 13
    assert qr.matrix == expected.matrix
    assert Decimal("25.50") == epc.major(2550, "EUR")


def test_no_qr_code_outside_the_euro():
    assert epc.transfer_qr(holder=HOLDER, iban="PL61109010140000071219812874", bic=None, amount=4000,
                           currency="PLN", reference="AYNI7K3MQ9PX") is None


def test_references_are_found_however_the_bank_writes_them():
    assert found_in("Spende ayni 7k3m q9px danke") == ["AYNI7K3MQ9PX"]
    assert found_in("AYNI-7K3M-Q9PX/AYNI7K3MQ9PY") == ["AYNI7K3MQ9PX", "AYNI7K3MQ9PY"]
    assert found_in("AYNI-7K3M-Q9PXZ") == [] and found_in("") == []
    assert re.fullmatch(r"AYNI-[0-9A-Z]{4}-[0-9A-Z]{4}", spaced("AYNI7K3MQ9PX"))
