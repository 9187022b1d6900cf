"""What the committee sees: its pools' requests, oldest first, with how long each has waited.

Every query joins to the pool and filters on the member's committee (as
:mod:`funds.committees.scope` does), so another committee's request is a 404, never a page.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from funds.clock import as_utc
from funds.committees.models import Member, MemberAccount
from funds.pools.models import Pool
from funds.requests import states
from funds.requests.models import Request, SealedDetails

from .models import BY_FAST_TRACK, Grant, Reminder, SealedPayout, Vote
from .reminders import open_reminders


@dataclass(frozen=True)
class Summary:
    """What waits for the committee, for its dashboard."""

    to_decide: int
    to_pay: int
    waitlisted: int
    reminders: list[Reminder]


@dataclass(frozen=True)
class Waiting:
    """A request in the queue as a row of the table."""

    request: Request
    waited: timedelta
    approvals: int
    declines: int
    #: this member's vote (approve, decline, recuse) or None
    mine: str | None


def get_request_for_member(session: Session, member: Member, request_id: int) -> Request:
    """The request if it belongs to one of the member's committee's pools; 404 otherwise."""
    found = session.scalar(
        select(Request)
        .join(Pool, Pool.id == Request.pool_id)
        .where(Request.id == request_id, Pool.committee_id == member.committee_id)
    )
    if found is None:
        abort(404)
    return found


def summary(session: Session, member: Member) -> Summary:
    counts = dict(
        session.execute(
            select(Request.state, func.count())
            .join(Pool, Pool.id == Request.pool_id)
            .where(
                Pool.committee_id == member.committee_id,
                Request.state.in_((states.SUBMITTED, states.RESERVED, states.WAITLISTED)),
            )
            .group_by(Request.state)
        ).all()
    )
    return Summary(
        counts.get(states.SUBMITTED, 0),
        counts.get(states.RESERVED, 0),
        counts.get(states.WAITLISTED, 0),
        open_reminders(session, member.committee_id),
    )


def to_decide(session: Session, member: Member, moment: datetime) -> list[Waiting]:
    """Requests waiting for votes, oldest first. Lapsed votes (the job removes them) do not count."""
    requests = list(
        session.scalars(
            select(Request)
            .join(Pool, Pool.id == Request.pool_id)
            .where(Pool.committee_id == member.committee_id, Request.state == states.SUBMITTED)
            .order_by(Request.created_at, Request.id)
        )
    )
    votes = session.execute(
        select(Vote.request_id, Vote.member_id, Vote.choice, Vote.expires_at).where(
            Vote.request_id.in_([r.id for r in requests])
        )
    ).all()
    counts: Counter[tuple[int, str]] = Counter()
    mine: dict[int, str] = {}
    for request_id, member_id, choice, expires_at in votes:
        if expires_at is not None and as_utc(expires_at) <= moment:
            continue
        counts[(request_id, choice)] += 1
        if member_id == member.id:
            mine[request_id] = choice
    return [
        Waiting(r, moment - as_utc(r.created_at), counts[(r.id, "approve")], counts[(r.id, "decline")], mine.get(r.id))
        for r in requests
    ]


def in_state(session: Session, member: Member, state: str) -> list[tuple[Request, Grant]]:
    """Approved requests in ``state`` (waitlisted: in the order they will be funded)."""
    # rows unpack as (request, grant)
    return list(
        session.execute(
            select(Request, Grant)
            .join(Grant, Grant.request_id == Request.id)
            .join(Pool, Pool.id == Request.pool_id)
            .where(Pool.committee_id == member.committee_id, Request.state == state)
            .order_by(Grant.approved_at, Grant.request_id)
        )
    )


def fast_tracks_to_review(session: Session, member: Member) -> list[tuple[Request, Grant]]:
    """Fast-track approvals no second member has looked at yet, oldest first."""
    # First the few unreviewed ones, through the partial index ix_request_grants_fast_tracks_to_review
    # (the value is written into the SQL so SQLite can match the index's condition); joined to the
    # committee's pools in one query, the database may start from the pools and read every request.
    unreviewed = list(session.scalars(
        select(Grant.request_id).where(
            Grant.decided_by == literal(BY_FAST_TRACK, literal_execute=True), Grant.reviewed_at.is_(None)
        )
    ))
    if not unreviewed:
        return []
    # rows unpack as (request, grant)
    return list(
        session.execute(
            select(Request, Grant)
            .join(Grant, Grant.request_id == Request.id)
            .join(Pool, Pool.id == Request.pool_id)
            .where(Grant.request_id.in_(unreviewed), Pool.committee_id == member.committee_id)
            .order_by(Grant.approved_at)
        )
    )


def votes_on(session: Session, request: Request) -> list[Vote]:
    return list(session.scalars(select(Vote).where(Vote.request_id == request.id).order_by(Vote.cast_at, Vote.id)))


def voters(session: Session, committee_id: int) -> int:
    """Members who can sign in and vote (the page warns when recusals leave too few)."""
    return session.scalar(
        select(func.count())
        .select_from(Member)
        .join(MemberAccount, MemberAccount.member_id == Member.id)
        .where(Member.committee_id == committee_id, MemberAccount.disabled_at.is_(None))
    )


def sealed_for(session: Session, member: Member, request: Request) -> dict[str, str]:
    """The member's own sealed copies (base64, for data-sealed): details and, once paid, payout."""
    found = {}
    details = session.scalar(
        select(SealedDetails.sealed).where(SealedDetails.request_id == request.id, SealedDetails.member_id == member.id)
    )
    if details is not None:
        found["details"] = base64.b64encode(bytes(details)).decode("ascii")
    payout = session.scalar(
        select(SealedPayout.sealed).where(SealedPayout.request_id == request.id, SealedPayout.member_id == member.id)
    )
    if payout is not None:
        found["payout"] = base64.b64encode(bytes(payout)).decode("ascii")
    return found
