"""A plain-Python model of the books, kept without the store's code, that predicts each outcome.

It says which refusals the rules allow for a transfer or a reservation, and what booking an entry
does to the balances, the holds and the open reservations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ledger.entry import Entry, Posting
from ledger.errors import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidEntry,
    LedgerError,
    UnbalancedEntry,
    UnknownAccount,
)


@dataclass
class ModelAccount:
    currency: str
    floor_zero: bool
    balance: int = 0
    held: int = 0


class Model:
    """What the books should hold, kept without the store's code."""

    def __init__(self) -> None:
        self.accounts: dict[str, ModelAccount] = {}
        #: key -> (entry as asked, its seq)
        self.booked: dict[str, tuple[Entry, int]] = {}
        self.open_reservations: dict[int, tuple[Posting, ...]] = {}
        self.closed_reservations: set[int] = set()
        self.size = 0

    def errors(self, kind: str, postings: tuple[Posting, ...]) -> set[type[LedgerError]]:
        """Every refusal the rules allow for this transfer or reservation (empty: it must be booked)."""
        found: set[type[LedgerError]] = set()
        totals: dict[str, int] = defaultdict(int)
        for posting in postings:
            totals[posting.currency] += posting.amount
            if posting.amount == 0:
                found.add(InvalidEntry)
        if any(totals.values()):
            found.add(UnbalancedEntry)
        if len({p.account for p in postings}) != len(postings):
            found.add(InvalidEntry)
        for posting in postings:
            account = self.accounts.get(posting.account)
            if account is None:
                found.add(UnknownAccount)
            elif account.currency != posting.currency:
                found.add(CurrencyMismatch)
        if not found:
            for posting in postings:
                account = self.accounts[posting.account]
                if kind == "transfer":
                    after = account.balance + posting.amount - account.held
                else:
                    after = account.balance - account.held + min(posting.amount, 0)
                if account.floor_zero and after < 0:
                    found.add(InsufficientFunds)
        return found

    def book(self, entry: Entry) -> int:
        seq = self.size
        self.size += 1
        self.booked[entry.key] = (entry, seq)
        if entry.kind == "transfer":
            for p in entry.postings:
                self.accounts[p.account].balance += p.amount
        elif entry.kind == "reserve":
            self.open_reservations[seq] = entry.postings
            for p in entry.postings:
                self.accounts[p.account].held -= min(p.amount, 0)
        elif entry.kind in ("settle", "void"):
            held = self.open_reservations.pop(entry.reservation)
            self.closed_reservations.add(entry.reservation)
            for p in held:
                self.accounts[p.account].held += min(p.amount, 0)
                if entry.kind == "settle":
                    self.accounts[p.account].balance += p.amount
        elif entry.kind == "open":
            m = entry.meta
            self.accounts[m["account"]] = ModelAccount(m["currency"], m["floor_zero"])
        return seq
