"""The balances a booking works on: internal to :mod:`ledger.store`.

:func:`ledger.store.post_many` reads the accounts a batch touches under the head lock, then moves
their figures here in memory, entry by entry, refusing the first entry that breaks a rule (an
unknown account, another currency, a closed reservation, a floor crossed). Only a batch that
passed every entry is written back, so a refusal leaves nothing in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from .entry import ACCOUNT_CODE, ACCOUNT_TYPES, CURRENCY_CODE, Entry
from .errors import (
    AccountConflict,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidEntry,
    ReservationClosed,
    UnknownAccount,
    UnknownReservation,
)


@dataclass(slots=True)
class WorkingAccount:
    """An account's figures as the batch being booked leaves them."""

    id: int | None  #: None until an account opened in this batch is inserted
    code: str
    currency: str
    floor_zero: bool
    balance: int
    held: int
    changed: bool = False
    type: str = ""


def apply_open(entry: Entry, accounts: dict[str, WorkingAccount]) -> None:
    """Add the account an ``open`` entry opens, refusing a malformed or already open one."""
    meta = entry.meta
    code = meta.get("account")
    # The same rules the replayer applies, so an open that is booked also verifies.
    if not isinstance(code, str) or not ACCOUNT_CODE.match(code):
        raise InvalidEntry(f"{code!r} is not a valid account code (lower-case words joined by ':')")
    if not isinstance(meta.get("currency"), str) or not CURRENCY_CODE.match(meta["currency"]):
        raise InvalidEntry(f"{meta.get('currency')!r} is not a three-letter currency code")
    if meta.get("type") not in ACCOUNT_TYPES:
        raise InvalidEntry(f"account type {meta.get('type')!r} is not one of {', '.join(ACCOUNT_TYPES)}")
    if not isinstance(meta.get("floor_zero"), bool):
        raise InvalidEntry("opening an account needs floor_zero set to true or false")
    if code in accounts:
        raise AccountConflict(f"account {code} is already open")
    accounts[code] = WorkingAccount(None, code, meta["currency"], bool(meta["floor_zero"]), 0, 0, type=meta["type"])


def apply(entry: Entry, accounts: dict[str, WorkingAccount], reservations: dict) -> None:
    """Move the in-memory balances for one entry, refusing before anything is written."""
    for posting in entry.postings:
        account = accounts.get(posting.account)
        if account is None:
            raise UnknownAccount(f"there is no account {posting.account!r}; open it first")
        if account.currency != posting.currency:
            raise CurrencyMismatch(f"account {posting.account} holds {account.currency}, not {posting.currency}")
    if entry.reservation is not None:
        if entry.reservation not in reservations:
            raise UnknownReservation(f"entry {entry.reservation} is not a reservation")
        held = reservations[entry.reservation]
        if held is None:
            raise ReservationClosed(f"reservation {entry.reservation} was already posted or voided")
        if entry.kind == "settle" and entry.postings != held:
            raise InvalidEntry(f"a settlement must post reservation {entry.reservation} exactly as reserved")
        reservations[entry.reservation] = None
        for posting in held:
            if posting.amount < 0:
                accounts[posting.account].held += posting.amount
                accounts[posting.account].changed = True
        if entry.kind == "void":
            return
    for posting in entry.postings:
        account = accounts[posting.account]
        if entry.kind == "reserve":
            if posting.amount < 0:
                account.held -= posting.amount
        else:
            account.balance += posting.amount
        account.changed = True
        if account.floor_zero and account.balance - account.held < 0:
            available_before = account.balance - account.held - posting.amount
            raise InsufficientFunds(
                f"{account.code} has {available_before} available ({account.currency} minor units), "
                f"less than the {-posting.amount} asked; nothing was booked"
            )
