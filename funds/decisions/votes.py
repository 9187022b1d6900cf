"""Deciding together: approvals, declines and recusals, counted against the pool's quorum.

- A member counts once per request (checked here under the books' lock, and by a unique
  constraint underneath).
- ``pool.quorum`` approvals approve; as many declines decline, and the decliners' reasons reach
  the person, sealed to their inbox key. A recusal counts for nothing and never lapses.
- Up to ``pool.fast_track_limit`` one member may approve alone; the grant is flagged until
  another member reviews it.
- Approvals and declines lapse after ``valid_for`` if the request is still undecided: the
  request goes back to the queue with a reminder, and the members may vote again.

Every vote and decision is a governance note in the ledger, with the member as a commitment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from funds.clock import now as current_time
from funds.committees.commitments import commitment
from funds.committees.models import Member
from funds.requests import domain as requests_domain
from funds.requests import sealing, states
from funds.requests.models import Message, Request

from . import reminders, reservations
from .audit_trail import lock_request, note
from .models import APPROVE, BY_FAST_TRACK, BY_QUORUM, CHOICES, DECLINE, FAST_TRACK, RECUSE, Grant, Vote
from .refusals import AlreadyVoted, FastTrackRefused, NotDeciding, NotReviewable, ReasonNeeded

NOTE_WORDS = {APPROVE: "approval", DECLINE: "decline", RECUSE: "recusal", FAST_TRACK: "fast-track approval"}


@dataclass(frozen=True)
class Outcome:
    """What one vote did: the request's state after it, and whether it decided."""

    state: str
    #: approved or declined when this vote reached the quorum (or fast-tracked); else None
    decided: str | None


def cast(
    session: Session,
    member: Member,
    request_id: int,
    choice: str,
    *,
    reason: str = "",
    valid_for: timedelta,
    now: datetime | None = None,
) -> Outcome:
    """Record ``member``'s approve, decline, recuse or fast-track on a request, and decide it
    (moving its money) if this vote completes a quorum."""
    moment = now or current_time()
    if choice not in CHOICES:
        raise ValueError(f"a vote is one of {', '.join(CHOICES)}")
    request = _request_of(session, member, request_id)
    if not states.can(request.state, "approve"):
        raise NotDeciding(f"request {request.id} is {request.state}, not waiting for votes")
    expire_votes(session, request, moment)
    if session.scalar(select(Vote.id).where(Vote.request_id == request.id, Vote.member_id == member.id)):
        raise AlreadyVoted(f"member already voted on request {request.id}")
    pool = request.pool
    if choice == FAST_TRACK and not (0 < request.amount <= pool.fast_track_limit):
        raise FastTrackRefused(f"request {request.id} is above the pool's fast-track amount")
    if choice in (APPROVE, FAST_TRACK):
        # Counted again at each approval: other grants to the same codename may have landed.
        requests_domain.check_frequency_cap(session, pool, bytes(request.codename_id), moment)
    sealed_reason = None
    if choice == DECLINE:
        reason = reason.strip()
        if not reason or len(reason) > requests_domain.MESSAGE_MAX:
            raise ReasonNeeded("a decline needs a reason of 1-2000 characters for the person")
        sealed_reason = sealing.seal(bytes(request.inbox_key), reason.encode("utf-8"))
    vote = Vote(
        request_id=request.id,
        member_id=member.id,
        choice=APPROVE if choice == FAST_TRACK else choice,
        fast_track=choice == FAST_TRACK,
        reason_sealed=sealed_reason,
        cast_at=moment,
        expires_at=None if choice == RECUSE else moment + valid_for,
    )
    session.add(vote)
    session.flush()
    who = commitment(session, member)
    # a random key part: SQLite may give a new vote the id of a lapsed (deleted) one
    note(session, f"request:{request.ledger_ref}:vote:{secrets.token_hex(8)}", request, NOTE_WORDS[choice], member=who)
    reminders.clear(session, request.id, ("votes-expired",), moment)
    return _decide(session, request, choice, moment)


def _decide(session: Session, request: Request, choice: str, moment: datetime) -> Outcome:
    votes = list(session.scalars(select(Vote).where(Vote.request_id == request.id)))
    approvals = sum(1 for v in votes if v.choice == APPROVE)
    declines = [v for v in votes if v.choice == DECLINE]
    quorum = request.pool.quorum
    if choice == FAST_TRACK or approvals >= quorum:
        decided_by = BY_QUORUM if approvals >= quorum else BY_FAST_TRACK
        states.move(request, "approve", now=moment)
        grant = Grant(request_id=request.id, pool_id=request.pool_id, decided_by=decided_by, approved_at=moment)
        session.add(grant)
        session.flush()
        note(
            session,
            f"request:{request.ledger_ref}:approved",
            request,
            "request approved",
            by=decided_by,
            approvals=approvals,
            quorum=quorum,
        )
        _drop_reasons(votes)
        reservations.place(session, request, grant, moment)
        return Outcome(request.state, states.APPROVED)
    if len(declines) >= quorum:
        states.move(request, "decline", now=moment)
        # The reasons were sealed to the person when given; now they become messages they read.
        for vote in declines:
            if vote.reason_sealed is not None:
                request.messages.append(Message(kind="message", sealed=bytes(vote.reason_sealed), created_at=moment))
        _drop_reasons(votes)
        session.flush()
        note(
            session,
            f"request:{request.ledger_ref}:declined",
            request,
            "request declined",
            declines=len(declines),
            quorum=quorum,
        )
        return Outcome(request.state, states.DECLINED)
    return Outcome(request.state, None)


def expire_votes(session: Session, request: Request, moment: datetime) -> int:
    """Lapse the request's approvals and declines that are past their time; the request is back
    in the queue with a reminder. Returns how many lapsed. The caller holds the books' lock."""
    lapsed = session.execute(
        delete(Vote).where(Vote.request_id == request.id, Vote.expires_at.is_not(None), Vote.expires_at <= moment)
    ).rowcount
    if lapsed:
        note(
            session, f"request:{request.ledger_ref}:votes-lapsed:{secrets.token_hex(8)}", request, "votes lapsed",
            count=lapsed,
        )
        reminders.remind(session, request, "votes-expired", moment)
    return lapsed


def review_fast_track(session: Session, member: Member, request_id: int, *, now: datetime | None = None) -> None:
    """Another member looks at a fast-track approval and takes its flag off."""
    moment = now or current_time()
    request = _request_of(session, member, request_id)
    grant = session.get(Grant, request.id)
    if grant is None or grant.decided_by != BY_FAST_TRACK or grant.reviewed_at is not None:
        raise NotReviewable(f"request {request.id} has no fast-track approval waiting for review")
    approver = session.scalar(select(Vote.member_id).where(Vote.request_id == request.id, Vote.fast_track.is_(True)))
    if approver == member.id:
        raise NotReviewable("a fast-track approval is reviewed by another member")
    grant.reviewed_at, grant.reviewed_by_id = moment, member.id
    session.flush()
    note(
        session,
        f"request:{request.ledger_ref}:fast-track-reviewed",
        request,
        "fast-track reviewed",
        member=commitment(session, member),
    )


def _request_of(session: Session, member: Member, request_id: int) -> Request:
    request = lock_request(session, request_id)
    # Views load requests through the committee's scope already; this keeps the domain honest.
    if request is None or request.pool.committee_id != member.committee_id:
        raise LookupError(f"request {request_id} is not one of this committee's")
    return request


def _drop_reasons(votes: list[Vote]) -> None:
    for vote in votes:
        vote.reason_sealed = None
