"""What a donor needs to make a bank transfer for their gift: the account, the reference, the QR."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from funds.pools.bank_details import bank_account

from ..models import Gift
from . import epc
from .models import BankTransfer
from .references import spaced


@dataclass(frozen=True)
class TransferDetails:
    holder: str
    iban: str
    bic: str | None
    #: as people type it: "AYNI-7K3M-Q9PX"
    reference: str
    #: inline SVG of the EPC QR code; None outside the euro
    qr_svg: str | None


def bank_transfer(session: Session, gift: Gift) -> TransferDetails | None:
    """The transfer details of a gift expected by bank transfer; None if the pool's account is gone."""
    transfer = session.get(BankTransfer, gift.id)
    account = bank_account(session, gift.pool_id)
    if transfer is None or account is None:
        return None
    qr = epc.transfer_qr(holder=account.holder, iban=account.iban, bic=account.bic, amount=gift.amount,
                         currency=gift.currency, reference=transfer.reference)
    return TransferDetails(account.holder, account.iban_spaced, account.bic, spaced(transfer.reference),
                           epc.svg(qr) if qr is not None else None)
