"""A pool's bank details: the fund's account that bank-transfer gifts go to and payout files
are paid from. IBAN and BIC are checked with schwifty (checksum, country format, and the BIC's
shape and country) before they are saved, so a donor is never shown an account that cannot exist.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.orm import Session

from funds.refusals import Refusal

from .models import Pool, PoolBankAccount

HOLDER_MAX = 70


class BankDetailsRefused(Refusal):
    """The bank details cannot be right; ``field`` names the one at fault."""

    status = 400


def check_iban(text: str, *, field: str = "iban") -> str:
    """``text`` as an IBAN in electronic form ("PL61109010140000071219812874"), or refused."""
    try:
        return IBAN(text or "").compact
    except (SchwiftyException, ValueError):
        raise BankDetailsRefused(_l("This is not a valid IBAN: please check it against the bank's papers."),
                                 field=field) from None


def check_bic(text: str | None, iban: str | None = None, *, field: str = "bic") -> str | None:
    """``text`` as a BIC (8 or 11 characters), None when empty, or refused; with ``iban``, the two
    must be of the same country."""
    text = (text or "").strip().replace(" ", "").upper()
    if not text:
        return None
    try:
        bic = BIC(text)
    except (SchwiftyException, ValueError):
        raise BankDetailsRefused(_l("This is not a valid BIC (8 or 11 letters and digits)."), field=field) from None
    if iban and bic.country_code != iban[:2]:
        raise BankDetailsRefused(_l("This BIC is from another country than the IBAN."), field=field)
    return bic.compact


def check_holder(text: str | None) -> str:
    holder = " ".join((text or "").split())
    if not holder or len(holder) > HOLDER_MAX:
        raise BankDetailsRefused(_l("Write the account holder's name, up to 70 characters."), field="holder")
    return holder


def set_bank_account(session: Session, pool: Pool, *, holder: str, iban: str, bic: str | None) -> PoolBankAccount:
    """Save the pool's bank details (replacing any), checked; refused with the field at fault."""
    holder = check_holder(holder)
    iban = check_iban(iban)
    bic = check_bic(bic, iban)
    account = session.get(PoolBankAccount, pool.id) or PoolBankAccount(pool_id=pool.id)
    account.holder, account.iban, account.bic = holder, iban, bic
    session.add(account)
    session.flush()
    return account


def remove_bank_account(session: Session, pool: Pool) -> None:
    account = session.get(PoolBankAccount, pool.id)
    if account is not None:
        session.delete(account)
        session.flush()


def bank_account(session: Session, pool_id: int) -> PoolBankAccount | None:
    return session.get(PoolBankAccount, pool_id)
