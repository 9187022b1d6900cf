"""A plain-Python model of a pool's requests, votes and money, written without the service's
code: the state machine in test_request_life.py checks the database against it after each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

QUORUM = 2
FAST_TRACK_LIMIT = 300
VALID = timedelta(hours=72)


@dataclass
class ModelRequest:
    amount: int
    category: str
    created: datetime
    state: str = "submitted"
    #: member id -> (approve/decline/recuse, lapses at or None)
    votes: dict[int, tuple[str, datetime | None]] = field(default_factory=dict)
    #: (approved at, request id): the waitlist's order
    approved: tuple[datetime, int] | None = None
    decided_by: str = ""
    fast_tracker: int | None = None
    reviewed: bool = False


class Model:
    def __init__(self, member_ids: list[int]) -> None:
        self.member_ids = member_ids
        self.aids: dict[int, ModelRequest] = {}
        self.balance = 0
        self.held = 0

    @property
    def available(self) -> int:
        return self.balance - self.held

    def submit(self, request_id: int, amount: int, category: str, moment: datetime) -> None:
        self.aids[request_id] = ModelRequest(amount, category, moment)

    def vote(self, request_id: int, member: int, choice: str, reason: str, moment: datetime) -> str | None:
        """Apply a vote; returns why it is refused (then nothing changed), or None."""
        aid = self.aids[request_id]
        if aid.state != "submitted":
            return "not deciding"
        live = {m: v for m, v in aid.votes.items() if v[1] is None or v[1] > moment}
        if member in live:
            return "voted"
        if choice == "fast-track" and aid.amount > FAST_TRACK_LIMIT:
            return "fast track"
        if choice == "decline" and not reason.strip():
            return "reason"
        stored = "approve" if choice == "fast-track" else choice
        live[member] = (stored, None if choice == "recuse" else moment + VALID)
        aid.votes = live
        approvals = sum(1 for choice_, _ in live.values() if choice_ == "approve")
        declines = sum(1 for choice_, _ in live.values() if choice_ == "decline")
        if choice == "fast-track" or approvals >= QUORUM:
            aid.decided_by = "quorum" if approvals >= QUORUM else "fast-track"
            aid.fast_tracker = member if choice == "fast-track" else None
            aid.approved = (moment, request_id)
            self._place(aid)
        elif declines >= QUORUM:
            aid.state = "declined"
        return None

    def review(self, request_id: int, member: int) -> bool:
        aid = self.aids[request_id]
        if aid.decided_by != "fast-track" or aid.reviewed or aid.fast_tracker == member:
            return False
        aid.reviewed = True
        return True

    def gift(self, amount: int, fund_now: bool) -> None:
        self.balance += amount
        if fund_now:
            self.fund()

    def fund(self) -> None:
        """Oldest approval first, stopping at the first that does not fit."""
        for aid in sorted((a for a in self.aids.values() if a.state == "waitlisted"), key=lambda a: a.approved):
            if aid.amount > self.available:
                return
            self._reserve(aid)

    def pay(self, request_id: int) -> bool:
        aid = self.aids[request_id]
        if aid.state != "reserved":
            return False
        aid.state = "paid"
        self.balance -= aid.amount
        self.held -= aid.amount
        return True

    def cancel(self, request_id: int) -> bool:
        aid = self.aids[request_id]
        if aid.state not in ("reserved", "waitlisted"):
            return False
        if aid.state == "reserved":
            self.held -= aid.amount
        aid.state = "declined"
        self.fund()
        return True

    def withdraw(self, request_id: int) -> bool:
        aid = self.aids[request_id]
        if aid.state not in ("submitted", "waitlisted"):
            return False
        aid.state = "withdrawn"
        return True

    def lapse(self, moment: datetime) -> None:
        for aid in self.aids.values():
            if aid.state == "submitted":
                aid.votes = {m: v for m, v in aid.votes.items() if v[1] is None or v[1] > moment}

    def expire(self, created_before: datetime) -> None:
        for aid in self.aids.values():
            if aid.state == "submitted" and aid.created <= created_before:
                aid.state = "expired"

    def _place(self, aid: ModelRequest) -> None:
        if any(a.state == "waitlisted" for a in self.aids.values()):
            aid.state = "waitlisted"
            self.fund()
        elif aid.amount <= self.available:
            self._reserve(aid)
        else:
            aid.state = "waitlisted"

    def _reserve(self, aid: ModelRequest) -> None:
        aid.state = "reserved"
        self.held += aid.amount
