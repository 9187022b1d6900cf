"""The life of a request as one transition table.

Recipients submit and withdraw; committees approve, decline, reserve, waitlist, pay and cancel
(funds/decisions calls :func:`move` with those events, booking the money in the same
transaction). A request that holds reserved money is not withdrawn here: releasing the
reservation is the committee's step, so the table has no ``(reserved, withdraw)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

SUBMITTED = "submitted"
APPROVED = "approved"
RESERVED = "reserved"
WAITLISTED = "waitlisted"
PAID = "paid"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"

STATES = (SUBMITTED, APPROVED, RESERVED, WAITLISTED, PAID, DECLINED, WITHDRAWN, EXPIRED)
#: states after which nothing changes; retention counts from the moment one is reached
CLOSED = frozenset({PAID, DECLINED, WITHDRAWN, EXPIRED})
#: states that count against a pool's frequency cap: support was granted or is on its way
GRANTED = frozenset({APPROVED, RESERVED, WAITLISTED, PAID})

#: (state, event) -> next state; anything not listed is refused
TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "decline"): DECLINED,
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (SUBMITTED, "expire"): EXPIRED,
    (APPROVED, "reserve"): RESERVED,
    (APPROVED, "waitlist"): WAITLISTED,
    (APPROVED, "withdraw"): WITHDRAWN,
    (WAITLISTED, "reserve"): RESERVED,
    (WAITLISTED, "withdraw"): WITHDRAWN,
    (WAITLISTED, "expire"): EXPIRED,
    (RESERVED, "pay"): PAID,
    # The committee takes back an approval before paying (the person cannot be reached, a
    # duplicate): the reservation is voided and the person sees "not approved" with its message.
    (RESERVED, "cancel"): DECLINED,
    (WAITLISTED, "cancel"): DECLINED,
}
EVENTS = tuple(sorted({event for _, event in TRANSITIONS}))


class RequestError(Exception):
    """A request cannot do what was asked; the message says why (for logs: no personal data)."""


class TransitionRefusedError(RequestError):
    """The event is not allowed from the request's current state."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"a {state} request cannot {event}")
        self.state = state
        self.event = event


class HasState(Protocol):
    state: str
    updated_at: datetime
    closed_at: datetime | None


def can(state: str, event: str) -> bool:
    return (state, event) in TRANSITIONS


def move(request: HasState, event: str, *, now: datetime | None = None) -> str:
    """Move ``request`` by ``event`` or raise :class:`TransitionRefusedError`; returns the new state."""
    target = TRANSITIONS.get((request.state, event))
    if target is None:
        raise TransitionRefusedError(request.state, event)
    now = now or datetime.now(UTC)
    request.state = target
    request.updated_at = now
    if target in CLOSED:
        request.closed_at = now
    return target
