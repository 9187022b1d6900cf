"""SEPA credit transfers: a pain.001.001.03 file (sepaxml) the fund's bank imports as one batch,
checked against the pain.001 XSD that sepaxml ships before it is handed out."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sepaxml import SepaTransfer

from . import Batch, Rail, RailRefused

SCHEMA = "pain.001.001.03"


def render(batch: Batch) -> bytes:
    if batch.currency != "EUR":
        raise RailRefused(_l("A SEPA file carries euro only; this batch is in %(currency)s.", currency=batch.currency))
    config = {"name": batch.debtor_name, "IBAN": batch.debtor_iban, "batch": True, "currency": "EUR"}
    if batch.debtor_bic:
        config["BIC"] = batch.debtor_bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    # sepaxml draws a random MsgId into the header it builds at once; ours lets "mark sent" find the batch
    transfer.msg_id = batch.batch_id
    transfer._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId").text = batch.batch_id
    for payout in batch.payouts:
        payment = {"name": payout.name, "IBAN": payout.iban, "amount": payout.amount,
                   "execution_date": batch.execution_date, "description": payout.remittance,
                   "endtoend_id": payout.end_to_end}
        if payout.bic:
            payment["BIC"] = payout.bic
        transfer.add_payment(payment)
    return transfer.export(validate=True, pretty_print=True)


RAIL = Rail("sepa", "application/xml", "xml", render)
