"""The committee's background work: funding waitlists, lapsing votes, closing requests nobody
decided, reminders (and their emails), and dropping sealed decision details after retention."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from funds.clock import now as current_time
from funds.db import in_transaction
from funds.pools.models import Pool
from funds.requests import states
from funds.requests.models import Request
from funds.scheduler import job
from ledger import store

from . import reminders
from .audit_trail import lock_request, note
from .models import SealedPayout, Vote
from .reservations import fund_waitlist
from .votes import expire_votes

log = logging.getLogger(__name__)


def lapse_votes(session: Session, moment: datetime) -> int:
    """Lapse every undecided request's overdue votes; returns how many requests went back."""
    store.lock_head(session)
    due = session.scalars(
        select(Request.id)
        .distinct()
        .join(Vote, Vote.request_id == Request.id)
        .where(Request.state == states.SUBMITTED, Vote.expires_at <= moment)
        .order_by(Request.id)
    ).all()
    return sum(1 for request_id in due if expire_votes(session, lock_request(session, request_id), moment))


def expire_undecided(session: Session, days: int, moment: datetime) -> int:
    """Close requests that waited ``days`` with no decision (0: never); returns how many."""
    if days <= 0:
        return 0
    store.lock_head(session)
    stale = session.scalars(
        select(Request.id).where(Request.state == states.SUBMITTED, Request.created_at <= moment - timedelta(days=days))
    ).all()
    for request_id in stale:
        request = lock_request(session, request_id)
        states.move(request, "expire", now=moment)
        session.flush()
        note(session, f"request:{request.ledger_ref}:expired", request, "request expired", after_days=days)
    return len(stale)


def tidy_sealed_details(session: Session) -> None:
    """Decline reasons of requests that closed without them being read go; payout details go
    when the requests area purges the request's other details (its retention period)."""
    undecided = select(Request.id).where(Request.state != states.SUBMITTED)
    session.execute(
        update(Vote).where(Vote.reason_sealed.is_not(None), Vote.request_id.in_(undecided)).values(reason_sealed=None)
    )
    purged = select(Request.id).where(Request.purged_at.is_not(None))
    session.execute(delete(SealedPayout).where(SealedPayout.request_id.in_(purged)))


@job("fund-waitlists", every=300, help="reserve money for waitlisted requests, oldest approval first")
def fund_waitlists(app: Flask) -> int:
    factory = app.extensions["ayni.sessionmaker"]
    with factory() as session:
        pools = session.scalars(
            select(Pool.id)
            .distinct()
            .join(Request, Request.pool_id == Pool.id)
            .where(Request.state == states.WAITLISTED)
        ).all()
    funded = 0
    for pool_id in pools:
        # One transaction per pool: a busy pool never holds up another.
        funded += len(in_transaction(factory, lambda s, pool_id=pool_id: fund_waitlist(s, s.get(Pool, pool_id))))
    return funded


@job("committee-reminders", every=900, help="lapse old votes, close undecided requests, remind committees")
def remind_committees(app: Flask, *, now: datetime | None = None) -> int:
    """Returns how many reminders were opened; emails them if SMTP is configured."""
    config = app.extensions["ayni.config"]
    factory = app.extensions["ayni.sessionmaker"]
    moment = now or current_time()
    in_transaction(factory, lambda s: lapse_votes(s, moment))
    in_transaction(factory, lambda s: expire_undecided(s, config.request_expiry_days, moment))
    in_transaction(factory, tidy_sealed_details)
    opened = in_transaction(factory, lambda s: reminders.refresh(s, reminders.Rules.from_config(config), moment))
    if config.smtp_host:
        for digest in in_transaction(factory, reminders.due_emails):
            try:
                reminders.send(config, digest)
            except (OSError, smtplib.SMTPException) as error:
                # Left unmarked, so the next run tries again; the dashboard shows them meanwhile.
                log.warning("reminder email to committee %s failed: %s", digest.committee, error)
                continue
            in_transaction(factory, lambda s, ids=digest.reminder_ids: reminders.mark_emailed(s, ids, moment))
    return opened
