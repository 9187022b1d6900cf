"""Named errors of the books.

Every refusal of the ledger is one of these, with a message a committee member can read:
what was refused and why, never a stack of internals.
"""


class LedgerError(Exception):
    """Base of every refusal by the ledger."""


class InvalidEntry(LedgerError):
    """An entry is malformed: a missing key, an unknown kind, a bad account code or amount."""


class UnbalancedEntry(InvalidEntry):
    """The postings of an entry do not add up to zero in some currency."""


class CurrencyMismatch(InvalidEntry):
    """A posting's currency differs from its account's currency."""


class UnknownAccount(LedgerError):
    """A posting names an account that was never opened."""


class AccountConflict(LedgerError):
    """An account is opened again with a different currency or different flags."""


class IdempotencyConflict(LedgerError):
    """An entry key was used before for different content."""


class InsufficientFunds(LedgerError):
    """A protected account would go below zero (counting what is reserved)."""


class ReservationClosed(LedgerError):
    """A reservation was already posted or voided: it settles at most once."""


class UnknownReservation(LedgerError):
    """A settlement names an entry that is not an open reservation."""


class TamperDetected(LedgerError):
    """The stored or exported books do not match their hashes or their signed root."""

    def __init__(self, message: str, seq: int | None = None):
        super().__init__(message)
        #: the sequence number of the first bad entry, when one can be named
        self.seq = seq


class ProofError(LedgerError):
    """An inclusion or consistency proof is malformed or does not verify."""


class CheckpointError(LedgerError):
    """A checkpoint is malformed, badly signed, or does not extend the previous one."""
