"""Why a committee action was refused. Views turn these into the words a member reads; messages
here carry request numbers and states only, never what a person wrote."""

from __future__ import annotations


class DecisionRefused(Exception):  # noqa: N818 - a refusal the member reads, not a fault
    """The action cannot be done now; the message says why."""


class NotDeciding(DecisionRefused):
    """The request is no longer waiting for votes (decided, withdrawn or expired)."""


class AlreadyVoted(DecisionRefused):
    """The member already approved, declined or recused on this request."""


class FastTrackRefused(DecisionRefused):
    """The pool has no fast track, or the amount is above it."""


class ReasonNeeded(DecisionRefused):
    """A decline tells the person why; the reason was empty or too long."""


class NotPayable(DecisionRefused):
    """Only a request whose money is set aside can be paid, and only once."""


class NotCancellable(DecisionRefused):
    """Only an approval not yet paid can be cancelled."""


class NotReviewable(DecisionRefused):
    """Only another member can review a fast-track approval, once."""


class VoucherRefused(DecisionRefused):
    """A voucher goes to an approved request whose money is set aside or paid."""
