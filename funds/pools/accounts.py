"""How a pool's money maps onto ledger accounts.

- ``pool:<id>:available`` — what the pool can still grant (never below zero; reservations hold it)
- ``pool:<id>:paid:<category>`` — paid out to recipients, by category
- ``donations:<source>:<currency>`` — where gifts come from (stripe, offline)
- ``fees:stripe:<currency>`` — processor fees; ``refunds:<currency>`` — money returned to donors
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledger import store
from ledger.store import Balance

from ..vocabulary import CATEGORIES


def available(pool_id: int) -> str:
    return f"pool:{pool_id}:available"


def paid(pool_id: int, category: str) -> str:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    return f"pool:{pool_id}:paid:{category}"


def donations(source: str, currency: str) -> str:
    return f"donations:{source}:{currency.lower()}"


def fees(processor: str, currency: str) -> str:
    return f"fees:{processor}:{currency.lower()}"


def refunds(currency: str) -> str:
    return f"refunds:{currency.lower()}"


def open_pool_accounts(session: Session, pool_id: int, currency: str) -> None:
    """Open every account a pool needs (idempotent)."""
    store.open_account(session, available(pool_id), currency, type="Assets", floor_zero=True)
    for category in CATEGORIES:
        store.open_account(session, paid(pool_id, category), currency, type="Expenses")


def open_currency_accounts(session: Session, currency: str) -> None:
    """Open the accounts gifts, fees and refunds in ``currency`` pass through (idempotent)."""
    for source in ("stripe", "offline"):
        store.open_account(session, donations(source, currency), currency, type="Income")
    store.open_account(session, fees("stripe", currency), currency, type="Expenses")
    store.open_account(session, refunds(currency), currency, type="Expenses")


def pool_available(session: Session, pool_id: int) -> Balance:
    return store.balance(session, available(pool_id))
